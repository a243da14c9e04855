"""Help menu: About BranchDesk, and Where is my data?"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from branchdesk import __version__
from branchdesk.settings import config_dir, data_dir, log_dir
from branchdesk.store.database import Database
from branchdesk.ui.dialogs import DialogService


def data_folder(db: Database) -> Path:
    """The folder to open for the user: where the database file is, else the data folder."""
    return db.path.parent if db.path is not None else data_dir()


def about_text(db: Database) -> str:
    where = html.escape(db.display_name)
    kept = (
        f"on this computer, in<br><code>{where}</code>"
        if db.path is not None
        else f"in your branch's shared database,<br><code>{where}</code>"
    )
    return (
        f"<h3>BranchDesk {html.escape(__version__)}</h3>"
        "<p>Casework, negotiating demands, outsourcing watch and hardship fund for the "
        "officials of a trade union branch.</p>"
        "<p>Free software under the GNU General Public License, version 3 or later "
        "(GPL-3.0-or-later). It comes with no warranty.</p>"
        f"<p><b>Your data</b> is kept {kept}.<br>"
        "BranchDesk does not send it anywhere. Use File › Back up to keep a copy safe.</p>"
    )


def _path_label(path: Path | str) -> QLabel:
    label = QLabel(str(path))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setMinimumWidth(420)
    return label


class DataLocationDialog(QDialog):
    """Where the database, backups, preferences and logs are, with a button to open the folder."""

    def __init__(self, db: Database, dialogs: DialogService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.dialogs = dialogs
        self.folder = data_folder(db)
        self.setWindowTitle("Where is my data?")
        self.setMinimumWidth(620)

        intro = QLabel(
            "Everything BranchDesk keeps is in one database. Backups taken before an upgrade "
            "or a restore are kept in the same folder as the database."
        )
        intro.setWordWrap(True)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.database_label = _path_label(db.display_name)
        self.database_label.setObjectName("databasePath")
        form.addRow("Database", self.database_label)
        self.folder_label = _path_label(self.folder)
        self.folder_label.setObjectName("dataFolder")
        form.addRow("Data folder", self.folder_label)
        form.addRow("Preferences", _path_label(config_dir()))
        form.addRow("Log files", _path_label(log_dir()))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton(
            "Open data folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.setObjectName("openFolderButton")
        self.open_button.setToolTip(f"Open {self.folder} in your file manager")
        self.open_button.clicked.connect(self.open_folder)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def open_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.dialogs.open_folder(self.folder):
            self.dialogs.error(self, "Where is my data?", f"Could not open {self.folder}.")
