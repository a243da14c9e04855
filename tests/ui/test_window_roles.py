"""The window follows the signed-in officer's role: tabs, greyed-out actions, who is shown as
signed in, refusals said plainly, and signing out for another officer."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from officer_helpers import OFFICERS, PASSWORD, add_officers, open_window, sign_in_as
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from ui_helpers import click, type_into

from branchdesk.members.service import MemberForm, create_member
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.errors import AccessDenied
from branchdesk.ui import exception_hook
from branchdesk.ui.context import AppContext
from branchdesk.ui.main_window import HARDSHIP_CHANGES, MainWindow
from branchdesk.ui.members.member_dialog import MemberDialog

pytestmark = pytest.mark.timeout(120)


def _tabs(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def _window_as(qtbot: Any, ctx: AppContext, db: Database, role: str) -> MainWindow:
    add_officers(db, *([role] if role != "secretary" else []))
    sign_in_as(db, role)
    return open_window(qtbot, ctx)


@pytest.mark.parametrize(
    ("role", "tabs"),
    [
        ("secretary", ["Casework", "Negotiating demands", "Outsourcing watch", "Hardship fund"]),
        ("caseworker", ["Casework"]),
        ("treasurer", ["Members", "Hardship fund"]),
        ("negotiator", ["Members", "Negotiating demands", "Outsourcing watch"]),
        ("auditor", ["Members", "Hardship fund"]),
    ],
)
def test_each_role_sees_the_registers_it_may_read(
    qtbot: Any, ctx: AppContext, db: Database, role: str, tabs: list[str]
) -> None:
    window = _window_as(qtbot, ctx, db, role)
    assert _tabs(window) == tabs
    assert window.officer_label.text().startswith(f"Signed in: {OFFICERS[role]} · ")
    # The member register is there for every role, inside Casework or on its own.
    qtbot.waitUntil(lambda: window.members_tab.model.rowCount() == 4, timeout=5000)


def test_a_treasurer_sees_the_hardship_fund_but_not_casework(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    window = _window_as(qtbot, ctx, db, "treasurer")
    assert "casework_tab" not in window.__dict__
    assert window.tabs.widget(1) is window.hardship_tab
    assert window.officer_label.text() == "Signed in: Terry Example · Treasurer"
    # Members: to read, not to change.
    members = window.members_tab
    for action in (members.add_action, members.import_action):
        assert not action.isEnabled()
        assert action.toolTip() == "Your role (Treasurer) does not include changing members."
    assert not members.add_button.isEnabled()  # the button follows its action
    assert members.export_action.isEnabled()
    # The fund is theirs to run.
    assert window.hardship_tab.new_fund_button.isEnabled()
    # The whole database, the deadline rules and the audit log are not.
    for action in (window.database_actions.backup_action, window.database_actions.restore_action):
        assert not action.isEnabled() and "branch secretary" in action.toolTip()
    assert not window.rules_action.isEnabled()
    assert not window.audit_action.isEnabled()
    assert window.audit_action.toolTip() == (
        "Your role (Treasurer) does not include seeing the audit log."
    )


def test_the_auditor_reads_the_fund_but_changes_nothing(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    window = _window_as(qtbot, ctx, db, "auditor")
    tab = window.hardship_tab
    reason = "Your role (Auditor) does not include changing the hardship fund."
    for page_name, names in HARDSHIP_CHANGES.items():
        page = getattr(tab, page_name) if page_name else tab
        for name in names:
            button = getattr(page, name)
            assert not button.isEnabled(), name
            assert button.toolTip() == reason, name
    # The tab's own code enabling a button (a claim chosen, say) does not bring it back.
    tab.new_fund_button.setEnabled(True)
    tab.refresh()
    assert not tab.new_fund_button.isEnabled()
    assert window.audit_action.isEnabled()


def test_a_refused_save_is_said_plainly(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    window = _window_as(qtbot, ctx, db, "negotiator")
    members = window.members_tab
    said: dict[str, str] = {}

    def edit(d: MemberDialog) -> None:
        said["cases"] = d.no_cases_label.text()
        type_into(qtbot, d.inputs["job_title"], "Team Leader")
        click(qtbot, d.save_button)
        d.reject()

    dialogs.dialogs.append(edit)
    dialogs.confirms.append(True)  # discard the change that was refused
    members.table.selectRow(0)
    members.edit_action.trigger()
    assert said["cases"] == "Cases are not shown: your role does not include casework."
    [(_title, text)] = dialogs.messages("error")
    assert text.startswith("Nina Example") and "which may not change members" in text
    with db.read(system=True) as session:
        denied = session.scalars(select(AuditEntry).where(AuditEntry.action == "denied")).all()
    assert [(d.officer, d.table_name) for d in denied][-1] == ("Nina Example", "members")


def test_an_unexpected_refusal_is_not_shown_as_a_fault(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    boxes: list[tuple[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        boxes.append((box.windowTitle(), box.text()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    try:
        raise AccessDenied("Terry Example signs in as treasurer, which may not see casework")
    except AccessDenied:
        exception_hook.handle_exception(*sys.exc_info())  # type: ignore[arg-type]
    assert boxes == [
        (
            "Not allowed for your role",
            "Terry Example signs in as treasurer, which may not see casework.",
        )
    ]


def test_sign_out_and_another_officer_signs_in(qtbot: Any, ctx: AppContext, db: Database) -> None:
    window = _window_as(qtbot, ctx, db, "treasurer")
    sign_in_as(db, "secretary")
    window.rebuild_registers()
    assert _tabs(window)[0] == "Casework"
    window.sign_out_action.trigger()
    assert db.principal is None and window.locked
    dialog = window.lock_dialog
    assert dialog is not None and dialog.cancel_button.text() == "Quit BranchDesk"
    type_into(qtbot, dialog.name_edit, OFFICERS["treasurer"])
    type_into(qtbot, dialog.password, PASSWORD)
    click(qtbot, dialog.sign_in_button)
    qtbot.waitUntil(lambda: not window.locked, timeout=10_000)
    assert _tabs(window) == ["Members", "Hardship fund"]
    assert window.officer_label.text() == "Signed in: Terry Example · Treasurer"
    qtbot.waitUntil(lambda: window.members_tab.model.rowCount() == 4, timeout=5000)
    # The member actions in the menus are the new tab's, once each.
    edit_texts = [a.text() for a in window._edit_menu.actions()]
    assert edit_texts.count("&Add member…") == 1
    with db.read(system=True) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.table_name == "officers")
        ).all()
    assert "sign_out" in actions and actions[-1] == "sign_in"


def test_the_window_on_a_database_without_accounts_is_unrestricted(window: MainWindow) -> None:
    assert window.officer_label.isHidden()
    assert window.members_tab.add_action.isEnabled()
    for action in (window.officers_action, window.lock_action, window.sign_out_action):
        assert not action.isEnabled()
        assert "no officers' accounts" in action.toolTip()
    assert not window.idle.active


def test_opening_another_database_asks_for_its_sign_in(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, tmp_path: Any
) -> None:
    window = _window_as(qtbot, ctx, db, "secretary")
    from branchdesk.store.database import open_database
    from branchdesk.ui.officers.sign_in import SignInDialog

    other_path = tmp_path / "other.sqlite3"
    other = open_database(other_path, officer="set-up")
    add_officers(other, "treasurer")
    create_member(other, MemberForm(membership_number="X1", first_name="Olive", last_name="Other"))
    other.dispose()

    def cancel(d: SignInDialog) -> None:
        assert d.cancel_button.text() == "Cancel"
        click(qtbot, d.cancel_button)

    def treasurer(d: SignInDialog) -> None:
        type_into(qtbot, d.name_edit, OFFICERS["treasurer"])
        type_into(qtbot, d.password, PASSWORD)
        click(qtbot, d.sign_in_button)

    dialogs.open_files += [other_path, other_path]
    dialogs.dialogs += [cancel, treasurer]
    window.database_actions.open_action.trigger()
    assert ctx.db is db  # cancelled: the database open before stays
    window.database_actions.open_action.trigger()
    assert ctx.db.path == other_path.resolve()
    assert _tabs(window) == ["Members", "Hardship fund"]
    qtbot.waitUntil(lambda: window.members_tab.model.rowCount() == 1, timeout=5000)


def test_no_sign_in_after_a_restore_closes_the_window(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, tmp_path: Any
) -> None:
    from branchdesk.ui.officers.sign_in import SignInDialog

    window = _window_as(qtbot, ctx, db, "secretary")
    backup = tmp_path / "backup.sqlite3"
    dialogs.save_files.append(backup)
    window.database_actions.backup_action.trigger()

    def cancel(d: SignInDialog) -> None:
        assert d.cancel_button.text() == "Cancel"
        click(qtbot, d.cancel_button)

    dialogs.open_files.append(backup)
    dialogs.confirms.append(True)
    dialogs.dialogs.append(cancel)
    window.database_actions.restore_action.trigger()
    assert not window.isVisible()


def test_a_caseworker_opens_a_case_as_its_rep_and_sees_it(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    from branchdesk.ui.casework.dialogs import OpenCaseDialog

    window = _window_as(qtbot, ctx, db, "caseworker")
    page = window.casework_tab.cases_page
    seen: dict[str, str] = {}

    def open_case(d: OpenCaseDialog) -> None:
        seen["rep"] = d.rep.text()  # the signed-in officer, not the PC's preference
        type_into(qtbot, d.member, "M001")
        d.case_type.setCurrentIndex(d.case_type.findText("Grievance"))
        type_into(qtbot, d.title, "Rota changes")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(open_case)
    click(qtbot, page.open_button)
    assert seen["rep"] == OFFICERS["caseworker"]
    assert not dialogs.messages("error")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
