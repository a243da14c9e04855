"""Small pieces the Hardship fund pages and dialogs share: buttons, tables, money fields, the
link to the guide and the stack that shows an empty state in place of a list, the form dialog
base (casework's `CaseDialog`, with a fund's words for a stale edit), and the export runner."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from branchdesk.exports.text import short_date
from branchdesk.money import Money, MoneyError
from branchdesk.progress import Progress
from branchdesk.ui import style
from branchdesk.ui.casework.common import CaseDialog, date_edit
from branchdesk.ui.casework.exports import error_text
from branchdesk.ui.context import AppContext
from branchdesk.ui.empty_state import link_label, open_guide, set_link
from branchdesk.ui.i18n import translate

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
OK_STYLE = (
    "color: #1a7f37; background: #e7f6ec; border: 1px solid #9fd8b0; border-radius: 3px;"
    " padding: 6px 10px;"
)
BAD_STYLE = (
    f"color: {style.ERROR}; background: #fde8e6; border: 1px solid #f3b8b0; border-radius: 3px;"
    " padding: 6px 10px;"
)


def button(text: str, name: str, tip: str, primary: bool = False) -> QPushButton:
    widget = QPushButton(text)
    widget.setObjectName("primaryButton" if primary else name)
    if primary:
        widget.setProperty("role", name)
    widget.setToolTip(tip)
    widget.setAutoDefault(False)
    return widget


def row(*items: QWidget | int | None, spacing: int = 6) -> QHBoxLayout:
    """Widgets in a row; None is a stretch, an int a fixed gap."""
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for item in items:
        if item is None:
            layout.addStretch(1)
        elif isinstance(item, int):
            layout.addSpacing(item)
        else:
            layout.addWidget(item)
    return layout


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600;")
    return label


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("tabSubheading")
    label.setWordWrap(True)
    return label


GUIDE_SECTION = "hardship"


def guide_link_text() -> str:
    """The words of every link from the Hardship fund to its section of the guide."""
    return translate("hardship.widgets", "Read the guide: running a hardship fund")


def guide_link(owner: QWidget, section: str = GUIDE_SECTION) -> QLabel:
    """A link that opens the user guide at the Hardship fund's section."""
    label = link_label("guideLink")
    set_link(label, guide_link_text(), section)
    label.setToolTip(translate("hardship.widgets", "Open the user guide at the hardship fund"))
    label.linkActivated.connect(lambda href: open_guide(owner, href))
    return label


def empty_stack(empty: QWidget, view: QWidget) -> QStackedWidget:
    """The empty state (page 0) in place of the list (page 1)."""
    stack = QStackedWidget()
    stack.addWidget(empty)
    stack.addWidget(view)
    return stack


def table(
    name: str,
    headers: list[str],
    stretch: int,
    right: tuple[int, ...] = (),
    accessible_name: str = "",
) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
    widget.setObjectName(name)
    if accessible_name:
        widget.setAccessibleName(accessible_name)
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().hide()
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.setAlternatingRowColors(True)
    widget.setWordWrap(False)
    widget.setShowGrid(False)
    widget.verticalHeader().setDefaultSectionSize(widget.fontMetrics().height() + 10)
    header = widget.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)
        if column in right:
            item = widget.horizontalHeaderItem(column)
            item.setTextAlignment(RIGHT)
    return widget


def cell(text: str, data: object = None, right: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if right:
        item.setTextAlignment(RIGHT)
    if tip or len(text) > 30:
        item.setToolTip(tip or text)
    return item


def money_cell(value: Money | None, data: object = None) -> QTableWidgetItem:
    return cell("" if value is None else value.format(), data, right=True)


def date_cell(value: date | None, data: object = None) -> QTableWidgetItem:
    item = cell(short_date(value), data)
    if value is not None:
        item.setData(Qt.ItemDataRole.UserRole + 1, value.isoformat())
    return item


def selected_data(widget: QTableWidget) -> Any:
    """The data of the first cell of the selected row, or None."""
    rows = widget.selectionModel().selectedRows()
    if not rows:
        return None
    item = widget.item(rows[0].row(), 0)
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def set_widths(
    view: QTableView, widths: dict[str, int], columns: Any, stretch: str | None = None
) -> None:
    """Column widths in characters; `stretch` takes the room left (else the last column)."""
    char = view.fontMetrics().horizontalAdvance("0")
    header = view.horizontalHeader()
    bold = QFont(header.font())
    bold.setBold(True)  # headings are bold in the style sheet
    heading_width = QFontMetrics(bold).horizontalAdvance
    for i, column in enumerate(columns):
        width = widths.get(column.key, column.width or 12)
        header.resizeSection(i, max(width * char + 14, heading_width(column.header) + 24))
        if column.key == stretch:
            header.setStretchLastSection(False)
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)


