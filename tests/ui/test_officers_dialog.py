"""Officers › Officers…: the secretary adds officers, changes roles, resets passwords and
switches accounts off; Officers › Change my password…."""

from __future__ import annotations

from typing import Any

import pytest
from officer_helpers import OFFICERS, PASSWORD, add_officers, open_window, sign_in_as
from qt_checks import pseudo_translation, unnamed_inputs
from sqlalchemy import select
from ui_helpers import click, type_into

from branchdesk.access.officers import SignInFailed, list_officers, sign_in
from branchdesk.access.roles import Role
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.officers.officers_dialog import (
    AddOfficerDialog,
    ChangePasswordDialog,
    OfficersDialog,
    ResetPasswordDialog,
    RoleDialog,
)
from branchdesk.ui.officers.sign_in import SignInDialog

pytestmark = pytest.mark.timeout(120)

NEW_PASSWORD = "another fictional password"


@pytest.fixture
def secretary_window(qtbot: Any, ctx: AppContext, db: Database) -> Any:
    add_officers(db, "treasurer")
    return open_window(qtbot, ctx)


def _roles(db: Database) -> dict[str, str]:
    return {o.name: o.role.value for o in list_officers(db)}


def test_the_secretary_adds_a_caseworker_and_changes_a_role(
    qtbot: Any, secretary_window: Any, dialogs: Any, db: Database
) -> None:
    seen: dict[str, Any] = {}

    def add_caseworker(d: AddOfficerDialog) -> None:
        type_into(qtbot, d.name_edit, "Casey Example")
        d.role.choose(Role.CASEWORKER)
        seen["description"] = d.role.description.text()
        type_into(qtbot, d.new_password.password, PASSWORD)
        type_into(qtbot, d.new_password.again, PASSWORD)
        click(qtbot, d.save_button)

    def make_treasurer_a_negotiator(d: RoleDialog) -> None:
        assert d.windowTitle() == "Change role — Terry Example"
        assert d.role.role() is Role.TREASURER
        d.role.choose(Role.NEGOTIATOR)
        click(qtbot, d.save_button)

    def work_the_list(d: OfficersDialog) -> None:
        seen["before"] = d.column(0)
        assert not d.role_button.isEnabled()  # nobody chosen yet
        click(qtbot, d.add_button)
        seen["after"] = d.column(0)
        seen["selected"] = d.selected().name  # type: ignore[union-attr]
        d.select("Terry Example")
        click(qtbot, d.role_button)
        seen["roles"] = d.column(1)
        seen["signed_in"] = d.column(3)
        click(qtbot, d.close_button)

    dialogs.dialogs += [work_the_list, add_caseworker, make_treasurer_a_negotiator]
    secretary_window.officers_action.trigger()
    assert seen["before"] == ["Sam Example (you)", "Terry Example"]
    assert seen["after"] == ["Casey Example", "Sam Example (you)", "Terry Example"]
    assert seen["selected"] == "Casey Example"
    assert seen["description"].startswith("Members, and the cases they represent")
    assert seen["roles"] == ["Caseworker / rep", "Branch secretary", "Negotiator"]
    assert seen["signed_in"][0] == "Never" and seen["signed_in"][1] != "Never"
    assert _roles(db) == {
        "Casey Example": "caseworker",
        "Sam Example": "secretary",
        "Terry Example": "negotiator",
    }
    sign_in(db, "Casey Example", PASSWORD)  # the new account works
    with db.read(system=True) as session:
        changes = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "role_change")
        ).all()
    assert [(c.officer, c.change_map()["role"]) for c in changes] == [
        ("Sam Example", ["treasurer", "negotiator"])
    ]


def test_a_refusal_from_the_domain_is_shown_in_the_dialog(
    qtbot: Any, secretary_window: Any, dialogs: Any, db: Database
) -> None:
    said: dict[str, str] = {}

    def add_twice(d: AddOfficerDialog) -> None:
        type_into(qtbot, d.name_edit, "terry  example")  # the same account, however typed
        type_into(qtbot, d.new_password.password, PASSWORD)
        type_into(qtbot, d.new_password.again, PASSWORD)
        click(qtbot, d.save_button)
        said["add"] = d.message.text()
        d.reject()

    def demote_the_only_secretary(d: RoleDialog) -> None:
        d.role.choose(Role.AUDITOR)
        click(qtbot, d.save_button)
        said["role"] = d.message.text()
        d.reject()

    def work(d: OfficersDialog) -> None:
        click(qtbot, d.add_button)
        d.select("Sam Example (you)".removesuffix(" (you)"))
        click(qtbot, d.role_button)
        d.reject()

    dialogs.dialogs += [work, add_twice, demote_the_only_secretary]
    secretary_window.officers_action.trigger()
    assert said["add"] == "There is already an officer called terry example."
    assert said["role"].startswith("The branch needs at least one active secretary")
    assert _roles(db) == {"Sam Example": "secretary", "Terry Example": "treasurer"}


