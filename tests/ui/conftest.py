"""The same set-up for every GUI test: offscreen Qt, a fresh database with four known members,
fresh preferences, folders in tmp_path, a scripted dialog service and a synchronous worker."""

from __future__ import annotations

import os

# Before Qt is imported anywhere: no window ever appears on a developer's screen or needs a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QWidget

from branchdesk.members.service import (
    MemberForm,
    create_member,
    member_id_by_number,
)
from branchdesk.settings import Preferences
from branchdesk.store.database import Database, open_database
from branchdesk.ui.context import AppContext
from branchdesk.ui.dialogs import DialogService
from branchdesk.ui.worker import Worker

KNOWN_MEMBERS = (
    MemberForm(
        membership_number="M001",
        first_name="Ada",
        last_name="Lowmoor",
        employer="Northmoor Borough Council",
        workplace="Town Hall",
        department="Finance",
        job_title="Accountant",
        date_joined=date(2015, 3, 1),
    ),
    MemberForm(
        membership_number="M002",
        first_name="Bob",
        last_name="Bramble",
        employer="Northmoor Borough Council",
        workplace="Riverside Depot",
        department="Waste",
        job_title="Driver",
        date_joined=date(2019, 7, 15),
        subs_up_to_date=False,
    ),
    MemberForm(
        membership_number="M003",
        first_name="Carol",
        last_name="Singer",
        employer="Kestrel Care Services Ltd",
        workplace="Willow Court",
        department="Care",
        job_title="Care Worker",
        date_joined=date(2021, 1, 4),
    ),
    MemberForm(
        membership_number="M004",
        first_name="Dan",
        last_name="Dare",
        status="lapsed",
    ),
)


@pytest.fixture(autouse=True)
def _own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences, window state, logs and default databases all go to tmp_path."""
    monkeypatch.setenv("BRANCHDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("BRANCHDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BRANCHDESK_DB", raising=False)


def add_known_members(db: Database) -> dict[str, int]:
    return {form.membership_number: create_member(db, form) for form in KNOWN_MEMBERS}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "t.sqlite3", officer="Test Officer")
    add_known_members(database)
    yield database
    database.dispose()


@pytest.fixture
def member_ids(db: Database) -> dict[str, int]:
    """The known members' ids by membership number."""
    found = {
        f.membership_number: member_id_by_number(db, f.membership_number) for f in KNOWN_MEMBERS
    }
    assert None not in found.values()
    return found  # type: ignore[return-value]


@pytest.fixture
def prefs(tmp_path: Path) -> Preferences:
    preferences = Preferences(tmp_path / "config" / "preferences.json")
    preferences.set("branch_name", "Test Branch")
    preferences.set("officer_name", "Test Officer")
    return preferences


class FakeDialogs(DialogService):
    """Answers every prompt from a script, and records what the user was told.

    `dialogs` holds one handler per custom dialog expected: it gets the dialog (shown, as
    exec() would) and works it like a person would, clicking Save, Import or Cancel.
    """

    def __init__(self) -> None:
        self.confirms: list[bool] = []
        self.open_files: list[Path | None] = []
        self.save_files: list[Path | None] = []
        self.dialogs: list[Callable[[Any], None]] = []
        self.shown: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.opened_folders: list[Path] = []
        # Set when pytest-qt closes the test's widgets: a "discard changes?" then is answered yes.
        self.tearing_down = False

    def _next(self, queue: list[Any], what: str, title: str) -> Any:
        if not queue:
            raise AssertionError(f"unexpected {what}: {title!r}")
        return queue.pop(0)

    def confirm(self, parent: QWidget | None, title: str, text: str, *, yes: str = "") -> bool:
        if self.tearing_down:
            return True
        self.shown.append(("confirm", title, text))
        return bool(self._next(self.confirms, "confirmation", title))

    def error(self, parent: QWidget | None, title: str, text: str, details: str = "") -> None:
        self.shown.append(("error", title, text))

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(("info", title, text))

    def open_file(
        self, parent: QWidget | None, title: str, filter: str, directory: str | Path = ""
    ) -> Path | None:
        self.shown.append(("open_file", title, filter))
        return self._next(self.open_files, "open-file dialog", title)

    def save_file(
        self, parent: QWidget | None, title: str, suggested: str | Path, filter: str
    ) -> Path | None:
        self.shown.append(("save_file", title, str(suggested)))
        return self._next(self.save_files, "save-file dialog", title)

    def run_dialog(self, dialog: QDialog) -> bool:
        handler = self._next(self.dialogs, "dialog", dialog.windowTitle())
        dialog.show()
        handler(dialog)
        accepted = dialog.result() == QDialog.DialogCode.Accepted
        dialog.hide()
        return accepted

    def open_folder(self, path: Path) -> bool:
        self.opened_folders.append(path)
        return True

    def closing(self, _widget: object = None) -> None:
        """For qtbot.addWidget(before_close_func=...)."""
        self.tearing_down = True

    def messages(self, kind: str) -> list[tuple[str, str]]:
        return [(title, text) for k, title, text in self.shown if k == kind]


@pytest.fixture
def dialogs() -> Iterator[FakeDialogs]:
    fake = FakeDialogs()
    yield fake
    fake.tearing_down = True


@pytest.fixture
def worker(qapp: Any) -> Iterator[Worker]:
    runner = Worker(synchronous=True)
    yield runner
    # A test must never leave a thread running behind it.
    assert runner.wait_for_done(10_000)
    assert not runner.busy


@pytest.fixture
def ctx(db: Database, prefs: Preferences, dialogs: FakeDialogs, worker: Worker) -> AppContext:
    return AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=worker)


@pytest.fixture
def window(qtbot: Any, ctx: AppContext) -> Any:
    from branchdesk.ui.main_window import MainWindow

    main = MainWindow(ctx)
    qtbot.addWidget(main, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    main.show()
    qtbot.waitExposed(main)
    # The registers are built just after the first paint; tests start once they are there.
    qtbot.waitUntil(lambda: main.registers_built and not main.loading_pages)
    return main