# -- money typed into a form ---------------------------------------------------------------------


def day_edit(value: date | None = None) -> QDateEdit:
    """A date in a form, as wide as a date needs."""
    edit = date_edit(value)
    edit.setMaximumWidth(170)
    return edit


def money_line(text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAlignment(RIGHT)
    edit.setMaximumWidth(160)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def typed_money(
    edit: QLineEdit,
    name: str,
    errors: dict[str, str],
    required: str = "",
) -> Money | None:
    """The amount in `edit`; None when empty (an error, `required`, if it must be given) or
    unreadable (an error saying why)."""
    text = edit.text().strip()
    if not text:
        if required:
            errors[name] = required
        return None
    try:
        return Money.parse(text)
    except MoneyError as exc:
        errors[name] = sentence(str(exc))
        return None


def money_text(value: Money | None) -> str:
    return "" if value is None else value.format(symbol=False)


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:].rstrip(".") + "." if text else text


def numbers_in(text: str) -> list[str]:
    """Membership numbers pasted or typed: separated by spaces, commas, semicolons or lines;
    each once, in the order given."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,;]+", text):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)


# -- dialogs ---------------------------------------------------------------------------------------


class FormDialog(CaseDialog):
    """A Hardship fund form: problems beside their fields, and a stale edit explained in the
    fund's words (`what` is "claim", "fund"...), closing with `stale` set."""

    what = "record"

    def add_field(
        self, name: str, label: str, widget: QWidget, field: QWidget | None = None
    ) -> None:
        # A list keeps its own name: column widths are remembered by it, and the field's name
        # ("line", "entry") says little outside this form.
        own_name = widget.objectName() if isinstance(widget, QAbstractItemView) else ""
        super().add_field(name, label, widget, field)
        if own_name:
            widget.setObjectName(own_name)

    def add_field_to(
        self,
        layout: QFormLayout,
        name: str,
        label: str,
        widget: QWidget,
        field: QWidget | None = None,
    ) -> None:
        """`add_field`, onto another form layout of the dialog."""
        own = self.form_layout
        self.form_layout = layout
        try:
            self.add_field(name, label, widget, field)
        finally:
            self.form_layout = own


def run_dialog(ctx: AppContext, dialog: QDialog) -> bool:
    try:
        return ctx.dialogs.run_dialog(dialog)
    finally:
        dialog.deleteLater()


# -- exports ---------------------------------------------------------------------------------------


def default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


class Exporter(QObject):
    """Asks for a file, writes it in the background worker with a progress dialog, says where
    it went. One export at a time per page: `busy` while one runs."""

    def __init__(self, ctx: AppContext, parent: QWidget, on_busy: Callable[[bool], None]) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.on_busy = on_busy
        self.busy = False
        self._folder: Path | None = None

    def choose(
        self, title: str, suggested: str, filters: str, allowed: tuple[str, ...]
    ) -> Path | None:
        folder = self._folder or default_folder()
        path = self.ctx.dialogs.save_file(self.parent_widget, title, folder / suggested, filters)
        if path is None:
            return None
        if path.suffix.lower() not in allowed:
            if len(allowed) == 1:
                text = translate("hardship.widgets", "Choose a file name ending in {ending}.")
                text = text.format(ending=allowed[0])
            else:
                text = translate(
                    "hardship.widgets", "Choose a file name ending in {first} or {second}."
                ).format(first=allowed[0], second=allowed[-1])
            self.ctx.dialogs.error(
                self.parent_widget, translate("hardship.widgets", "Export"), text
            )
            return None
        self._folder = path.parent
        return path

    def start(self, run: Callable[[Progress], Any], title: str, path: Path, done_text: str) -> None:
        self._set_busy(True)

        def done(_result: object) -> None:
            self._set_busy(False)
            self.ctx.dialogs.info(
                self.parent_widget, translate("hardship.widgets", "Export finished"), done_text
            )

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.ctx.dialogs.error(
                self.parent_widget, translate("hardship.widgets", "Export failed"), error_text(exc)
            )

        self.ctx.worker.run_with_progress(
            run,
            parent=self.parent_widget,
            title=title,
            label=translate("hardship.widgets", "Writing {file}…").format(file=path.name),
            on_done=done,
            on_error=failed,
            on_cancelled=lambda: self._set_busy(False),
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.on_busy(busy)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "fund"
