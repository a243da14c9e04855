"""Tools › Audit log: every entry of the audit log, newest first, with filters and an export.

The list is the shared SQL-backed table model over `AuditListing`: the ids matching the filters
are read off the GUI thread and rows a page at a time, so a log of hundreds of thousands of
entries opens at once. The filters' choices (officers, actions, tables in the log) are read in
the background too. "Export to Excel…" writes what the filters show, and is itself recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont, QFontMetrics, QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.progress import Progress
from branchdesk.store.audit_view import AuditChoices, AuditFilter, AuditListing, action_label
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.list_view import list_view
from branchdesk.ui.table_model import READ_ERRORS, ListingTableModel, read_error_text
from branchdesk.ui.worker import report_unhandled

XLSX = QT_TRANSLATE_NOOP("audit_viewer", "Excel workbook (*.xlsx)")
# The log's columns are named in the store, which has no translator: the headings shown here.
HEADERS = {
    "id": QT_TRANSLATE_NOOP("audit_viewer", "Entry"),
    "at": QT_TRANSLATE_NOOP("audit_viewer", "When"),
    "officer": QT_TRANSLATE_NOOP("audit_viewer", "Officer"),
    "action": QT_TRANSLATE_NOOP("audit_viewer", "Action"),
    "table": QT_TRANSLATE_NOOP("audit_viewer", "Table"),
    "row_id": QT_TRANSLATE_NOOP("audit_viewer", "Record"),
    "fields": QT_TRANSLATE_NOOP("audit_viewer", "Fields"),
    "details": QT_TRANSLATE_NOOP("audit_viewer", "Details"),
}


def _entries(n: int) -> str:
    if n == 1:
        return translate("audit_viewer", "1 entry")
    return translate("audit_viewer", "{n} entries").format(n=f"{n:,}")


def _combo(name: str, everything: str, tip: str, accessible: str) -> QComboBox:
    """A filter's drop-down; the texts come translated."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(everything, "")
    combo.setToolTip(tip)
    combo.setAccessibleName(accessible)
    combo.setMinimumContentsLength(12)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return combo


def _date_edit(name: str, value: date, accessible: str) -> QDateEdit:
    edit = QDateEdit(QDate(value))
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setEnabled(False)  # until its box is ticked
    return edit


