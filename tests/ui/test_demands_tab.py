"""The Negotiating demands tab, worked as a rep would: click, type, save."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QTableWidget
from ui_helpers import click, type_into

from branchdesk.demands.queries import claim_lines, get_claim
from branchdesk.demands.service import ClaimForm, DemandForm, add_demand, create_claim
from branchdesk.money import Money
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.demands_tab import DemandsTab
from branchdesk.ui.demands.dialogs import ClaimDialog, DemandDialog


def texts(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def select(box: Any, code: str) -> None:
    index = box.findData(code)
    assert index >= 0, code
    box.setCurrentIndex(index)


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext) -> DemandsTab:
    page = DemandsTab(ctx)
    qtbot.addWidget(page, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def claim_id(db: Database) -> int:
    reference = create_claim(
        db,
        ClaimForm(title="Pay claim 2027", employer="Northmoor Borough Council"),
        today=date(2027, 1, 5),
    )
    return next(line.id for line in claim_lines(db) if line.reference == reference)


@pytest.fixture
def claim_tab(qtbot: Any, ctx: AppContext, claim_id: int) -> DemandsTab:
    page = DemandsTab(ctx)
    qtbot.addWidget(page, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_a_claim_is_created_through_its_dialog(
    qtbot: Any, tab: DemandsTab, dialogs: Any, db: Database
) -> None:
    assert tab.right.currentIndex() == 0  # "choose a claim or start one"

    def empty_then_fill(d: ClaimDialog) -> None:
        click(qtbot, d.save_button)  # nothing typed: the problems show beside the fields
        assert "title" in d.error_text("title").lower()
        assert d.error_text("employer")
        type_into(qtbot, d.title_edit, "Pay and conditions claim 2027")
        type_into(qtbot, d.employer_box, "Northmoor Borough Council")
        type_into(qtbot, d.unit_edit, "NJC staff")
        d.submitted.check.setChecked(True)
        d.submitted.edit.setDate(date(2027, 2, 1))
        d.settle_by.check.setChecked(True)
        d.settle_by.edit.setDate(date(2027, 1, 1))
        click(qtbot, d.save_button)  # settle-by before submitted: refused beside the field
        assert "before" in d.error_text("settle_by")
        d.settle_by.edit.setDate(date(2027, 4, 1))
        type_into(qtbot, d.reps_edit, "Pat Rep")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(empty_then_fill)
    click(qtbot, tab.new_claim_button)
    assert texts(tab.claims_table, 1) == ["Pay and conditions claim 2027"]
    assert texts(tab.claims_table, 0) == ["CL-2027-001"]
    assert tab.right.currentIndex() == 1
    assert "CL-2027-001" in tab.claim_title.text()
    facts = tab.claim_facts.text()
    assert "Northmoor Borough Council" in facts and "1 Feb 2027" in facts and "Pat Rep" in facts
    assert tab.total_label.text().startswith("Total annual cost £0.00")

    def edit(d: ClaimDialog) -> None:
        assert d.employer_box.currentText() == "Northmoor Borough Council"
        select(d.status_box, "submitted")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(edit)
    click(qtbot, tab.edit_claim_button)
    assert texts(tab.claims_table, 3) == ["Submitted"]


def add_two_demands(qtbot: Any, tab: DemandsTab, dialogs: Any) -> None:
    def costed(d: DemandDialog) -> None:
        type_into(qtbot, d.title_edit, "5% on every pay point")
        select(d.category_box, "pay")
        select(d.priority_box, "high")
        type_into(qtbot, d.case_edit, "Pay has fallen behind prices.")
        d.costed.setChecked(True)
        type_into(qtbot, d.headcount_edit, "240")
        select(d.kind_box, "percent")
        select(d.basis_box, "unit_cost")
        type_into(qtbot, d.current_edit, "abc")
        assert "not an amount" in d.error_text("cost_current")  # beside the field, as typed
        type_into(qtbot, d.current_edit, "£24,000")
        assert d.error_text("cost_current") == ""
        type_into(qtbot, d.change_edit, "5")
        # Live: 240 × £24,000.00 × 5% = £288,000.00; +19% pension, +15% NI.
        assert d.breakdown is not None
        assert d.breakdown.total == Money.parse("385920.00")
        assert "£385,920.00 a year" in d.result_label.text()
        assert "19% of £288,000.00 = £54,720.00" in d.result_label.text()
        click(qtbot, d.save_button)

    def uncosted(d: DemandDialog) -> None:
        type_into(qtbot, d.title_edit, "No compulsory redundancies")
        select(d.category_box, "no_compulsory_redundancies")
        assert not d.costed.isChecked()
        click(qtbot, d.save_button)

    dialogs.dialogs.extend([costed, uncosted])
    click(qtbot, tab.add_demand_button)
    click(qtbot, tab.add_demand_button)


def test_demands_are_added_costed_moved_and_given_a_status(
    qtbot: Any, claim_tab: DemandsTab, dialogs: Any, db: Database, claim_id: int
) -> None:
    tab = claim_tab
    add_two_demands(qtbot, tab, dialogs)
    table = tab.demands_table
    assert texts(table, 1) == ["5% on every pay point", "No compulsory redundancies"]
    assert texts(table, 5) == ["£385,920.00", "not costed"]
    assert "Total annual cost £385,920.00" in tab.total_label.text()
    assert "1 of 2 demands costed" in tab.total_label.text()
    # The one just added is selected; its detail shows.
    assert "No compulsory redundancies" in tab.demand_text.toPlainText()
    assert not tab.down_button.isEnabled()

    click(qtbot, tab.up_button)
    assert texts(table, 1) == ["No compulsory redundancies", "5% on every pay point"]
    assert get_claim(db, claim_id).demands[0].demand.title == "No compulsory redundancies"
    assert tab.selected_demand().demand.title == "No compulsory redundancies"  # type: ignore[union-attr]

    table.selectRow(1)
    assert "Employer pension: 19%" in tab.demand_text.toPlainText()

    def agreed(d: Any) -> None:
        select(d.status_box, "agreed")
        type_into(qtbot, d.note_edit, "Agreed at the second meeting")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(agreed)
    click(qtbot, tab.status_button)
    assert texts(table, 4) == ["Proposed", "Agreed"]
    assert "Agreed at the second meeting" in tab.demand_text.toPlainText()

    def edit(d: DemandDialog) -> None:
        assert d.costed.isChecked() and d.headcount_edit.text() == "240"
        type_into(qtbot, d.change_edit, "-200")
        assert "more than 100%" in d.error_text("cost_change")
        click(qtbot, d.save_button)  # refused, still open
        assert d.isVisible()
        type_into(qtbot, d.change_edit, "4")
        type_into(qtbot, d.response_edit, "The employer offers 2%.")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(edit)
    click(qtbot, tab.edit_demand_button)
    assert texts(table, 5)[1] == "£308,736.00"
    assert "The employer offers 2%." in tab.demand_text.toPlainText()


def test_an_edit_made_elsewhere_meanwhile_is_not_overwritten(
    qtbot: Any, claim_tab: DemandsTab, dialogs: Any, db: Database, claim_id: int
) -> None:
    add_demand(db, claim_id, DemandForm(title="Old title", category="pay"))
    claim_tab.refresh()

    def rename(d: DemandDialog) -> None:
        # Someone else changes the demand while the dialog is open.
        from branchdesk.demands.service import update_demand

        demand = get_claim(db, claim_id).demands[0].demand
        update_demand(
            db, demand.id, DemandForm(title="Theirs", category="pay", version=demand.version)
        )
        type_into(qtbot, d.title_edit, "Mine")
        click(qtbot, d.save_button)
        assert d.stale

    dialogs.dialogs.append(rename)
    click(qtbot, claim_tab.edit_demand_button)
    assert dialogs.messages("error")[0][0].startswith("Not saved")
    assert texts(claim_tab.demands_table, 1) == ["Theirs"]


def test_evidence_and_a_meeting_are_added(
    qtbot: Any, claim_tab: DemandsTab, dialogs: Any, db: Database, claim_id: int
) -> None:
    add_demand(db, claim_id, DemandForm(title="Shorter week", category="hours"))
    tab = claim_tab
    tab.refresh()

    def evidence(d: Any) -> None:
        select(d.kind_box, "comparator")
        click(qtbot, d.save_button)  # no title or text
        assert d.error_text("title")
        type_into(qtbot, d.title_edit, "Eastvale works 35 hours")
        type_into(qtbot, d.source_edit, "Eastvale handbook 2026")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(evidence)
    click(qtbot, tab.add_evidence_button)
    items = [tab.evidence_list.item(i).text() for i in range(tab.evidence_list.count())]
    assert items == ["Comparator: Eastvale works 35 hours\nSource: Eastvale handbook 2026"]

    tab.pages.setCurrentIndex(1)

    def meeting(d: Any) -> None:
        d.date_edit.setDate(date(2027, 3, 2))
        type_into(qtbot, d.union_edit, "Pat Rep, Sam Steward")
        type_into(qtbot, d.employer_edit, "HR director")
        type_into(qtbot, d.union_proposals_edit, "35 hours, no loss of pay")
        type_into(qtbot, d.actions_edit, "HR to cost it by Friday")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(meeting)
    click(qtbot, tab.add_meeting_button)
    assert texts(tab.meetings_table, 0) == ["2 Mar 2027"]
    assert "HR to cost it by Friday" in tab.meeting_text.toPlainText()
    assert len(get_claim(db, claim_id).meetings) == 1


def write_survey(path: Path) -> Path:
    rows = ["ID,Support the claim?,Workload (1-5),Anything else?"]
    rows += [f"{n},{'Yes' if n % 3 else 'No'},{n % 5 + 1},comment {n}" for n in range(1, 31)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_good_survey_is_previewed_imported_and_summarised(
    qtbot: Any, claim_tab: DemandsTab, dialogs: Any, db: Database, claim_id: int, tmp_path: Path
) -> None:
    tab = claim_tab
    tab.pages.setCurrentIndex(2)
    assert "No surveys yet" in tab.survey_note.text()
    dialogs.open_files.append(write_survey(tmp_path / "autumn.csv"))

    def preview(d: Any) -> None:
        assert d.problems_view is None
        assert "30 responses to 3 questions" in d.summary.text()
        table = d.questions_table
        assert [table.item(r, 0).text() for r in range(3)] == [
            "Support the claim?",
            "Workload (1-5)",
            "Anything else?",
        ]
        type_into(qtbot, d.name_edit, "Autumn survey")
        click(qtbot, d.import_button)

    dialogs.dialogs.append(preview)
    click(qtbot, tab.import_survey_button)
    (survey,) = get_claim(db, claim_id).surveys
    assert (survey.name, survey.respondents) == ("Autumn survey", 30)
    assert tab.survey_box.currentText().startswith("Autumn survey (30 responses")
    assert "1. Support the claim?" in tab.survey_summary.text()
    charts = tab.survey_summary.charts
    assert len(charts) == 2  # the free-text question shows examples, not a chart
    assert [row[0] for row in charts[0].rows] == ["Yes", "No"]
    assert charts[0].rows[0][1] == 20
    assert charts[0].grab().width() > 0

    # The survey's questions can then back a demand.
    add_demand(db, claim_id, DemandForm(title="5%", category="pay"))
    tab.refresh()

    def evidence(d: Any) -> None:
        select(d.kind_box, "survey_result")
        assert d.question_box.count() == 3
        d.question_box.setCurrentIndex(0)
        type_into(qtbot, d.title_edit, "Two in three back the claim")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(evidence)
    click(qtbot, tab.add_evidence_button)
    assert "Autumn survey, Q1" in tab.evidence_list.item(0).text()


def test_a_bad_survey_shows_its_problems_and_stores_nothing(
    qtbot: Any, claim_tab: DemandsTab, dialogs: Any, db: Database, claim_id: int, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,Support?,Support?\n1,Yes,No\n2,Yes\n", encoding="utf-8")
    dialogs.open_files.append(bad)
    seen: list[str] = []

    def preview(d: Any) -> None:
        assert d.problems_view is not None
        model = d.problems_view.model()
        seen.extend(
            f"{model.index(r, 0).data()}|{model.index(r, 1).data()}|{model.index(r, 2).data()}"
            for r in range(model.rowCount())
        )
        assert "Nothing has been imported" in d.summary.text()
        d.reject()

    dialogs.dialogs.append(preview)
    click(qtbot, claim_tab.import_survey_button)
    assert any("appears twice" in s and s.startswith("1|") for s in seen), seen
    assert get_claim(db, claim_id).surveys == ()
    assert claim_tab.import_survey_button.isEnabled()


def test_the_pack_asks_for_a_pdf_or_xlsx(
    qtbot: Any, claim_tab: DemandsTab, dialogs: Any, tmp_path: Path
) -> None:
    dialogs.save_files.append(tmp_path / "pack.docx")
    click(qtbot, claim_tab.export_button)
    assert "PDF (.pdf) or a spreadsheet (.xlsx)" in dialogs.messages("error")[0][1]


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx"])
def test_the_pack_is_exported(
    qtbot: Any,
    claim_tab: DemandsTab,
    dialogs: Any,
    db: Database,
    claim_id: int,
    tmp_path: Path,
    suffix: str,
) -> None:
    add_demand(db, claim_id, DemandForm(title="5%", category="pay"))
    claim_tab.refresh()
    path = tmp_path / f"pack{suffix}"
    dialogs.save_files.append(path)
    click(qtbot, claim_tab.export_button)
    assert not dialogs.messages("error"), dialogs.messages("error")
    assert path.exists() and path.stat().st_size > 0
    ((_title, text),) = dialogs.messages("info")
    assert str(path) in text


def test_the_window_has_the_demands_tab(window: Any) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "Negotiating demands" in titles
    page = window.tabs.widget(titles.index("Negotiating demands"))
    assert isinstance(page, DemandsTab)
