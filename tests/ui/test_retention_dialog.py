"""Tools › Retention review: the schedule, the list of what is due, erasing one record, erasing
several with a second officer, and the refusal another role sees."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from qt_checks import pseudo_translation, unnamed_inputs
from sqlalchemy import select
from ui_helpers import click, column_texts, type_into

from branchdesk.access import officers
from branchdesk.access.roles import Role
from branchdesk.casework.models import Case
from branchdesk.casework.service import CaseForm, case_id_by_reference, close_case, open_case
from branchdesk.privacy.retention import load_schedule
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.main_window import MainWindow
from branchdesk.ui.privacy.retention_dialog import RetentionDialog, SecondOfficerDialog

pytestmark = pytest.mark.timeout(60)

TODAY = date(2025, 1, 1)
PASSWORD = "a long test password"
SECRETARY, SECOND, REP = "Sam Secretary (test)", "Tess Treasurer (test)", "Cal Rep (test)"


def _closed_case(db: Database, number: str) -> str:
    opened, closed = date(2018, 1, 8), date(2018, 6, 1)
    reference = open_case(
        db,
        CaseForm(
            membership_number=number, case_type="grievance", title="Fictional", opened_on=opened
        ),
        today=opened,
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        version = case.version
    close_case(db, case_id, "won", closed, version, today=closed)
    return reference


@pytest.fixture
def cases(db: Database) -> list[str]:
    return [_closed_case(db, "M001"), _closed_case(db, "M002")]


def _dialog(qtbot: Any, ctx: AppContext) -> RetentionDialog:
    dialog = RetentionDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _cases_left(db: Database) -> list[str]:
    with db.read(system=True) as session:
        return list(session.scalars(select(Case.reference).order_by(Case.reference)))


def _staff(db: Database) -> None:
    officers.create_first_officer(db, SECRETARY, PASSWORD)
    officers.add_officer(db, SECOND, Role.TREASURER, PASSWORD)
    officers.add_officer(db, REP, Role.CASEWORKER, PASSWORD)


def test_the_list_and_erasing_one_record(
    qtbot: Any, ctx: AppContext, dialogs: Any, cases: list[str], db: Database
) -> None:
    dialog = _dialog(qtbot, ctx)
    assert column_texts(dialog.table, 1) == [f"Case {ref}" for ref in cases]
    assert column_texts(dialog.table, 2) == ["M001 Ada Lowmoor", "M002 Bob Bramble"]
    assert column_texts(dialog.table, 3) == ["Erase"] * 2
    assert column_texts(dialog.table, 4) == ["1 Jun 2024"] * 2
    assert "Fictional" not in " ".join(column_texts(dialog.table, 5))
    assert dialog.count_label.text() == "2 records due on 1 Jan 2025; 2 ticked"

    # No accounts here (as in the demo branch), so no second officer: one at a time.
    click(qtbot, dialog.erase_button)
    assert dialogs.messages("error")[-1][0] == "One at a time"
    assert _cases_left(db) == sorted(cases)

    # Untick the second.
    box = dialog.model.index(1, 0)
    assert box.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert dialog.model.flags(box) & Qt.ItemFlag.ItemIsUserCheckable
    qtbot.mouseClick(
        dialog.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=dialog.table.visualRect(box).center(),
    )
    assert box.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert dialog.count_label.text() == "2 records due on 1 Jan 2025; 1 ticked"
    dialogs.confirms.append(False)
    click(qtbot, dialog.erase_button)
    assert _cases_left(db) == sorted(cases)  # not confirmed: nothing erased

    dialogs.confirms.append(True)
    click(qtbot, dialog.erase_button)
    title, text = dialogs.messages("confirm")[-1]
    assert title == "Erase for good?" and f"Case {cases[0]}: erase" in text
    assert _cases_left(db) == [cases[1]]
    assert dialog.result_label.isVisible()
    assert dialog.result_label.text() == "1 record erased."
    assert column_texts(dialog.table, 1) == [f"Case {cases[1]}"]


def test_several_records_need_a_second_officer(
    qtbot: Any, ctx: AppContext, dialogs: Any, cases: list[str], db: Database
) -> None:
    _staff(db)
    dialog = _dialog(qtbot, ctx)
    assert dialog.count_label.text().endswith("2 ticked")

    def wrong(second: SecondOfficerDialog) -> None:
        names = [second.name.itemText(i) for i in range(second.name.count())]
        assert names == [REP, SECOND]  # active officers, not the one signed in
        click(qtbot, second.ok_button)
        assert second.message.text() == "Choose the second officer and type their password."
        second.name.setCurrentText(SECOND)
        type_into(qtbot, second.password, "not the password")
        click(qtbot, second.ok_button)

    dialogs.confirms.append(True)
    dialogs.dialogs.append(wrong)
    click(qtbot, dialog.erase_button)
    assert dialogs.messages("error")[-1][0] == "Not confirmed"
    assert "not right" in dialogs.messages("error")[-1][1]
    assert _cases_left(db) == sorted(cases)
    assert dialog.erase_button.isEnabled()

    def right(second: SecondOfficerDialog) -> None:
        second.name.setCurrentText(SECOND)
        type_into(qtbot, second.password, PASSWORD)
        click(qtbot, second.ok_button)

    dialogs.confirms.append(True)
    dialogs.dialogs.append(right)
    click(qtbot, dialog.erase_button)
    assert _cases_left(db) == []
    assert dialog.result_label.text() == f"2 records erased.\nConfirmed by {SECOND}."
    assert dialog.count_label.text() == "Nothing is due on 1 Jan 2025."
    assert not dialog.erase_button.isEnabled()
    with db.read(system=True) as session:
        events = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert len(events) == 2
    assert all(e.officer == SECRETARY for e in events)
    assert all(e.change_map()["second_officer"] == [None, SECOND] for e in events)


def test_changing_the_schedule(
    qtbot: Any, ctx: AppContext, dialogs: Any, cases: list[str], db: Database
) -> None:
    dialog = _dialog(qtbot, ctx)
    assert dialog.case_years.value() == 6
    assert "limitation period" in dialog.case_years.toolTip()
    dialog.case_years.selectAll()
    qtbot.keyClicks(dialog.case_years, "7")
    click(qtbot, dialog.save_schedule_button)
    assert load_schedule(db)[0].closed_case_years == 7
    assert dialog.count_label.text() == "Nothing is due on 1 Jan 2025."
    click(qtbot, dialog.defaults_button)
    assert dialog.case_years.value() == 6
    click(qtbot, dialog.save_schedule_button)
    assert dialog.model.rowCount() == 2


def test_another_role_is_told_why_not(
    qtbot: Any, ctx: AppContext, dialogs: Any, cases: list[str], db: Database
) -> None:
    _staff(db)
    officers.sign_in(db, REP, PASSWORD)
    dialog = _dialog(qtbot, ctx)
    assert dialog.banner.isVisible()
    assert "for the branch secretary alone" in dialog.banner.text()
    assert "Caseworker / rep" in dialog.banner.text()
    assert dialog.model.rowCount() == 0
    for widget in (dialog.erase_button, dialog.save_schedule_button, dialog.case_years):
        assert not widget.isEnabled()


def test_from_the_menu(qtbot: Any, window: MainWindow, dialogs: Any, cases: list[str]) -> None:
    tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
    assert window.retention_action in tools.actions()
    assert window.retention_action.isEnabled()
    seen: list[int] = []

    def look(dialog: RetentionDialog) -> None:
        assert isinstance(dialog, RetentionDialog)
        seen.append(dialog.model.rowCount())
        click(qtbot, dialog.close_button)

    dialogs.dialogs.append(look)
    window.retention_action.trigger()
    # Today, not 2025: cases closed in June 2018 are due from June 2024.
    assert seen == [2 if date.today() >= date(2024, 6, 1) else 0]


def test_the_menu_says_why_not_to_another_role(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    from branchdesk.ui.main_window import SECRETARY_ONLY_RETENTION

    _staff(db)
    officers.sign_in(db, REP, PASSWORD)
    main = MainWindow(ctx)
    qtbot.addWidget(main, before_close_func=dialogs.closing)
    main.show()
    qtbot.waitUntil(lambda: main.registers_built and not main.loading_pages)
    assert not main.retention_action.isEnabled()
    assert main.retention_action.toolTip() == SECRETARY_ONLY_RETENTION


def test_every_input_has_a_name_for_screen_readers(
    qtbot: Any, ctx: AppContext, cases: list[str]
) -> None:
    dialog = _dialog(qtbot, ctx)
    assert unnamed_inputs(dialog) == []
    assert dialog.table.objectName() == "dueTable"
    second = SecondOfficerDialog(["Tess Treasurer (test)"], 2, dialog)
    assert unnamed_inputs(second) == []


def test_the_review_speaks_through_the_translator(
    qtbot: Any, ctx: AppContext, cases: list[str]
) -> None:
    with pseudo_translation():
        dialog = _dialog(qtbot, ctx)
        # The list's words are looked up as it is painted, in the language of the moment.
        header = dialog.model.headerData(3, Qt.Orientation.Horizontal)
        actions = column_texts(dialog.table, 3)
    assert dialog.windowTitle() == "[Retention review]"
    assert header == "[What happens]"
    assert actions == ["[Erase]", "[Erase]"]
    assert dialog.count_label.text() == "[[2 records] due on 1 Jan 2025; 2 ticked]"