class AuditViewer(QDialog):
    """The audit log in a window of its own, left open beside the main window if wanted."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("auditViewer")
        self.setWindowTitle(translate("audit_viewer", "Audit log"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self._choices_generation = 0
        self._last_folder: Path | None = None
        self.model = ListingTableModel(AuditListing(ctx.db), self, runner=self._run_quietly)
        self.model.set_headers(
            {key: translate("audit_viewer", text) for key, text in HEADERS.items()}
        )
        self._build()
        self.model.modelReset.connect(self._update_count)
        # Queued: the model reports from inside the table's paint, where the layout must wait.
        self.model.load_failed.connect(self._show_load_failed, Qt.ConnectionType.QueuedConnection)
        self.model.load_recovered.connect(self.load_banner.hide, Qt.ConnectionType.QueuedConnection)
        ctx.events.database_changed.connect(self.database_changed)
        self._update_count()
        self.load_choices()
        self.resize(1240, 680)

    def _run_quietly(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.ctx.worker.run(fn, on_done=on_done, on_error=on_error, quiet=True)

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        heading = QLabel(translate("audit_viewer", "Audit log"))
        heading.setObjectName("tabHeading")
        subheading = QLabel(
            translate(
                "audit_viewer",
                "Who created, changed, deleted, viewed or exported which record, and when. "
                "Newest first; times are this PC's local time.",
            )
        )
        subheading.setObjectName("tabSubheading")
        subheading.setWordWrap(True)

        self.officer = _combo(
            "officerFilter",
            translate("audit_viewer", "All officers"),
            translate("audit_viewer", "Only what this officer did"),
            translate("audit_viewer", "Officer"),
        )
        self.action = _combo(
            "actionFilter",
            translate("audit_viewer", "All actions"),
            translate("audit_viewer", "Only this kind of entry"),
            translate("audit_viewer", "Action"),
        )
        self.table_filter = _combo(
            "tableFilter",
            translate("audit_viewer", "All tables"),
            translate("audit_viewer", "Only entries about this table"),
            translate("audit_viewer", "Table"),
        )
        self.record = QLineEdit()
        self.record.setObjectName("recordFilter")
        self.record.setPlaceholderText(translate("audit_viewer", "Record id"))
        self.record.setAccessibleName(translate("audit_viewer", "Record id"))
        self.record.setToolTip(
            translate(
                "audit_viewer", "Only entries about the record with this id (in the table chosen)"
            )
        )
        self.record.setValidator(QIntValidator(1, 2_147_483_647, self.record))
        self.record.setClearButtonEnabled(True)
        self.record.setMaximumWidth(110)
        today = date.today()
        self.use_start = QCheckBox(translate("audit_viewer", "From"))
        self.use_start.setObjectName("useStart")
        self.use_start.setToolTip(translate("audit_viewer", "Only entries on or after this day"))
        self.start = _date_edit(
            "startDate", today - timedelta(days=30), translate("audit_viewer", "From this day")
        )
        self.use_end = QCheckBox(translate("audit_viewer", "to"))
        self.use_end.setObjectName("useEnd")
        self.use_end.setToolTip(translate("audit_viewer", "Only entries on or before this day"))
        self.end = _date_edit("endDate", today, translate("audit_viewer", "To this day"))
        self.clear_button = QPushButton(translate("audit_viewer", "Clear filters"))
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setToolTip(translate("audit_viewer", "Show every entry"))
        self.clear_button.clicked.connect(lambda _c=False: self.clear_filters())

        for combo in (self.officer, self.action, self.table_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.record.textChanged.connect(lambda _t: self.apply_filters())
        self.use_start.toggled.connect(self.start.setEnabled)
        self.use_end.toggled.connect(self.end.setEnabled)
        for box in (self.use_start, self.use_end):
            box.toggled.connect(lambda _c: self.apply_filters())
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self.apply_filters())

        filters = QHBoxLayout()
        filters.setSpacing(8)
        for widget in (self.officer, self.action, self.table_filter, self.record):
            filters.addWidget(widget)
        filters.addSpacing(8)
        for widget in (self.use_start, self.start, self.use_end, self.end):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.clear_button)

        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setAccessibleName(translate("audit_viewer", "Audit log entries"))
        self.table.setModel(self.model)
        list_view(self.table, row_padding=12, scroll_per_pixel=True)
        horizontal = self.table.horizontalHeader()
        for column, width in enumerate(self._column_widths()):
            self.table.setColumnWidth(column, width)
        # No sort indicator at first: the log's own order, newest first.
        horizontal.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        # Says, without a dialog, that the log could not be read and is being read again.
        self.load_banner = QLabel()
        self.load_banner.setObjectName("loadBanner")
        self.load_banner.setWordWrap(True)
        self.load_banner.hide()

        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.export_button = QPushButton(translate("audit_viewer", "Export to Excel…"))
        self.export_button.setObjectName("primaryButton")
        self.export_button.setToolTip(
            translate("audit_viewer", "Write the entries shown, as filtered, to an Excel workbook")
        )
        self.export_button.clicked.connect(lambda _c=False: self.export())
        self.close_button = QPushButton(translate("audit_viewer", "Close"))
        self.close_button.clicked.connect(lambda _c=False: self.close())
        footer = QHBoxLayout()
        footer.addWidget(self.count_label, 1)
        footer.addWidget(self.export_button)
        footer.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(subheading)
        layout.addLayout(filters)
        layout.addWidget(self.load_banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

    def _column_widths(self) -> list[int]:
        char = self.table.fontMetrics().horizontalAdvance("0")
        bold_font = QFont(self.table.horizontalHeader().font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        return [
            max(
                (column.width or 14) * char + 14,
                bold.horizontalAdvance(self.model.header_text(section)) + 34,
            )
            for section, column in enumerate(self.model.columns)
        ]

    # -- filters -------------------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        record = self.record.text().strip()
        return AuditFilter(
            officer=str(self.officer.currentData() or ""),
            action=str(self.action.currentData() or ""),
            table=str(self.table_filter.currentData() or ""),
            start=_day(self.start) if self.use_start.isChecked() else None,
            end=_day(self.end) if self.use_end.isChecked() else None,
            row_id=int(record) if record.isdigit() else None,
        )

    def apply_filters(self) -> None:
        """Show the entries the filters ask for: a new listing, the same sort."""
        audit_filter = self.current_filter()
        problem = audit_filter.problem()
        if problem:
            # The problem is the store's own words.
            self.count_label.setText(
                translate("audit_viewer", "Nothing shown: {problem}.").format(problem=problem)
            )
            self.export_button.setEnabled(False)
            return
        self.model.set_listing(AuditListing(self.ctx.db, audit_filter))
        self._update_count()

    def clear_filters(self) -> None:
        widgets = (
            self.officer,
            self.action,
            self.table_filter,
            self.record,
            self.use_start,
            self.use_end,
        )
        for widget in widgets:
            widget.blockSignals(True)
        for combo in (self.officer, self.action, self.table_filter):
            combo.setCurrentIndex(0)
        self.record.clear()
        self.use_start.setChecked(False)
        self.use_end.setChecked(False)
        self.start.setEnabled(False)
        self.end.setEnabled(False)
        for widget in widgets:
            widget.blockSignals(False)
        self.apply_filters()

    def load_choices(self) -> None:
        """Read the officers, actions and tables the log holds, in the background."""
        from branchdesk.store.audit_view import audit_choices

        self._choices_generation += 1
        generation, db = self._choices_generation, self.ctx.db
        self.ctx.worker.run(
            lambda: audit_choices(db),
            on_done=lambda choices: self._choices_arrived(generation, choices),
            on_error=lambda _exc: None,  # the list itself says why the log cannot be read
            quiet=True,
        )

    def _choices_arrived(self, generation: int, choices: object) -> None:
        if generation != self._choices_generation or not isinstance(choices, AuditChoices):
            return
        fill = (
            (self.officer, [(name, name) for name in choices.officers]),
            (self.action, [(action_label(code), code) for code in choices.actions]),
            (self.table_filter, [(name, name) for name in choices.tables]),
        )
        for combo, items in fill:
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for text, data in items:
                combo.addItem(text, data)
            index = combo.findData(chosen)
            if index < 0 and chosen:
                combo.addItem(str(chosen), chosen)  # keep a choice the log no longer holds
                index = combo.count() - 1
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    # -- refreshing ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the log again (it grows while the window is open)."""
        self.model.refresh()
        self.load_choices()

    def database_changed(self) -> None:
        self.model.set_listing(AuditListing(self.ctx.db, self.current_filter()))
        self.load_choices()

    def _update_count(self) -> None:
        if not self.model.loaded:
            self.count_label.setText(translate("audit_viewer", "Loading…"))
            self.export_button.setEnabled(False)
            return
        n = self.model.rowCount()
        described = self.model.listing.filter.describe()  # type: ignore[attr-defined]
        if described == "every entry":
            self.count_label.setText(_entries(n))
        else:
            self.count_label.setText(
                translate("audit_viewer", "{entries} ({filter})").format(
                    entries=_entries(n), filter=described
                )
            )
        self.export_button.setEnabled(n > 0)

    def _show_load_failed(self, reason: str) -> None:
        self.load_banner.setText(
            translate(
                "audit_viewer", "The audit log could not be read: {reason}. Retrying…"
            ).format(reason=reason)
        )
        self.load_banner.show()

    # -- exporting -----------------------------------------------------------------------------

    def export(self, path: Path | None = None) -> None:
        """Write the entries the filters show to an Excel workbook, in the background."""
        if path is None:
            folder = self._last_folder or _default_folder()
            suggested = folder / f"audit-log-{date.today():%Y-%m-%d}.xlsx"
            path = self.ctx.dialogs.save_file(
                self,
                translate("audit_viewer", "Export the audit log"),
                suggested,
                translate("audit_viewer", XLSX),
            )
        if path is None:
            return
        if path.suffix.lower() != ".xlsx":
            self.ctx.dialogs.error(
                self,
                translate("audit_viewer", "Export"),
                translate("audit_viewer", "Choose a file name ending in .xlsx."),
            )
            return
        self._last_folder = path.parent
        from branchdesk.exports.audit_log import export_audit  # openpyxl, when asked
        from branchdesk.store.audit import record_export

        db, branch = self.ctx.db, self.ctx.preferences.branch_name
        audit_filter = self.current_filter()

        def run(progress: Progress) -> int:
            count = export_audit(db, path, audit_filter, branch_name=branch, progress=progress)
            record_export(db, "audit", path, count)
            return count

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            text = (
                translate("audit_viewer", "1 audit log entry written to\n{path}")
                if count == 1
                else translate("audit_viewer", "{n} audit log entries written to\n{path}")
            )
            self.ctx.dialogs.info(
                self,
                translate("audit_viewer", "Export finished"),
                text.format(n=f"{count:,}", path=path),
            )
            self.refresh()  # the export itself is in the log now

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            if isinstance(exc, ValueError):
                self.ctx.dialogs.error(self, translate("audit_viewer", "Export failed"), str(exc))
            elif isinstance(exc, READ_ERRORS):
                self.ctx.dialogs.error(
                    self, translate("audit_viewer", "Export failed"), read_error_text(exc)
                )
            else:
                report_unhandled(exc)

        self.export_button.setEnabled(False)
        self.ctx.worker.run_with_progress(
            run,
            parent=self,
            title=translate("audit_viewer", "Export the audit log"),
            label=translate("audit_viewer", "Writing {name}…").format(name=path.name),
            on_done=done,
            on_error=failed,
            on_cancelled=lambda: self.export_button.setEnabled(True),
        )


def _day(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


def _default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()
