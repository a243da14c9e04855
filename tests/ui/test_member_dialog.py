"""The add/edit member dialog on its own: fields, validation beside the field, saving."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from ui_helpers import click, type_into

from branchdesk.members.service import get_member, member_id_by_number, update_member
from branchdesk.store import database
from branchdesk.store.database import Database, open_database
from branchdesk.ui.context import AppContext
from branchdesk.ui.members.member_dialog import MemberDialog

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def new_dialog(qtbot: Any, ctx: AppContext, dialogs: Any) -> MemberDialog:
    dialog = MemberDialog(ctx)
    qtbot.addWidget(dialog, before_close_func=dialogs.closing)
    dialog.show()
    # Focus checks need it to be the active window, which on a busy machine comes a little later.
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    return dialog


def test_new_member_is_saved_with_every_field(
    qtbot: Any, new_dialog: MemberDialog, db: Database
) -> None:
    d = new_dialog
    assert d.windowTitle() == "Add member"
    type_into(qtbot, d.membership_number, "M200")
    type_into(qtbot, d.first_name, "Grace")
    type_into(qtbot, d.last_name, "Hollybank")
    # Employers already known are offered; a workplace list follows the employer chosen.
    assert d.employer.findText("Northmoor Borough Council") >= 0
    type_into(qtbot, d.employer, "Northmoor Borough Council")
    assert d.workplace.findText("Riverside Depot") >= 0
    type_into(qtbot, d.workplace, "Riverside Depot")
    type_into(qtbot, d.department, "Fleet")
    type_into(qtbot, d.job_title, "Mechanic")
    type_into(qtbot, d.work_email, "grace@example.org")
    type_into(qtbot, d.personal_phone, "07700 900123")
    type_into(qtbot, d.home_address, "1 Example Street\nDemo Town")
    type_into(qtbot, d.notes, "Safety rep.")
    d.status.setCurrentIndex(d.status.findData("lapsed"))
    click(qtbot, d.date_unknown)
    click(qtbot, d.subs_up_to_date)  # untick
    click(qtbot, d.save_button)

    assert d.result() == d.DialogCode.Accepted
    member_id = member_id_by_number(db, "M200")
    assert member_id == d.member_id
    saved = get_member(db, member_id)
    assert (saved.first_name, saved.last_name) == ("Grace", "Hollybank")
    assert (saved.employer, saved.workplace) == ("Northmoor Borough Council", "Riverside Depot")
    assert saved.home_address == "1 Example Street\nDemo Town"
    assert saved.status == "lapsed"
    assert saved.date_joined is None
    assert saved.subs_up_to_date is False


def test_empty_name_shows_a_message_beside_the_field(
    qtbot: Any, new_dialog: MemberDialog, db: Database
) -> None:
    d = new_dialog
    type_into(qtbot, d.membership_number, "M201")
    type_into(qtbot, d.last_name, "Hollybank")
    assert d.error_text("first_name") == ""  # nobody is scolded before trying to save
    click(qtbot, d.save_button)
    assert d.isVisible() and d.result() != d.DialogCode.Accepted
    assert d.error_text("first_name") == "Enter the member's first name."
    assert d.error_labels["first_name"].isVisible()
    assert d.first_name.property("invalid") is True
    assert d.error_text("last_name") == ""
    assert d.first_name.hasFocus()
    assert member_id_by_number(db, "M201") is None
    # Putting it right clears the message as soon as it is typed.
    type_into(qtbot, d.first_name, "Grace")
    assert d.error_text("first_name") == ""
    click(qtbot, d.save_button)
    assert member_id_by_number(db, "M201") is not None


def test_a_bad_email_is_flagged_once_the_field_is_left(
    qtbot: Any, new_dialog: MemberDialog
) -> None:
    d = new_dialog
    d.work_email.setFocus()
    qtbot.keyClicks(d.work_email, "grace@")
    assert d.error_text("work_email") == ""  # still typing
    d.work_email.editingFinished.emit()
    assert "email address" in d.error_text("work_email")
    type_into(qtbot, d.work_email, "grace@example.org")
    assert d.error_text("work_email") == ""


def test_a_taken_number_is_shown_beside_the_number(qtbot: Any, new_dialog: MemberDialog) -> None:
    d = new_dialog
    type_into(qtbot, d.membership_number, "M001")
    type_into(qtbot, d.first_name, "Another")
    type_into(qtbot, d.last_name, "Person")
    click(qtbot, d.save_button)
    assert d.isVisible()
    assert "M001 is taken" in d.error_text("membership_number")
    type_into(qtbot, d.membership_number, "M999")
    assert d.error_text("membership_number") == ""


def test_edit_loads_the_member_and_stale_save_keeps_the_dialog_open(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, member_ids: dict[str, int]
) -> None:
    member_id = member_ids["M001"]
    d = MemberDialog(ctx, member_id, get_member(db, member_id))
    qtbot.addWidget(d, before_close_func=dialogs.closing)
    d.show()
    assert d.windowTitle() == "Edit member — Ada Lowmoor"
    assert d.employer.currentText() == "Northmoor Borough Council"
    assert d.workplace.currentText() == "Town Hall"
    assert d.date_joined.date().toPython() == date(2015, 3, 1)
    assert not d.date_unknown.isChecked()

    type_into(qtbot, d.job_title, "Senior Accountant")
    # Meanwhile another officer saves a change to the same member.
    theirs = get_member(db, member_id)
    theirs.department = "Audit"
    update_member(db, member_id, theirs)

    click(qtbot, d.save_button)
    assert d.isVisible() and d.result() != d.DialogCode.Accepted
    [(title, text)] = dialogs.messages("error")
    assert "changed" in title.lower() and "someone else" in text
    assert d.job_title.text() == "Senior Accountant"  # nothing typed is lost
    saved = get_member(db, member_id)
    assert (saved.job_title, saved.department) == ("Accountant", "Audit")


def test_cancel_with_changes_asks_first(qtbot: Any, new_dialog: MemberDialog, dialogs: Any) -> None:
    d = new_dialog
    type_into(qtbot, d.first_name, "Half-typed")
    dialogs.confirms.append(False)
    click(qtbot, d.cancel_button)
    assert d.isVisible()
    dialogs.confirms.append(True)
    click(qtbot, d.cancel_button)
    assert not d.isVisible()
    assert [k for k, _t, _x in dialogs.shown] == ["confirm", "confirm"]


def test_cancel_without_changes_just_closes(
    qtbot: Any, new_dialog: MemberDialog, dialogs: Any
) -> None:
    click(qtbot, new_dialog.cancel_button)
    assert not new_dialog.isVisible()
    assert dialogs.shown == []


@pytest.fixture
def quick_db(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The test database opened again, waiting only 0.3 s for another writer's lock."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    assert db.path is not None
    quick = open_database(db.path, officer="Test Officer")
    yield quick
    quick.dispose()


@pytest.mark.parametrize("editing", [False, True])
def test_save_while_another_program_writes_says_busy_and_keeps_what_was_typed(
    qtbot: Any,
    quick_db: Database,
    prefs: Any,
    dialogs: Any,
    worker: Any,
    caplog: pytest.LogCaptureFixture,
    editing: bool,
) -> None:
    ctx = AppContext(db=quick_db, preferences=prefs, dialogs=dialogs, worker=worker)
    member_id = member_id_by_number(quick_db, "M001") if editing else None
    form = get_member(quick_db, member_id) if member_id else None
    d = MemberDialog(ctx, member_id, form)
    qtbot.addWidget(d, before_close_func=dialogs.closing)
    d.show()
    type_into(qtbot, d.membership_number, "M321")
    type_into(qtbot, d.first_name, "Grace")
    type_into(qtbot, d.last_name, "Hollybank")
    type_into(qtbot, d.notes, "Private: off sick")

    assert quick_db.path is not None
    other = sqlite3.connect(quick_db.path)  # another BranchDesk, or an import, writing
    try:
        other.execute("BEGIN IMMEDIATE")
        with caplog.at_level(logging.DEBUG):
            click(qtbot, d.save_button)
    finally:
        other.rollback()
        other.close()

    assert d.isVisible() and d.result() != d.DialogCode.Accepted
    assert dialogs.messages("error") == [
        (
            "Not saved: the database is busy",
            "The database is busy (another BranchDesk or an import is writing). "
            "Nothing was saved; try again in a moment.",
        )
    ]
    assert (d.first_name.text(), d.notes.toPlainText()) == ("Grace", "Private: off sick")
    assert member_id_by_number(quick_db, "M321") is None
    # The log says which member and why, never what was typed.
    for value in ("M321", "Grace", "Hollybank", "off sick", "Lowmoor"):
        assert value not in caplog.text
    assert "OperationalError" in caplog.text

    click(qtbot, d.save_button)  # the lock is gone: the same dialog saves
    assert d.result() == d.DialogCode.Accepted
    assert member_id_by_number(quick_db, "M321") is not None
