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
from branchdesk.ui.i18n import translate


def data_folder(db: Database) -> Path:
    """The folder to open for the user: where the database file is, else the data folder."""
    return db.path.parent if db.path is not None else data_dir()


def about_text(db: Database) -> str:
    """The About box: version, licence, and where the data is kept."""
    where = html.escape(db.display_name)
    # Whole sentences, so a translator can put the place where the language wants it.
    kept = (
        translate(
            "help_dialogs",
            "<p><b>Your data</b> is kept on this computer, in<br><code>{where}</code>.<br>"
            "BranchDesk does not send it anywhere. Use File › Back up to keep a copy safe.</p>",
        )
        if db.path is not None
        else translate(
            "help_dialogs",
            "<p><b>Your data</b> is kept in your branch's shared database,<br>"
            "<code>{where}</code>.<br>"
            "BranchDesk does not send it anywhere. Use File › Back up to keep a copy safe.</p>",
        )
    ).format(where=where)
    return (
        translate("help_dialogs", "<h3>BranchDesk {version}</h3>").format(
            version=html.escape(__version__)
        )
        + translate(
            "help_dialogs",
            "<p>Casework, negotiating demands, outsourcing watch and hardship fund for the "
            "officials of a trade union branch.</p>",
        )
        + translate(
            "help_dialogs",
            "<p>Free software under the GNU General Public License, version 3 or later "
            "(GPL-3.0-or-later). It comes with no warranty.</p>",
        )
        + kept
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
        self.setWindowTitle(translate("help_dialogs", "Where is my data?"))
        self.setMinimumWidth(620)

        intro = QLabel(
            translate(
                "help_dialogs",
                "Everything BranchDesk keeps is in one database. Backups taken before an "
                "upgrade or a restore are kept in the same folder as the database.",
            )
        )
        intro.setWordWrap(True)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.database_label = _path_label(db.display_name)
        self.database_label.setObjectName("databasePath")
        form.addRow(translate("help_dialogs", "Database"), self.database_label)
        self.folder_label = _path_label(self.folder)
        self.folder_label.setObjectName("dataFolder")
        form.addRow(translate("help_dialogs", "Data folder"), self.folder_label)
        form.addRow(translate("help_dialogs", "Preferences"), _path_label(config_dir()))
        form.addRow(translate("help_dialogs", "Log files"), _path_label(log_dir()))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton(
            translate("help_dialogs", "Open data folder"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.setObjectName("openFolderButton")
        self.open_button.setToolTip(
            translate("help_dialogs", "Open {folder} in your file manager").format(
                folder=self.folder
            )
        )
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
            self.dialogs.error(
                self,
                translate("help_dialogs", "Where is my data?"),
                translate("help_dialogs", "Could not open {folder}.").format(folder=self.folder),
            )
