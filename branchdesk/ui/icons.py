"""The application's and the tabs' icons, from resources/icons (see branchdesk.resources).

Where the folder is missing (a plain wheel install) the icons are null and Qt shows none,
rather than failing to start.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from branchdesk.resources import resource_dir

ICONS_DIR = resource_dir() / "icons"
# The name Linux desktops know the icon and the .desktop file by (packaging/linux/).
APP_ID = "org.branchdesk.BranchDesk"
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Each tab title's icon; the member register alone (no casework) shares the case folder.
TAB_ICONS = {
    "Casework": "tab-casework",
    "Members": "tab-casework",
    "Negotiating demands": "tab-demands",
    "Outsourcing watch": "tab-outsourcing",
    "Hardship fund": "tab-hardship",
}


def icon_path(name: str) -> Path:
    return ICONS_DIR / f"{name}.svg"


def app_icon() -> QIcon:
    """The SVG, plus the rendered PNGs so title bars and task bars get crisp small sizes."""
    icon = QIcon()
    for size in APP_ICON_SIZES:
        png = ICONS_DIR / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        if png.is_file():
            icon.addFile(str(png), QSize(size, size))
    svg = icon_path("branchdesk")
    if svg.is_file():
        icon.addFile(str(svg))
    return icon


def tab_icon(title: str) -> QIcon:
    """The icon for a register's tab, or a null icon for a title without one."""
    name = TAB_ICONS.get(title)
    path = icon_path(name) if name else None
    return QIcon(str(path)) if path is not None and path.is_file() else QIcon()
