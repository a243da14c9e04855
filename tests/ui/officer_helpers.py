"""Officers' accounts for GUI tests: a branch with one officer of each role (all fictional)."""

from __future__ import annotations

from typing import Any

from branchdesk.access.officers import add_officer, create_first_officer, sign_in
from branchdesk.access.principal import Principal
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext

PASSWORD = "a fictional long password"
OFFICERS = {
    "secretary": "Sam Example",
    "caseworker": "Casey Example",
    "treasurer": "Terry Example",
    "negotiator": "Nina Example",
    "auditor": "Alex Example",
}


def add_officers(db: Database, *roles: str) -> None:
    """The secretary's account (signed in), then one officer of each role asked for."""
    create_first_officer(db, OFFICERS["secretary"], PASSWORD)
    for role in roles:
        add_officer(db, OFFICERS[role], role, PASSWORD)


def sign_in_as(db: Database, role: str) -> Principal:
    return sign_in(db, OFFICERS[role], PASSWORD)


def open_window(qtbot: Any, ctx: AppContext) -> Any:
    """The main window as the `window` fixture builds it, for whoever is signed in."""
    from branchdesk.ui.main_window import MainWindow

    main = MainWindow(ctx)
    qtbot.addWidget(main, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    main.show()
    qtbot.waitExposed(main)
    qtbot.waitUntil(lambda: main.registers_built and not main.loading_pages)
    return main
