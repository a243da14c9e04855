"""The look: Fusion with a calm light palette, readable type and a little room to breathe.

The palette is set explicitly rather than inherited from the desktop theme, so the app looks
the same on every office PC and a dark theme does not leave dark text on a dark table.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#1f5f8b"  # a sober blue for selection, headings and the default button
TEXT = "#1f2933"
MUTED = "#52606d"
ERROR = "#b42318"
# A passing problem the app is dealing with itself (a locked database it will read again).
WARNING_TEXT = "#7a4a00"
WARNING_BACKGROUND = "#fff7e0"
WARNING_BORDER = "#f0cf7a"
WINDOW = "#f4f6f8"
BASE = "#ffffff"
ALTERNATE = "#f0f4f8"
BORDER = "#cbd2d9"

STYLESHEET = f"""
QLabel#tabHeading {{
    font-size: 15pt;
    font-weight: 600;
    color: {ACCENT};
}}
QLabel#tabSubheading, QLabel#countLabel {{
    color: {MUTED};
}}
QLabel#fieldError {{
    color: {ERROR};
}}
QLabel#loadBanner {{
    color: {WARNING_TEXT};
    background: {WARNING_BACKGROUND};
    border: 1px solid {WARNING_BORDER};
    border-radius: 3px;
    padding: 6px 10px;
}}
QTabBar::tab {{
    padding: 8px 18px;
    margin-right: 2px;
    color: {MUTED};
    background: transparent;
    border: none;
    border-bottom: 3px solid transparent;
}}
QTabBar::tab:selected {{
    color: {ACCENT};
    border-bottom: 3px solid {ACCENT};
}}
QTabBar::tab:hover:!selected {{
    color: {TEXT};
    border-bottom: 3px solid {BORDER};
}}
QPushButton#primaryButton {{
    background: {ACCENT};
    color: white;
    border: 1px solid #174a6c;
    border-radius: 3px;
    padding: 5px 16px;
}}
QPushButton#primaryButton:hover {{
    background: #26709f;
}}
QPushButton#primaryButton:pressed {{
    background: #174a6c;
}}
QPushButton#primaryButton:disabled {{
    background: #9fb6c8;
    border-color: #9fb6c8;
}}
QFrame#tabHeader {{
    background: {BASE};
    border-bottom: 1px solid {BORDER};
}}
QTableView {{
    gridline-color: #e4e7eb;
    selection-background-color: {ACCENT};
    selection-color: white;
}}
QHeaderView::section {{
    background: #e9eef3;
    color: {TEXT};
    padding: 5px 6px;
    border: none;
    border-right: 1px solid {BORDER};
    border-bottom: 1px solid {BORDER};
    font-weight: 600;
}}
QPushButton {{
    padding: 5px 14px;
}}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{
    border: 1px solid {ERROR};
    border-radius: 2px;
    padding: 2px;
    background: #fff6f5;
}}
QStatusBar QLabel {{
    color: {MUTED};
    padding: 2px 6px;
}}
QStatusBar QLabel#locationWarning {{
    color: {ERROR};
}}
QGroupBox {{
    font-weight: 600;
    margin-top: 12px;
    padding-top: 8px;
}}
QGroupBox::title {{
    subcontrol-origin: margin;
    left: 8px;
    padding: 0 4px;
    color: {ACCENT};
}}
"""


def palette() -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BASE,
        QPalette.ColorRole.AlternateBase: ALTERNATE,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#e9eef3",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#fffbe6",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: "#7b8794",
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa5b1"))
    return pal


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(palette())
    font = QFont(app.font())
    font.setPointSize(10)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
