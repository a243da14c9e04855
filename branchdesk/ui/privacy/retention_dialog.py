"""Tools › Retention review: the branch's retention schedule, what it says is due, and erasing it.

The secretary ticks the records to erase or anonymise (all are ticked at first), confirms, and,
for more than one, has a second officer type their name and password. The erasure runs off the
GUI thread with a progress bar; the summary says what was done. Another role sees why it may not
(the checks that count are made in `branchdesk.privacy`, whoever calls them).

`ScheduleEditor` holds the schedule's boxes, read from the database and saved back to it. This
dialog and Edit › Preferences both use it, so there is one way to change the schedule.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.access.officers import list_officers
from branchdesk.access.roles import WRITE, Area
from branchdesk.exports.text import short_date
from branchdesk.privacy.erasure import ErasureResult, SecondOfficerRefused, erase
from branchdesk.privacy.retention import (
    DEFAULT_SCHEDULE,
    MAX_YEARS,
    REASONS,
    DueItem,
    RecordType,
    Schedule,
    due,
    load_schedule,
    save_schedule,
)
from branchdesk.progress import Progress
from branchdesk.store.database import Database
from branchdesk.store.errors import AccessDenied, StaleEdit, StoreError
from branchdesk.ui.context import MEMBERS, AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.officers.forms import message_label, password_edit, show_message
from branchdesk.ui.officers.gate import may, refusal, sentence

# Untranslated here: each is translated where it is shown.
COLUMNS = (
    "",
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "Record"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "Member"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "What happens"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "Due since"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "Why"),
)
ACTION_WORDS = {
    "erase": QT_TRANSLATE_NOOP("privacy.retention_dialog", "Erase"),
    "anonymise": QT_TRANSLATE_NOOP("privacy.retention_dialog", "Anonymise"),
}
WHAT_HAPPENS = {
    RecordType.CASE: QT_TRANSLATE_NOOP(
        "privacy.retention_dialog",
        "Deleted, with its timeline, deadlines, consents and documents' files.",
    ),
    RecordType.MEMBER: QT_TRANSLATE_NOOP(
        "privacy.retention_dialog",
        'Names, number, contacts, address, job and notes cleared ("Erased member" and an id); '
        "their closed cases deleted and their claims' personal text blanked. The ledger still "
        "points at the record, so the fund adds up.",
    ),
    RecordType.HARDSHIP_CLAIM: QT_TRANSLATE_NOOP(
        "privacy.retention_dialog",
        "The member's circumstances, the evidence notes and the panel's reasons blanked; the "
        "amounts, payments and ledger entries kept.",
    ),
}
MONTHS = (
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "January"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "February"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "March"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "April"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "May"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "June"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "July"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "August"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "September"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "October"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "November"),
    QT_TRANSLATE_NOOP("privacy.retention_dialog", "December"),
)
# The registers an erasure changes, so their tabs read afresh.
CHANGED = (MEMBERS, "casework", "hardship")
SECRETARY_ONLY = QT_TRANSLATE_NOOP(
    "privacy.retention_dialog", "Only the branch secretary changes the retention schedule."
)
STALE_RELOADED = QT_TRANSLATE_NOOP(
    "privacy.retention_dialog",
    "Someone else changed the retention schedule after you opened it, so nothing was saved. "
    "Their schedule is shown now: make your change again.",
)


def _records(n: int) -> str:
    if n == 1:
        return translate("privacy.retention_dialog", "1 record")
    return translate("privacy.retention_dialog", "{n} records").format(n=f"{n:,}")


_Index = QModelIndex | QPersistentModelIndex


class DueModel(QAbstractTableModel):
    """What is due, one row a record, with a tick box in the first column.

    A plain model over the list (not a table of widget items): a branch that has never had a
    review can have tens of thousands of records due, and these show at once.
    """

    ticks_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[DueItem] = []
        self.ticked: list[bool] = []
        self.ticked_count = 0

    def set_items(self, items: list[DueItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.ticked = [True] * len(self.items)
        self.ticked_count = len(self.items)
        self.endResetModel()
        self.ticks_changed.emit()

    def tick_all(self, ticked: bool) -> None:
        if not self.items:
            return
        self.ticked = [ticked] * len(self.items)
        self.ticked_count = len(self.items) if ticked else 0
        self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, 0))
        self.ticks_changed.emit()

    def chosen(self) -> list[DueItem]:
        return [item for item, ticked in zip(self.items, self.ticked, strict=True) if ticked]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("privacy.retention_dialog", COLUMNS[section]) if section else ""
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _text(self, item: DueItem, column: int) -> str:
        if column == 1:
            return item.label
        if column == 2:
            return " ".join(p for p in (item.member_number, item.member_name) if p)
        if column == 3:
            return translate("privacy.retention_dialog", ACTION_WORDS[item.action])
        if column == 4:
            return short_date(item.due_since)
        return item.reason if column == 5 else ""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item, column = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            ticked = self.ticked[index.row()]
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column) or None
        if role == Qt.ItemDataRole.ToolTipRole and column:
            if column == 3:
                return translate("privacy.retention_dialog", WHAT_HAPPENS[item.kind])
            return self._text(item, column)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        ticked = Qt.CheckState(value) == Qt.CheckState.Checked
        row = index.row()
        if self.ticked[row] != ticked:
            self.ticked[row] = ticked
            self.ticked_count += 1 if ticked else -1
            self.dataChanged.emit(index, index, [role])
            self.ticks_changed.emit()
        return True


def _years(name: str, suffix: str, accessible: str) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(1, MAX_YEARS)
    box.setSuffix(suffix)
    box.setToolTip(REASONS[name])
    box.setAccessibleName(accessible)
    return box


def _reason(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("tabSubheading")
    label.setWordWrap(True)
    return label


class ScheduleEditor(QObject):
    """The retention schedule's boxes: read from the database, checked and saved back to it.

    The rules (the periods' limits, who may change them, the version check) are all in
    `branchdesk.privacy.retention`; this only shows them and hands edits to `save_schedule`.
    """

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.case_years = _years(
            "closed_case_years",
            translate("privacy.retention_dialog", " years after closing"),
            translate("privacy.retention_dialog", "Closed cases: years kept after closing"),
        )
        self.member_years = _years(
            "member_years",
            translate("privacy.retention_dialog", " years after leaving"),
            translate("privacy.retention_dialog", "Lapsed and left members: years kept"),
        )
        self.claim_years = _years(
            "hardship_claim_years",
            translate("privacy.retention_dialog", " years after the financial year"),
            translate(
                "privacy.retention_dialog",
                "Settled hardship claims: years kept after the financial year",
            ),
        )
        self.year_end_day = QSpinBox()
        self.year_end_day.setObjectName("yearEndDay")
        self.year_end_day.setRange(1, 31)
        self.year_end_day.setAccessibleName(
            translate("privacy.retention_dialog", "Financial year ends on: day")
        )
        self.year_end_month = QComboBox()
        self.year_end_month.setObjectName("yearEndMonth")
        # By index: month n is item n - 1, whatever the names are in the user's language.
        self.year_end_month.addItems(
            [translate("privacy.retention_dialog", month) for month in MONTHS]
        )
        self.year_end_month.setAccessibleName(
            translate("privacy.retention_dialog", "Financial year ends on: month")
        )
        for widget in (self.year_end_day, self.year_end_month):
            widget.setToolTip(REASONS["financial_year_end"])
        # What the database held when last read or saved: None if it could not be read.
        self.stored: Schedule | None = None
        self.version: int | None = None
        self.editable = True

    def rows(self) -> list[tuple[str, QWidget, str]]:
        """(label, field, reason) for each line of a form, in order (call it once: it builds
        the line holding the year end's day and month)."""
        year_end = QWidget()
        line = QHBoxLayout(year_end)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.year_end_day)
        line.addWidget(self.year_end_month)
        line.addStretch(1)
        return [
            (
                translate("privacy.retention_dialog", "Closed cases: erase"),
                self.case_years,
                REASONS["closed_case_years"],
            ),
            (
                translate("privacy.retention_dialog", "Lapsed and left members: anonymise"),
                self.member_years,
                REASONS["member_years"],
            ),
            (
                translate("privacy.retention_dialog", "Settled hardship claims: anonymise"),
                self.claim_years,
                REASONS["hardship_claim_years"],
            ),
            (translate("privacy.retention_dialog", "Financial year ends on"), year_end, ""),
        ]

    def fields(self) -> tuple[QWidget, ...]:
        return (
            self.case_years,
            self.member_years,
            self.claim_years,
            self.year_end_day,
            self.year_end_month,
        )

    def load(self) -> str:
        """Show the stored schedule; returns why it could not be read, or "" when it was."""
        try:
            schedule, self.version = load_schedule(self.db)
        except (StoreError, DBAPIError) as exc:
            self.stored = None
            self.show(DEFAULT_SCHEDULE)
            return translate(
                "privacy.retention_dialog", "The schedule could not be read: {error}"
            ).format(error=exc)
        self.stored = schedule
        self.show(schedule)
        return ""

    def show(self, schedule: Schedule) -> None:
        self.case_years.setValue(schedule.closed_case_years)
        self.member_years.setValue(schedule.member_years)
        self.claim_years.setValue(schedule.hardship_claim_years)
        self.year_end_day.setValue(schedule.financial_year_end_day)
        self.year_end_month.setCurrentIndex(schedule.financial_year_end_month - 1)

    def schedule(self) -> Schedule:
        return dataclasses.replace(
            self.stored or DEFAULT_SCHEDULE,
            closed_case_years=self.case_years.value(),
            member_years=self.member_years.value(),
            hardship_claim_years=self.claim_years.value(),
            financial_year_end_day=self.year_end_day.value(),
            financial_year_end_month=self.year_end_month.currentIndex() + 1,
        )

    def changed(self) -> bool:
        return self.schedule() != (self.stored or DEFAULT_SCHEDULE)

    def save(self) -> str:
        """Store the schedule shown if it differs from the stored one (nothing is written when
        it does not); returns "" when done, or what stopped it, to show."""
        if not self.changed():
            return ""
        schedule = self.schedule()
        try:
            self.version = save_schedule(self.db, schedule, self.version)
        except AccessDenied as exc:
            why = translate("privacy.retention_dialog", "{refusal} {rule}").format(
                refusal=sentence(str(exc)),
                rule=translate("privacy.retention_dialog", SECRETARY_ONLY),
            )
            self.show(self.stored or DEFAULT_SCHEDULE)
            self.lock(why)
            return why
        except StaleEdit:
            # Show what the other officer stored, so the next save starts from it.
            self.load()
            return translate("privacy.retention_dialog", STALE_RELOADED)
        except (StoreError, DBAPIError) as exc:
            return sentence(str(exc))
        self.stored = schedule
        return ""

    def lock(self, reason: str) -> None:
        """Show the schedule but let nobody change it, saying why on each field."""
        self.editable = False
        for box in (self.case_years, self.member_years, self.claim_years, self.year_end_day):
            box.setReadOnly(True)
            box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        # A list cannot be read-only: greyed out, it still shows the month.
        self.year_end_month.setEnabled(False)
        for widget, key in (
            (self.case_years, "closed_case_years"),
            (self.member_years, "member_years"),
            (self.claim_years, "hardship_claim_years"),
            (self.year_end_day, "financial_year_end"),
            (self.year_end_month, "financial_year_end"),
        ):
            widget.setToolTip(f"{reason}\n\n{REASONS[key]}")


class SecondOfficerDialog(QDialog):
    """Another officer's name and password, to confirm erasing several records at once."""

    def __init__(self, names: list[str], count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("secondOfficerDialog")
        self.setWindowTitle(translate("privacy.retention_dialog", "Second officer"))
        intro = QLabel(
            translate(
                "privacy.retention_dialog",
                "Erasing {records} at once needs a second officer. Ask another "
                "officer to choose their name and type their password. They are not signed in; "
                "both of you are named in the audit log.",
            ).format(records=_records(count))
        )
        intro.setWordWrap(True)
        self.name = QComboBox()
        self.name.setObjectName("secondOfficerName")
        self.name.setEditable(True)
        self.name.addItems(names)
        self.name.setCurrentIndex(-1)
        self.password = password_edit("secondOfficerPassword")
        self.message = message_label()
        form = QFormLayout()
        form.addRow(translate("privacy.retention_dialog", "Officer"), self.name)
        form.addRow(translate("privacy.retention_dialog", "Password"), self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(translate("privacy.retention_dialog", "Confirm"))
        self.ok_button.setObjectName("confirmButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        # Wide enough first, so the wrapped words get the height they need.
        intro.setMinimumWidth(440)
        intro.setMinimumHeight(intro.heightForWidth(440))

    def accept(self) -> None:
        if not self.name.currentText().strip() or not self.password.text():
            show_message(
                self.message,
                translate(
                    "privacy.retention_dialog",
                    "Choose the second officer and type their password.",
                ),
            )
            return
        super().accept()


class RetentionDialog(QDialog):
    """The retention review, for the branch secretary."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.setObjectName("retentionDialog")
        self.setWindowTitle(translate("privacy.retention_dialog", "Retention review"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.items: list[DueItem] = []
        self.last_result: ErasureResult | None = None
        self.allowed = may(ctx.db, Area.PRIVACY, WRITE)
        self._build()
        self.resize(1100, 720)
        self.load_schedule()
        self.reload()

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        heading = QLabel(translate("privacy.retention_dialog", "Retention review"))
        heading.setObjectName("tabHeading")
        subheading = _reason(
            translate(
                "privacy.retention_dialog",
                "Records are kept no longer than the branch's schedule says. Closed cases are "
                "erased with their notes and documents; lapsed members and settled hardship "
                "claims are anonymised, so the fund's ledger still adds up. An erasure cannot be "
                "undone, and the audit log records it without any of what was erased.",
            )
        )
        self.banner = QLabel()
        self.banner.setObjectName("loadBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(subheading)
        layout.addWidget(self.banner)
        layout.addWidget(self._build_schedule())
        layout.addWidget(self._build_list(), 1)

        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        layout.addWidget(self.result_label)

        self.erase_button = QPushButton(
            translate("privacy.retention_dialog", "Erase chosen records…")
        )
        self.erase_button.setObjectName("eraseButton")
        self.erase_button.setToolTip(
            translate(
                "privacy.retention_dialog",
                "Erase or anonymise the ticked records, after you confirm (and a second officer, "
                "for more than one)",
            )
        )
        self.erase_button.clicked.connect(lambda _c=False: self.erase_chosen())
        self.close_button = QPushButton(translate("privacy.retention_dialog", "Close"))
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(lambda _c=False: self.reject())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.erase_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        if not self.allowed:
            self._refuse(refusal(self.ctx.db.principal, Area.PRIVACY, WRITE))

    def _build_schedule(self) -> QGroupBox:
        box = QGroupBox(
            translate("privacy.retention_dialog", "Retention schedule (the branch's, on every PC)")
        )
        box.setObjectName("scheduleBox")
        # The same boxes, and the same saving, as Edit › Preferences.
        self.editor = ScheduleEditor(self.ctx.db, self)
        self.case_years = self.editor.case_years
        self.member_years = self.editor.member_years
        self.claim_years = self.editor.claim_years
        self.year_end_day = self.editor.year_end_day
        self.year_end_month = self.editor.year_end_month

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for label, field, reason in self.editor.rows():
            if not reason:
                form.addRow(label, field)
                continue
            row = QHBoxLayout()
            # One width for all three, so their reasons line up.
            field.setFixedWidth(260)
            row.addWidget(field)
            row.addWidget(_reason(reason), 1)
            form.addRow(label, row)

        self.schedule_message = message_label()
        self.save_schedule_button = QPushButton(
            translate("privacy.retention_dialog", "Save schedule")
        )
        self.save_schedule_button.setObjectName("saveScheduleButton")
        self.save_schedule_button.setToolTip(
            translate(
                "privacy.retention_dialog",
                "Keep this schedule for the whole branch "
                "(it can also be changed in Edit › Preferences)",
            )
        )
        self.save_schedule_button.clicked.connect(lambda _c=False: self.save_schedule())
        self.defaults_button = QPushButton(translate("privacy.retention_dialog", "Defaults"))
        self.defaults_button.setObjectName("defaultsButton")
        self.defaults_button.setToolTip(
            translate(
                "privacy.retention_dialog", "Put the periods BranchDesk suggests back in the form"
            )
        )
        self.defaults_button.clicked.connect(lambda _c=False: self.show_schedule(DEFAULT_SCHEDULE))
        buttons = QHBoxLayout()
        buttons.addWidget(self.schedule_message, 1)
        buttons.addStretch(1)  # the message is hidden most of the time
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.save_schedule_button)

        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addLayout(buttons)
        return box

    def _build_list(self) -> QWidget:
        box = QGroupBox(translate("privacy.retention_dialog", "Due now"))
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.all_button = QPushButton(translate("privacy.retention_dialog", "Tick all"))
        self.all_button.setObjectName("tickAllButton")
        self.all_button.setToolTip(
            translate("privacy.retention_dialog", "Tick every record due, to erase them all")
        )
        self.all_button.clicked.connect(lambda _c=False: self.tick_all(True))
        self.none_button = QPushButton(translate("privacy.retention_dialog", "Tick none"))
        self.none_button.setObjectName("tickNoneButton")
        self.none_button.setToolTip(
            translate("privacy.retention_dialog", "Untick every record, to choose a few")
        )
        self.none_button.clicked.connect(lambda _c=False: self.tick_all(False))
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.all_button)
        top.addWidget(self.none_button)

        self.model = DueModel(self)
        self.model.ticks_changed.connect(self._update_count)
        self.table = QTableView()
        self.table.setObjectName("dueTable")
        self.table.setAccessibleName(translate("privacy.retention_dialog", "Records due"))
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(200)  # sized by the first rows, not all of them
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.table)
        return box

    def _refuse(self, reason: str) -> None:
        """Say plainly why this officer may not, and leave nothing to click but Close."""
        self.allowed = False
        self.banner.setText(
            translate(
                "privacy.retention_dialog",
                "{refusal} The retention review is for the branch secretary alone: it "
                "names members who have left, and erasing cannot be undone.",
            ).format(refusal=sentence(reason))
        )
        self.banner.show()
        for widget in (
            self.erase_button,
            self.save_schedule_button,
            self.defaults_button,
            self.all_button,
            self.none_button,
            self.case_years,
            self.member_years,
            self.claim_years,
            self.year_end_day,
            self.year_end_month,
        ):
            widget.setEnabled(False)
        self._update_count()

    # -- the schedule --------------------------------------------------------------------------

    def load_schedule(self) -> None:
        show_message(self.schedule_message, self.editor.load())

    def show_schedule(self, schedule: Schedule) -> None:
        self.editor.show(schedule)

    def schedule(self) -> Schedule:
        return self.editor.schedule()

    def save_schedule(self) -> bool:
        message = self.editor.save()
        show_message(self.schedule_message, message)
        if message:
            return False
        self.reload()
        return True

    # -- the list ------------------------------------------------------------------------------

    def reload(self) -> None:
        if not self.allowed:
            self._fill([])
            return
        self.count_label.setText(translate("privacy.retention_dialog", "Reading what is due…"))
        today = self.today
        db = self.ctx.db
        self.ctx.worker.run(
            lambda: due(db, today),
            on_done=lambda items: self._fill(items),  # type: ignore[arg-type]
            on_error=self._load_failed,
        )

    def _load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, AccessDenied):
            self._refuse(str(exc))
            self._fill([])
            return
        self.ctx.dialogs.error(
            self,
            translate("privacy.retention_dialog", "Retention review"),
            translate("privacy.retention_dialog", "What is due could not be read: {error}").format(
                error=exc
            ),
        )

    def _fill(self, items: list[DueItem]) -> None:
        self.items = list(items)
        self.model.set_items(self.items)

    def chosen(self) -> list[DueItem]:
        return self.model.chosen()

    def tick_all(self, ticked: bool) -> None:
        self.model.tick_all(ticked)

    def _update_count(self) -> None:
        if not self.allowed:
            self.count_label.setText("")
            return
        total = len(self.items)
        if not total:
            self.count_label.setText(
                translate("privacy.retention_dialog", "Nothing is due on {date}.").format(
                    date=short_date(self.today)
                )
            )
        else:
            self.count_label.setText(
                translate(
                    "privacy.retention_dialog", "{records} due on {date}; {ticked} ticked"
                ).format(
                    records=_records(total),
                    date=short_date(self.today),
                    ticked=f"{self.model.ticked_count:,}",
                )
            )
        busy = self.ctx.worker.busy
        ticked = self.model.ticked_count
        self.erase_button.setEnabled(self.allowed and ticked > 0 and not busy)
        for button in (self.all_button, self.none_button):
            button.setEnabled(self.allowed and bool(total))

    # -- erasing -------------------------------------------------------------------------------

    def erase_chosen(self) -> None:
        items = self.chosen()
        if not items or not self.allowed:
            return
        if len(items) > 1 and not self.ctx.db.sign_in_required:
            self.ctx.dialogs.error(
                self,
                translate("privacy.retention_dialog", "One at a time"),
                translate(
                    "privacy.retention_dialog",
                    "Erasing several records at once needs a second officer to confirm it, and "
                    "this database has no officers' accounts. Tick one record at a time.",
                ),
            )
            return
        lines = "\n".join(f"• {i.label}: {i.action}" for i in items[:8])
        more = (
            "\n"
            + translate("privacy.retention_dialog", "…and {n} more").format(n=f"{len(items) - 8:,}")
            if len(items) > 8
            else ""
        )
        if not self.ctx.dialogs.confirm(
            self,
            translate("privacy.retention_dialog", "Erase for good?"),
            translate(
                "privacy.retention_dialog",
                "{records} will be erased or anonymised:\n{lines}{more}\n\n"
                "This cannot be undone. Backups taken before today still hold them until they "
                "are rotated out.",
            ).format(records=_records(len(items)), lines=lines, more=more),
            yes=translate("privacy.retention_dialog", "Erase"),
        ):
            return
        second, password = "", ""
        if len(items) > 1:
            names = self._other_officers()
            dialog = SecondOfficerDialog(names, len(items), self)
            try:
                if not self.ctx.dialogs.run_dialog(dialog):
                    return
                second, password = dialog.name.currentText().strip(), dialog.password.text()
            finally:
                dialog.deleteLater()
        db, today = self.ctx.db, self.today

        def work(progress: Progress) -> ErasureResult:
            return erase(
                db,
                items,
                today,
                second_officer=second,
                second_password=password,
                progress=progress,
            )

        self.erase_button.setEnabled(False)
        self.ctx.worker.run_with_progress(
            work,
            parent=self,
            title=translate("privacy.retention_dialog", "Retention review"),
            label=translate("privacy.retention_dialog", "Erasing {records}…").format(
                records=_records(len(items))
            ),
            on_done=self._erased,  # type: ignore[arg-type]
            on_error=self._erase_failed,
        )

    def _other_officers(self) -> list[str]:
        principal = self.ctx.db.principal
        try:
            rows = list_officers(self.ctx.db)
        except (StoreError, DBAPIError):
            return []
        return [
            r.name for r in rows if r.active and (principal is None or r.id != principal.officer_id)
        ]

    def _erased(self, result: ErasureResult) -> None:
        self.last_result = result
        self.result_label.setText(result.summary())
        self.result_label.show()
        if result.erased:
            self.ctx.changed(*CHANGED)
        self.reload()

    def _erase_failed(self, exc: BaseException) -> None:
        self._update_count()
        if isinstance(exc, SecondOfficerRefused):
            self.ctx.dialogs.error(
                self, translate("privacy.retention_dialog", "Not confirmed"), str(exc)
            )
        elif isinstance(exc, AccessDenied):
            self.ctx.dialogs.error(
                self, translate("privacy.retention_dialog", "Not allowed"), sentence(str(exc))
            )
            self._refuse(str(exc))
        elif isinstance(exc, (StoreError, DBAPIError)):
            self.ctx.dialogs.error(
                self,
                translate("privacy.retention_dialog", "Retention review"),
                translate(
                    "privacy.retention_dialog",
                    "The erasure stopped: {error}. Records already erased stay erased; the rest "
                    "are as they were.",
                ).format(error=exc),
            )
            self.reload()
        else:
            raise exc
