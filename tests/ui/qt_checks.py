"""Checks the dialogs' tests share: `unnamed_inputs`, the input controls a screen reader has
no name for, and `pseudo_translation`, a translator that brackets every text, to show that a
dialog's words go through Qt's translator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSlider,
    QTextEdit,
    QWidget,
)

INPUTS = (
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QCheckBox,
    QRadioButton,
    QSlider,
    QAbstractItemView,
)


def unnamed_inputs(root: QWidget) -> list[str]:
    """The input controls under `root` a screen reader reads no name for, by type and name.

    The parts of a control (a spin box's line edit, a combo box's list, a table's headers)
    are the control's own, so only controls not inside another are looked at.
    """
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS):
            continue
        parent = widget.parentWidget()
        while parent is not None and parent is not root and not isinstance(parent, INPUTS):
            parent = parent.parentWidget()
        if parent is not None and parent is not root:
            continue
        accessible = QAccessible.queryAccessibleInterface(widget)
        if not accessible.text(QAccessible.Text.Name).strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


class _Brackets(QTranslator):
    """Every text "in translation" is the English in brackets: untranslated text stands out."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return f"[{source}]"

    def isEmpty(self) -> bool:
        return False


@contextmanager
def pseudo_translation() -> Iterator[None]:
    translator = _Brackets()
    QCoreApplication.installTranslator(translator)
    try:
        yield
    finally:
        QCoreApplication.removeTranslator(translator)