def test_reset_a_password_and_switch_an_account_off_and_on(
    qtbot: Any, secretary_window: Any, dialogs: Any, db: Database
) -> None:
    seen: dict[str, Any] = {}

    def new_password(d: ResetPasswordDialog) -> None:
        type_into(qtbot, d.new_password.password, NEW_PASSWORD)
        type_into(qtbot, d.new_password.again, NEW_PASSWORD)
        click(qtbot, d.save_button)

    def work(d: OfficersDialog) -> None:
        d.select("Sam Example")
        seen["own_switch"] = (d.active_button.isEnabled(), d.active_button.toolTip())
        d.select("Terry Example")
        click(qtbot, d.reset_button)
        assert d.active_button.text() == "Switch off"
        click(qtbot, d.active_button)
        seen["off"] = d.column(2)
        assert d.active_button.text() == "Switch on"
        click(qtbot, d.active_button)
        seen["on"] = d.column(2)
        d.reject()

    dialogs.dialogs += [work, new_password]
    dialogs.confirms.append(True)  # "Switch off Terry Example's account?"
    secretary_window.officers_action.trigger()
    assert seen["own_switch"] == (False, "You cannot switch off your own account.")
    assert seen["off"] == ["Active", "Switched off"]
    assert seen["on"] == ["Active", "Active"]
    assert dialogs.messages("confirm")[0][0] == "Switch off Terry Example's account?"
    assert dialogs.messages("info")[-1][0] == "Password set"
    with pytest.raises(SignInFailed):
        sign_in(db, "Terry Example", PASSWORD)
    assert sign_in(db, "Terry Example", NEW_PASSWORD).name == "Terry Example"


def test_change_my_password(qtbot: Any, secretary_window: Any, dialogs: Any, db: Database) -> None:
    said: list[str] = []

    def change(d: ChangePasswordDialog) -> None:
        type_into(qtbot, d.current, "not my password at all")
        type_into(qtbot, d.new_password.password, NEW_PASSWORD)
        type_into(qtbot, d.new_password.again, NEW_PASSWORD)
        click(qtbot, d.save_button)
        said.append(d.message.text())
        type_into(qtbot, d.current, PASSWORD)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(change)
    secretary_window.password_action.trigger()
    assert said == ["Your current password is not right."]
    assert dialogs.messages("info") == [
        ("Password changed", "Sign in with the new password from now on.")
    ]
    assert sign_in(db, "Sam Example", NEW_PASSWORD).name == "Sam Example"


def test_only_the_secretary_gets_the_officers_list(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    add_officers(db, "treasurer")
    sign_in_as(db, "treasurer")
    window = open_window(qtbot, ctx)
    assert not window.officers_action.isEnabled()
    assert window.officers_action.toolTip() == (
        "Only the branch secretary manages officers' accounts."
    )
    # Their own password and the lock are theirs to use.
    assert window.password_action.isEnabled() and window.lock_action.isEnabled()


def test_demoting_yourself_signs_you_out(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    add_officers(db, "treasurer")
    window = open_window(qtbot, ctx)
    treasurer = next(o for o in list_officers(db) if o.name == OFFICERS["treasurer"])
    from branchdesk.access.officers import set_role

    set_role(db, treasurer.id, "secretary")  # a second secretary, so the first may step down

    def step_down(d: RoleDialog) -> None:
        d.role.choose(Role.CASEWORKER)
        click(qtbot, d.save_button)

    def work(d: OfficersDialog) -> None:
        d.select("Sam Example")
        click(qtbot, d.role_button)
        d.reject()

    dialogs.dialogs += [work, step_down]
    window.officers_action.trigger()
    assert dialogs.messages("info")[-1][0] == "Your role has changed"
    assert db.principal is None
    assert isinstance(window.lock_dialog, SignInDialog)
    dialog = window.lock_dialog
    type_into(qtbot, dialog.name_edit, "Sam Example")
    type_into(qtbot, dialog.password, PASSWORD)
    click(qtbot, dialog.sign_in_button)
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    assert window.officer_label.text() == "Signed in: Sam Example · Caseworker / rep"
    assert not window.officers_action.isEnabled()


def test_every_input_has_a_name_for_screen_readers(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    add_officers(db, "treasurer")
    officer = next(o for o in list_officers(db) if o.name == OFFICERS["treasurer"])
    dialogs = [
        OfficersDialog(ctx),
        AddOfficerDialog(ctx),
        RoleDialog(ctx, officer),
        ResetPasswordDialog(ctx, officer),
        ChangePasswordDialog(ctx),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert unnamed_inputs(dialog) == [], dialog.windowTitle()
    assert dialogs[0].table.objectName() == "officersTable"


def test_the_list_speaks_through_the_translator(qtbot: Any, ctx: AppContext, db: Database) -> None:
    add_officers(db, "treasurer")
    with pseudo_translation():
        dialog = OfficersDialog(ctx)
        qtbot.addWidget(dialog)
        add = AddOfficerDialog(ctx)
        qtbot.addWidget(add)
    assert dialog.windowTitle() == "[Officers]"
    assert dialog.table.horizontalHeaderItem(3).text() == "[Last signed in]"
    assert dialog.column(0) == ["[Sam Example (you)]", "Terry Example"]
    assert dialog.column(2) == ["[Active]", "[Active]"]
    assert add.new_password.again.placeholderText() == "[the same again]"
