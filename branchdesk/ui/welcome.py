"""The first start: no database yet, so BranchDesk asks what to do.

Three choices, each with a sentence saying what it does: try the demo branch (fictional data, in
a folder of its own, never remembered as the database to reopen), set up the branch's own
database (where to keep it is chosen here, the rest in the set-up dialog that follows), or open
a database that already exists. Backing out of the set-up comes back here; Quit quits.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from branchdesk.settings import Preferences, default_database_path, demo_database_path
from branchdesk.store.database import Database
from branchdesk.ui.dialogs import DialogService
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.icons import app_icon
from branchdesk.ui.officers.forms import message_label, show_message
from branchdesk.ui.style import ACCENT, BASE, BORDER, MUTED

DB_FILTER = QT_TRANSLATE_NOOP("welcome", "BranchDesk database (*.sqlite3);;All files (*)")

# The cards' look; only this dialog has them, so the style stays with it.
STYLE = f"""
QFrame#welcomeChoice {{
    background: {BASE};
    border: 1px solid {BORDER};
    border-radius: 6px;
}}
QLabel#welcomeHeading {{
    font-size: 18pt;
    font-weight: 600;
    color: {ACCENT};
}}
QLabel#choiceHeading {{
    font-size: 12pt;
    font-weight: 600;
    color: {ACCENT};
}}
QLabel#choiceText, QLabel#welcomeIntro {{
    color: {MUTED};
}}
QLabel#demoBadge {{
    color: #7a4a00;
    background: #fff7e0;
    border: 1px solid #f0cf7a;
    border-radius: 3px;
    padding: 1px 6px;
    font-weight: 600;
}}
"""


# The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


class Choice(StrEnum):
    DEMO = "demo"
    CREATE = "create"
    OPEN = "open"


@dataclass(frozen=True)
class Start:
    """What the welcome settled on: the database to open, whether it is the demo, and the
    database itself when the set-up has already made it (and signed the secretary in)."""

    path: Path
    demo: bool = False
    db: Database | None = None


class WelcomeDialog(QDialog):
    """The three first-start choices; `choice` and `path` say which was taken once accepted."""

    def __init__(
        self,
        dialogs: DialogService,
        parent: QWidget | None = None,
        *,
        location: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.choice: Choice | None = None
        self.path: Path | None = None
        self.setObjectName("welcomeDialog")
        self.setWindowTitle(translate("welcome", "Welcome to BranchDesk"))
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(680)

        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        icon.setFixedSize(72, 72)
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel(translate("welcome", "Welcome to BranchDesk"))
        heading.setObjectName("welcomeHeading")
        intro = QLabel(
            translate(
                "welcome",
                "Casework, negotiating demands, outsourcing watch and the hardship fund, kept "
                "on this computer. There is no database here yet: choose how to begin.",
            )
        )
        intro.setObjectName("welcomeIntro")
        intro.setWordWrap(True)
        titles = QVBoxLayout()
        titles.setSpacing(4)
        titles.addWidget(heading)
        titles.addWidget(intro)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(titles, 1)

        self.demo_button = QPushButton(translate("welcome", "Open the demo"))
        self.demo_button.setObjectName("demoButton")
        self.demo_button.setToolTip(
            translate("welcome", "Open the fictional demo branch, kept apart from real data")
        )
        self.demo_button.clicked.connect(self._demo)
        badge = QLabel(translate("welcome", "Fictional data"))
        badge.setObjectName("demoBadge")
        demo_card = _card(
            translate("welcome", "Try the demo branch"),
            translate(
                "welcome",
                "Look around a made-up branch first: every member, case, claim and payment in "
                "it is fictional. It is kept in a folder of its own and never mixes with your "
                "branch's data.",
            ),
            self.demo_button,
            badge,
        )

        self.location_edit = QLineEdit(str(location or default_database_path()))
        self.location_edit.setObjectName("databaseLocation")
        self.location_edit.setAccessibleName(translate("welcome", "Where to keep the database"))
        self.location_edit.setToolTip(
            translate(
                "welcome",
                "A folder on this computer: not a network drive or a cloud-sync folder, "
                "which can damage a database while it is being written",
            )
        )
        self.choose_button = QPushButton(translate("welcome", "Choose…"))
        self.choose_button.setObjectName("chooseLocation")
        self.choose_button.setToolTip(
            translate("welcome", "Choose the folder and file name for the new database")
        )
        self.choose_button.clicked.connect(self._choose_location)
        where_label = QLabel(translate("welcome", "Keep it in:"))
        where_label.setBuddy(self.location_edit)
        where = QHBoxLayout()
        where.setContentsMargins(0, 6, 0, 0)
        where.addWidget(where_label)
        where.addWidget(self.location_edit, 1)
        where.addWidget(self.choose_button)
        self.create_button = QPushButton(translate("welcome", "Create…"))
        self.create_button.setObjectName("primaryButton")
        self.create_button.setToolTip(
            translate("welcome", "Make the branch's database here, then set up your account")
        )
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._create)
        create_card = _card(
            translate("welcome", "Set up your branch"),
            translate(
                "welcome",
                "Start your branch's own database. Next you give the branch's name and yours, "
                "and choose the password you will sign in with.",
            ),
            self.create_button,
            where,
        )

        self.open_button = QPushButton(translate("welcome", "Open…"))
        self.open_button.setObjectName("openButton")
        self.open_button.setToolTip(
            translate("welcome", "Choose a BranchDesk database file to open")
        )
        self.open_button.clicked.connect(self._open)
        open_card = _card(
            translate("welcome", "Open an existing database"),
            translate(
                "welcome",
                "Your branch already uses BranchDesk: open its database, for example one "
                "moved here from another computer or restored from a backup.",
            ),
            self.open_button,
        )

        self.message = message_label()
        buttons = QDialogButtonBox()
        self.quit_button = buttons.addButton(
            translate("welcome", "Quit"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.quit_button.setToolTip(
            translate("welcome", "Close BranchDesk without opening anything")
        )
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addSpacing(4)
        layout.addWidget(demo_card)
        layout.addWidget(create_card)
        layout.addWidget(open_card)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.create_button.setFocus()

    # -- the choices -----------------------------------------------------------------------

    def _demo(self) -> None:
        self._take(Choice.DEMO, demo_database_path())

    def _choose_location(self) -> None:
        chosen = self.dialogs.save_file(
            self,
            translate("welcome", "Where to keep the database"),
            self.location_edit.text().strip() or default_database_path(),
            translate("welcome", DB_FILTER),
        )
        if chosen is not None:
            self.location_edit.setText(str(chosen))
            show_message(self.message, "")

    def _create(self) -> None:
        text = self.location_edit.text().strip()
        if not text:
            show_message(self.message, translate("welcome", "Choose where to keep the database."))
            self.location_edit.setFocus()
            return
        path = Path(text).expanduser()
        if not path.suffix:
            path = path.with_name(path.name + ".sqlite3")
        path = path.resolve()
        if path.is_dir() or (path.exists() and path.stat().st_size > 0):
            show_message(
                self.message,
                translate(
                    "welcome",
                    "There is already a file at {path}. Open it with Open…, or choose another "
                    "place for the new database.",
                ).format(path=path),
            )
            return
        from branchdesk.store.location import location_problem

        problem = location_problem(path)
        if problem is not None:
            show_message(self.message, problem)
            return
        self._take(Choice.CREATE, path)

    def _open(self) -> None:
        chosen = self.dialogs.open_file(
            self,
            translate("welcome", "Open a BranchDesk database"),
            translate("welcome", DB_FILTER),
        )
        if chosen is None:
            return
        problem = _not_openable(chosen)
        if problem is not None:
            show_message(self.message, problem)
            return
        self._take(Choice.OPEN, chosen)

    def _take(self, choice: Choice, path: Path) -> None:
        self.choice, self.path = choice, path
        self.accept()


def _not_openable(path: Path) -> str | None:
    """Why `path` cannot be opened as a database, said on the welcome (which stays), rather
    than after it has closed; None if it looks like one."""
    from branchdesk.store.keys import is_encrypted
    from branchdesk.store.location import location_problem

    problem = location_problem(path)
    if problem is not None or is_encrypted(path):
        return problem  # an encrypted one is told apart by its key file, not its first bytes
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        return translate("welcome", "{path} cannot be read ({why}).").format(
            path=path, why=exc.strerror or type(exc).__name__
        )
    if head != SQLITE_HEADER:
        return translate(
            "welcome",
            "{path} is not a BranchDesk database. Choose the database file itself, which "
            "ends in .sqlite3.",
        ).format(path=path)
    return None


def _card(
    title: str, text: str, button: QPushButton, extra: QWidget | QHBoxLayout | None = None
) -> QFrame:
    """A choice: its heading and sentence at the left, its button at the right."""
    card = QFrame()
    card.setObjectName("welcomeChoice")
    heading = QLabel(title)
    heading.setObjectName("choiceHeading")
    sentence = QLabel(text)
    sentence.setObjectName("choiceText")
    sentence.setWordWrap(True)
    grid = QGridLayout(card)
    grid.setContentsMargins(16, 12, 16, 12)
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(4)
    top = QHBoxLayout()
    top.setSpacing(8)
    top.addWidget(heading)
    if isinstance(extra, QWidget):
        top.addWidget(extra)
    top.addStretch(1)
    grid.addLayout(top, 0, 0)
    grid.addWidget(sentence, 1, 0)
    if isinstance(extra, QHBoxLayout):
        grid.addLayout(extra, 2, 0, 1, 2)  # under the button too: room for a long path
    button.setMinimumWidth(130)
    grid.addWidget(button, 0, 1, 2, 1, Qt.AlignmentFlag.AlignVCenter)
    grid.setColumnStretch(0, 1)
    return card


def welcome(prefs: Preferences, dialogs: DialogService) -> Start | None:
    """Ask how to begin, and set up a new database if that is the choice; None to quit.

    Backing out of the set-up shows the welcome again, with the place chosen kept.
    """
    from branchdesk.ui.officers.sign_in import set_up_new_database

    location: Path | None = None
    while True:
        dialog = WelcomeDialog(dialogs, location=location)
        try:
            if not dialogs.run_dialog(dialog) or dialog.choice is None or dialog.path is None:
                return None
            choice, path = dialog.choice, dialog.path
        finally:
            dialog.deleteLater()
        if choice is Choice.DEMO:
            return Start(path, demo=True)
        if choice is Choice.OPEN:
            return Start(path)
        location = path
        db = set_up_new_database(path, prefs, dialogs, back=True)
        if db is not None:
            return Start(path, db=db)
