"""Working forms the way a person does: click into a field, type, click a button."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableView

LEFT = Qt.MouseButton.LeftButton


def type_into(qtbot: Any, widget: Any, text: str, replace: bool = True) -> None:
    """Type into a line edit, an editable combo box or a text box, then leave the field."""
    target = widget.lineEdit() if isinstance(widget, QComboBox) else widget
    target.setFocus()
    if replace and isinstance(target, (QLineEdit, QPlainTextEdit)):
        target.selectAll()
        qtbot.keyClick(target, Qt.Key.Key_Delete)
    for n, line in enumerate(text.split("\n")):
        if n:
            qtbot.keyClick(target, Qt.Key.Key_Return)  # QTest cannot type "\n" itself
        qtbot.keyClicks(target, line)
    if isinstance(target, QLineEdit):
        target.editingFinished.emit()  # as when the user tabs out of the field


def click(qtbot: Any, button: QAbstractButton) -> None:
    assert button.isEnabled(), f"{button.text()!r} is disabled"
    qtbot.mouseClick(button, LEFT)


def row_position(table: QTableView, row: int, column: int = 1) -> QPoint:
    return table.visualRect(table.model().index(row, column)).center()


def double_click_row(qtbot: Any, table: QTableView, row: int) -> None:
    table.scrollTo(table.model().index(row, 0))
    pos = row_position(table, row)
    qtbot.mouseClick(table.viewport(), LEFT, pos=pos)
    qtbot.mouseDClick(table.viewport(), LEFT, pos=pos)


def click_header(qtbot: Any, table: QTableView, column: int) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))


def column_texts(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]
