"""A member's cases in their dialog, and Edit › Deadline rules…, worked as a person would."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate
from ui_helpers import click, double_click_row, type_into

from branchdesk.casework.deadlines import AppealWindow, DeadlineRules, appeal_deadline
from branchdesk.casework.queries import get_case
from branchdesk.casework.rules_store import load_rules, save_rules
from branchdesk.casework.service import CaseForm, case_id_by_reference, move_stage, open_case
from branchdesk.members.service import get_member
from branchdesk.store.database import Database
from branchdesk.ui.casework.rules_dialog import DeadlineRulesDialog, describe_rule_error
from branchdesk.ui.context import AppContext
from branchdesk.ui.members.member_dialog import MemberDialog
from branchdesk.ui.members.members_tab import MembersTab

pytestmark = pytest.mark.timeout(60)

COUNCIL = "Northmoor Borough Council"


@pytest.fixture
def two_cases(db: Database) -> tuple[int, int]:
    """Ada (M001) has a grievance opened in March and a disciplinary opened in May."""
    first = open_case(
        db, CaseForm(membership_number="M001", case_type="grievance", opened_on=date(2026, 3, 2))
    )
    second = open_case(
        db,
        CaseForm(membership_number="M001", case_type="disciplinary", opened_on=date(2026, 5, 9)),
    )
    first_id, second_id = case_id_by_reference(db, first), case_id_by_reference(db, second)
    assert first_id is not None and second_id is not None
    move_stage(
        db, second_id, "hearing_arranged", date(2026, 5, 20), get_case(db, second_id).version
    )
    return first_id, second_id


def _member_dialog(qtbot: Any, ctx: AppContext, member_id: int) -> MemberDialog:
    dialog = MemberDialog(ctx, member_id, get_member(ctx.db, member_id))
    qtbot.addWidget(dialog, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


# -- the member's cases --------------------------------------------------------------------------


def test_member_dialog_lists_every_case(
    qtbot: Any, ctx: AppContext, member_ids: dict[str, int], two_cases: tuple[int, int]
) -> None:
    first_id, second_id = two_cases
    d = _member_dialog(qtbot, ctx, member_ids["M001"])
    rows = d.case_texts()
    assert len(rows) == 2
    # Newest first, in words, dates as "9 May 2026".
    assert rows[0][1:] == ["Disciplinary", "Hearing arranged", "9 May 2026"]
    assert rows[1][1:] == ["Grievance", "Opened", "2 Mar 2026"]
    assert rows[0][0].startswith("C-2026-") and rows[0][0] != rows[1][0]
    assert d.case_ids == [second_id, first_id]
    assert d.cases_stack.currentWidget() is d.cases_table
    assert d.cases_count.text() == "2 cases"
    assert not d.open_case_button.isEnabled()  # nothing chosen yet


def test_member_with_no_cases_says_so(
    qtbot: Any, ctx: AppContext, member_ids: dict[str, int], two_cases: tuple[int, int]
) -> None:
    d = _member_dialog(qtbot, ctx, member_ids["M002"])
    assert d.case_texts() == []
    assert d.cases_stack.currentWidget() is d.no_cases_label
    assert d.no_cases_label.text() == "No cases"
    assert d.no_cases_label.isVisible()
    assert d.open_case_button.isHidden()


def test_double_click_asks_for_the_case_and_closes(
    qtbot: Any, ctx: AppContext, member_ids: dict[str, int], two_cases: tuple[int, int]
) -> None:
    first_id, _second_id = two_cases
    d = _member_dialog(qtbot, ctx, member_ids["M001"])
    with qtbot.waitSignal(d.case_requested, timeout=2000) as signal:
        double_click_row(qtbot, d.cases_table, 1)
    assert signal.args == [first_id]
    assert not d.isVisible()
    assert d.result() == d.DialogCode.Rejected  # nothing to save, nothing lost


def test_open_case_with_unsaved_changes_saves_them_first(
    qtbot: Any,
    ctx: AppContext,
    dialogs: Any,
    member_ids: dict[str, int],
    two_cases: tuple[int, int],
) -> None:
    _first_id, second_id = two_cases
    d = _member_dialog(qtbot, ctx, member_ids["M001"])
    type_into(qtbot, d.job_title, "Chief Accountant")

    # Cancel: the dialog stays open with what was typed, and no case is asked for.
    dialogs.confirms.append(False)
    with qtbot.assertNotEmitted(d.case_requested):
        d.cases_table.selectRow(0)
        click(qtbot, d.open_case_button)
    assert d.isVisible() and d.job_title.text() == "Chief Accountant"
    assert dialogs.messages("confirm")[-1][0] == "Save changes first?"

    # Save and open: saved, accepted, then the case.
    dialogs.confirms.append(True)
    with qtbot.waitSignal(d.case_requested, timeout=2000) as signal:
        click(qtbot, d.open_case_button)
    assert signal.args == [second_id]
    assert d.result() == d.DialogCode.Accepted
    assert get_member(ctx.db, member_ids["M001"]).job_title == "Chief Accountant"


def test_open_case_with_a_problem_in_the_form_stays_open(
    qtbot: Any,
    ctx: AppContext,
    dialogs: Any,
    member_ids: dict[str, int],
    two_cases: tuple[int, int],
) -> None:
    d = _member_dialog(qtbot, ctx, member_ids["M001"])
    type_into(qtbot, d.first_name, "")
    dialogs.confirms.append(True)
    with qtbot.assertNotEmitted(d.case_requested):
        double_click_row(qtbot, d.cases_table, 0)
    assert d.isVisible()
    assert d.error_text("first_name") == "Enter the member's first name."


def test_new_member_dialog_has_no_cases_box(qtbot: Any, ctx: AppContext) -> None:
    d = MemberDialog(ctx)
    qtbot.addWidget(d, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    assert not hasattr(d, "cases_table")
    assert d.case_ids == []


def test_members_tab_passes_the_case_on_once_the_dialog_has_closed(
    qtbot: Any,
    ctx: AppContext,
    dialogs: Any,
    member_ids: dict[str, int],
    two_cases: tuple[int, int],
) -> None:
    _first_id, second_id = two_cases
    tab = MembersTab(ctx)
    qtbot.addWidget(tab, before_close_func=dialogs.closing)
    tab.show()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 4, timeout=5000)
    assert tab.select_id(member_ids["M001"])

    seen: list[tuple[int, bool]] = []

    def work(dialog: MemberDialog) -> None:
        dialog.case_requested.connect(lambda _id: seen.append((_id, dialog.isVisible())))
        double_click_row(qtbot, dialog.cases_table, 0)

    dialogs.dialogs.append(work)
    with qtbot.waitSignal(tab.case_requested, timeout=2000) as signal:
        tab.edit_selected()
    assert signal.args == [second_id]
    assert seen == [(second_id, False)]


# -- the deadline rules dialog -------------------------------------------------------------------


@pytest.fixture
def rules_dialog(qtbot: Any, ctx: AppContext, dialogs: Any) -> DeadlineRulesDialog:
    dialog = DeadlineRulesDialog(ctx)
    qtbot.addWidget(dialog, before_close_func=dialogs.closing)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_rules_dialog_shows_the_shipped_rules(rules_dialog: DeadlineRulesDialog) -> None:
    d = rules_dialog
    shipped = DeadlineRules.defaults()
    assert "shared by everyone" in d.findChild(type(d.era_source), "rulesIntro").text()
    assert d.era_date.date().toPython() == shipped.era2025_six_month_from
    assert not d.era_not_in_force.isChecked()
    assert d.era_confirmed.isChecked() == shipped.era2025_confirmed
    assert d.era_source.text() == shipped.era2025_source
    text = d.claim_kinds.toPlainText()
    for rule in shipped.claim_kinds:
        assert rule.label in text
    assert "3 months less one day" in text and "Equality Act 2010 s.129(3)" in text
    assert d.default_days.value() == shipped.appeal_default.days
    assert d.default_working.isChecked() == shipped.appeal_default.working_days
    assert d.employer_rows == [] and not d.no_employers_label.isHidden()
    # Employers come from the database.
    row = d.add_employer_row()
    assert [row.employer.itemText(i) for i in range(row.employer.count())] == [
        "Kestrel Care Services Ltd",
        COUNCIL,
    ]


def test_rules_dialog_saves_the_era_date_and_an_employer_window(
    qtbot: Any, ctx: AppContext, rules_dialog: DeadlineRulesDialog
) -> None:
    d = rules_dialog
    d.era_date.setDate(QDate(2027, 4, 6))
    click(qtbot, d.era_confirmed)
    d.pages.setCurrentIndex(1)
    click(qtbot, d.add_employer_button)
    row = d.employer_rows[-1]
    row.employer.setCurrentIndex(row.employer.findText(COUNCIL))
    row.days.setValue(10)
    row.working.setChecked(False)
    type_into(qtbot, row.source, "Disciplinary Procedure 2025, para 12")
    with qtbot.waitSignal(ctx.events.data_changed, timeout=2000):
        click(qtbot, d.save_button)
    assert d.result() == d.DialogCode.Accepted

    rules, version = load_rules(ctx.db)
    assert version is not None
    assert rules.era2025_six_month_from == date(2027, 4, 6)
    assert rules.era2025_confirmed is True
    window, name = rules.appeal_window("northmoor  borough council")
    assert name == COUNCIL
    assert window == AppealWindow(10, False, "Disciplinary Procedure 2025, para 12")

    # The deadline engine uses the new window: 10 calendar days after a Friday letter.
    computed = appeal_deadline(rules, COUNCIL, date(2026, 6, 5))
    assert computed.rule == "appeal.employer"
    assert computed.due == date(2026, 6, 15)
    # Other employers still get the default.
    assert appeal_deadline(rules, "Kestrel Care Services Ltd", date(2026, 6, 5)).rule == (
        "appeal.default"
    )


def test_not_in_force_clears_the_era_date_and_rows_can_be_removed(
    qtbot: Any, ctx: AppContext, rules_dialog: DeadlineRulesDialog
) -> None:
    rules, version = load_rules(ctx.db)
    save_rules(ctx.db, rules.with_employer_window(COUNCIL, AppealWindow(7, True)), version)
    rules_dialog.reload()
    d = rules_dialog
    assert [r.employer.currentText() for r in d.employer_rows] == [COUNCIL]
    click(qtbot, d.era_not_in_force)
    assert not d.era_date.isEnabled()
    d.pages.setCurrentIndex(1)
    click(qtbot, d.employer_rows[0].remove)
    assert d.employer_rows == [] and d.employer_table.rowCount() == 0
    click(qtbot, d.save_button)
    saved, _ = load_rules(ctx.db)
    assert saved.era2025_six_month_from is None
    assert saved.appeals_by_employer == ()


def test_restore_defaults(qtbot: Any, ctx: AppContext, dialogs: Any) -> None:
    rules, version = load_rules(ctx.db)
    edited = rules.with_era2025(None, confirmed=True).with_employer_window(
        COUNCIL, AppealWindow(15, True, "policy")
    )
    save_rules(ctx.db, edited, version)
    d = DeadlineRulesDialog(ctx)
    qtbot.addWidget(d, before_close_func=dialogs.closing)
    d.show()
    assert d.era_not_in_force.isChecked() and len(d.employer_rows) == 1

    click(qtbot, d.restore_button)
    assert d.restored_note.isVisible()
    assert not d.era_not_in_force.isChecked() and d.employer_rows == []
    assert load_rules(ctx.db)[0] == edited  # nothing written before Save
    click(qtbot, d.save_button)
    assert d.result() == d.DialogCode.Accepted
    assert load_rules(ctx.db) == (DeadlineRules.defaults(), None)


def test_a_stale_save_is_refused_and_the_rules_reloaded(
    qtbot: Any, ctx: AppContext, dialogs: Any, rules_dialog: DeadlineRulesDialog
) -> None:
    d = rules_dialog
    # Another PC saves while this dialog is open.
    rules, version = load_rules(ctx.db)
    other = rules.with_employer_window("Kestrel Care Services Ltd", AppealWindow(14, False))
    save_rules(ctx.db, other, version)

    d.default_days.setValue(8)
    click(qtbot, d.save_button)
    assert d.isVisible() and d.result() != d.DialogCode.Accepted
    title, text = dialogs.messages("error")[-1]
    assert title == "Not saved: the deadline rules were changed"
    assert "changed by someone else" in text
    # The other PC's rules are shown, and nothing of ours was written.
    assert [r.employer.currentText() for r in d.employer_rows] == ["Kestrel Care Services Ltd"]
    assert d.default_days.value() == rules.appeal_default.days
    assert load_rules(ctx.db)[0] == other
    # A second try, against the version now shown, goes through.
    d.default_days.setValue(8)
    click(qtbot, d.save_button)
    assert d.result() == d.DialogCode.Accepted
    saved = load_rules(ctx.db)[0]
    assert saved.appeal_default.days == 8 and saved.appeals_by_employer == other.appeals_by_employer


def test_the_same_employer_twice_is_named_in_the_message(
    qtbot: Any, ctx: AppContext, dialogs: Any, rules_dialog: DeadlineRulesDialog
) -> None:
    d = rules_dialog
    d.pages.setCurrentIndex(1)
    for _ in range(2):
        click(qtbot, d.add_employer_button)
    d.employer_rows[1].employer.setCurrentIndex(d.employer_rows[1].employer.findText(COUNCIL))
    d.employer_rows[0].employer.setCurrentIndex(d.employer_rows[0].employer.findText(COUNCIL))
    click(qtbot, d.save_button)
    assert d.isVisible()
    title, text = dialogs.messages("error")[-1]
    assert title == "Not saved: a rule needs correcting"
    assert text == f"Appeal window for {COUNCIL}: listed twice; remove one of its rows"
    assert load_rules(ctx.db)[1] is None


def test_rule_errors_name_the_field_in_words() -> None:
    assert (
        describe_rule_error(
            ValueError(
                "appeals.by_employer['St John's Trust'].days must be from 1 to 365 days (got 0)"
            )
        )
        == "Appeal window for St John's Trust: days must be from 1 to 365 days (got 0)"
    )
    assert (
        describe_rule_error(
            ValueError('appeals.by_employer["St John\'s"].working_days must be true or false')
        )
        == "Appeal window for St John's: working days must be true or false"
    )
    assert describe_rule_error(ValueError("appeals.default.source must not be empty")) == (
        "Default appeal window: source must not be empty"
    )
    assert (
        describe_rule_error(ValueError("tribunal.era2025_six_month_from must be a date, not str"))
        == "Employment Rights Act 2025 start date: must be a date, not str"
    )


def test_a_validation_error_from_the_rules_is_shown(
    qtbot: Any,
    ctx: AppContext,
    dialogs: Any,
    rules_dialog: DeadlineRulesDialog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> DeadlineRules:
        raise ValueError("tribunal.era2025_six_month_from must be a date, not datetime")

    monkeypatch.setattr(DeadlineRules, "with_era2025", refuse)
    click(qtbot, rules_dialog.save_button)
    assert rules_dialog.isVisible()
    assert dialogs.messages("error")[-1] == (
        "Not saved: a rule needs correcting",
        "Employment Rights Act 2025 start date: must be a date, not datetime",
    )


def test_cancel_with_changes_asks_first(
    qtbot: Any, ctx: AppContext, dialogs: Any, rules_dialog: DeadlineRulesDialog
) -> None:
    d = rules_dialog
    click(qtbot, d.cancel_button)  # no changes: closes without asking
    assert d.result() == d.DialogCode.Rejected and not dialogs.messages("confirm")
    d.show()
    d.default_days.setValue(9)
    dialogs.confirms.append(False)
    click(qtbot, d.cancel_button)
    assert d.isVisible()
    assert dialogs.messages("confirm")[-1][0] == "Discard changes?"
    assert load_rules(ctx.db)[1] is None


# -- reached from the window ---------------------------------------------------------------------


def test_a_case_chosen_on_a_members_page_opens_on_the_cases_page(
    qtbot: Any, window: Any, dialogs: Any, member_ids: dict[str, int], two_cases: tuple[int, int]
) -> None:
    _first_id, second_id = two_cases
    casework = window.casework_tab
    qtbot.waitUntil(lambda: casework.members_tab.model.rowCount() == 4, timeout=5000)
    casework.show_members()
    assert casework.members_tab.select_id(member_ids["M001"])
    dialogs.dialogs.append(lambda d: double_click_row(qtbot, d.cases_table, 0))
    casework.members_tab.edit_selected()
    qtbot.waitUntil(lambda: casework.pages.currentWidget() is casework.cases_page, timeout=5000)
    qtbot.waitUntil(lambda: casework.cases_page.selected_id() == second_id, timeout=5000)


def test_edit_menu_opens_the_deadline_rules(qtbot: Any, window: Any, dialogs: Any) -> None:
    seen: list[str] = []
    dialogs.dialogs.append(lambda d: seen.append(type(d).__name__))
    window.rules_action.trigger()
    assert seen == ["DeadlineRulesDialog"]
    assert window.rules_action in window._edit_menu.actions()
