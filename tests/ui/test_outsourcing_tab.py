"""The Outsourcing watch tab, worked as a branch official would: import, filter, edit, click."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from ui_helpers import click, column_texts, type_into

from branchdesk.casework.deadlines import add_months
from branchdesk.money import Money
from branchdesk.outsourcing.queries import contract_lines
from branchdesk.outsourcing.service import ContractForm, create_contract, update_contract
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.outsourcing.data import read_contract
from branchdesk.ui.outsourcing.dialogs import ContractDialog, EventDialog
from branchdesk.ui.outsourcing.outsourcing_tab import OutsourcingTab
from branchdesk.ui.outsourcing.timeline import ROW_HEIGHT

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ocds" / "contracts-finder"
TODAY = date.today()


def select(box: Any, data: Any) -> None:
    index = box.findData(data)
    assert index >= 0, data
    box.setCurrentIndex(index)


def make_tab(qtbot: Any, ctx: AppContext) -> OutsourcingTab:
    page = OutsourcingTab(ctx)
    qtbot.addWidget(page, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def contracts(db: Database) -> dict[str, int]:
    """Three contracts: decision point passed, within 12 months, and years away."""
    ids = {}
    for name, end in (
        ("Street cleaning", add_months(TODAY, 6)),  # decision point 6 months ago
        ("School meals", add_months(TODAY, 20)),  # decision point in 8 months
        ("Leisure centres", add_months(TODAY, 60)),  # decision point in 4 years
    ):
        ids[name] = create_contract(
            db,
            ContractForm(
                service=name,
                authority="Northmoor Borough Council",
                contractors=["Greystone Facilities Ltd"],
                start_on=end - timedelta(days=5 * 365),
                end_on=end,
                value=Money(1_000_000_00),
            ),
        )
    return ids


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext, contracts: dict[str, int]) -> OutsourcingTab:
    return make_tab(qtbot, ctx)


def test_a_sample_file_is_imported_and_listed(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = make_tab(qtbot, ctx)
    assert page.model.rowCount() == 0
    sample = sorted(SAMPLES.glob("*.json"))[0]
    dialogs.open_files.append(sample)
    dialogs.confirms.append(True)
    click(qtbot, page.import_button)
    ((_title, summary),) = dialogs.messages("confirm")
    assert sample.name in summary and "contract" in summary
    held = contract_lines(db, TODAY, 12)
    assert held, dialogs.shown
    assert page.model.rowCount() == len(held)
    assert page.count_label.text().startswith(f"{len(held)} contract")
    ((_title, text),) = dialogs.messages("info")
    assert f"{len(held)} new" in text
    titles = column_texts(page.table, 0)
    assert held[0].service in titles
    # The totals follow the list.
    assert page.contractor_totals.rowCount() >= 1
    assert page.authority_totals.rowCount() >= 1


def test_a_broken_file_is_refused_and_nothing_imported(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database, tmp_path: Path
) -> None:
    page = make_tab(qtbot, ctx)
    broken = tmp_path / "broken.json"
    broken.write_text('{"releases": [', encoding="utf-8")
    dialogs.open_files.append(broken)
    click(qtbot, page.import_button)
    ((_title, text),) = dialogs.messages("error")
    assert "Nothing was imported" in text and "not valid JSON" in text
    assert dialogs.messages("confirm") == []
    assert contract_lines(db, TODAY, 12) == []
    assert page.model.rowCount() == 0


def test_filter_by_decision_point_within_12_months(
    qtbot: Any, tab: OutsourcingTab, contracts: dict[str, int]
) -> None:
    assert tab.model.rowCount() == 3
    select(tab.within_box, 12)
    # The overdue decision is still listed (late, not gone); the one four years off is not.
    assert sorted(column_texts(tab.table, 0)) == ["School meals", "Street cleaning"]
    assert tab.count_label.text() == "2 contracts"
    select(tab.within_box, 6)
    assert column_texts(tab.table, 0) == ["Street cleaning"]
    select(tab.within_box, None)
    assert tab.model.rowCount() == 3
    # The passed decision point is red, the one within 12 months amber.
    row = tab.model.row_of(contracts["Street cleaning"])
    brush = tab.model.index(row, 5).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == "#b42318"
    row = tab.model.row_of(contracts["School meals"])
    brush = tab.model.index(row, 5).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == "#7a4a00"
    row = tab.model.row_of(contracts["Leisure centres"])
    assert tab.model.index(row, 5).data(Qt.ItemDataRole.ForegroundRole) is None
    # Sorting by service, in the model.
    tab.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert column_texts(tab.table, 0) == ["Leisure centres", "School meals", "Street cleaning"]
    select(tab.status_box, "awarded")
    assert tab.model.rowCount() == 0


def test_a_contract_is_created_and_edited_through_the_dialog(
    qtbot: Any, tab: OutsourcingTab, dialogs: Any, db: Database
) -> None:
    def fill(d: ContractDialog) -> None:
        click(qtbot, d.save_button)  # nothing typed
        assert "service" in d.error_text("service").lower()
        type_into(qtbot, d.service_edit, "Home care")
        type_into(qtbot, d.authority_edit, "Eastvale District Council")
        type_into(qtbot, d.contractors_box, "Kestrel Care Services Ltd\nBrightpath plc")
        type_into(qtbot, d.value_edit, "lots")
        d.start.check.setChecked(True)
        d.start.edit.setDate(date(2022, 4, 1))
        d.end.check.setChecked(True)
        d.end.edit.setDate(date(2021, 1, 1))
        click(qtbot, d.save_button)
        assert d.error_text("value")
        type_into(qtbot, d.value_edit, "2,400,000")
        type_into(qtbot, d.tupe_edit, "85")
        click(qtbot, d.save_button)
        assert "before it starts" in d.error_text("end_on")
        d.end.edit.setDate(add_months(TODAY, 30))
        select(d.union_box, "yes")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, tab.new_button)
    assert tab.model.rowCount() == 4
    new_id = tab.selected_id
    assert new_id is not None
    saved = read_contract(db, new_id)
    assert saved is not None
    assert saved.contractors == ["Kestrel Care Services Ltd", "Brightpath plc"]
    assert saved.value == Money(2_400_000_00) and saved.tupe_staff == 85
    assert saved.recognises_union is True
    assert "Home care" in tab.details.toPlainText()
    assert tab.contractor_box.findData("Brightpath plc") > 0

    def edit(d: ContractDialog) -> None:
        select(d.status_box, "insourcing_campaign")
        type_into(qtbot, d.notes_box, "Campaign launched at branch AGM")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(edit)
    click(qtbot, tab.edit_button)
    saved = read_contract(db, new_id)
    assert saved is not None and saved.status == "insourcing_campaign"
    assert "Campaign launched" in tab.details.toPlainText()

    # Someone else changes it while the dialog is open: the edit is refused, and said why.
    def stale(d: ContractDialog) -> None:
        other = d.form()
        other.notes = "changed elsewhere"
        update_contract(db, new_id, other)
        type_into(qtbot, d.notes_box, "my change")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(stale)
    click(qtbot, tab.edit_button)
    ((title, text),) = dialogs.messages("error")
    assert "changed" in title and "Nothing was saved" in text
    saved = read_contract(db, new_id)
    assert saved is not None and saved.notes == "changed elsewhere"
    assert "changed elsewhere" in tab.details.toPlainText()  # reloaded


def test_an_event_is_added(
    qtbot: Any, tab: OutsourcingTab, dialogs: Any, contracts: dict[str, int]
) -> None:
    tab.table.selectRow(tab.model.row_of(contracts["School meals"]))
    assert tab.selected_id == contracts["School meals"]

    def fill(d: EventDialog) -> None:
        click(qtbot, d.save_button)
        assert d.error_text("title")
        select(d.kind_box, "complaint")
        type_into(qtbot, d.title_edit, "Cold meals served at Oakfield Primary")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, tab.event_button)
    assert tab.events_table.rowCount() == 1
    assert tab.events_table.item(0, 1).text() == "Complaint"
    assert "Cold meals" in tab.events_table.item(0, 2).text()


def test_clicking_a_timeline_bar_selects_the_contract(
    qtbot: Any, tab: OutsourcingTab, contracts: dict[str, int]
) -> None:
    chart = tab.timeline
    row = next(n for n, line in enumerate(chart.lines) if line.service == "Leisure centres")
    bar = chart.bar_rect(row)
    x = int(min(max(bar.center().x(), 210), chart.viewport().width() - 5))
    qtbot.mouseClick(
        chart.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, int(bar.center().y()))
    )
    assert tab.selected_id == contracts["Leisure centres"]
    current = tab.table.currentIndex()
    assert tab.model.lines[current.row()].id == contracts["Leisure centres"]
    assert "Leisure centres" in tab.details.toPlainText()


def test_zoom_changes_the_visible_span(qtbot: Any, tab: OutsourcingTab) -> None:
    chart = tab.timeline
    assert chart.years == 5
    before = (chart.view_end() - chart.view_start()).days
    select(tab.zoom_box, 20)
    after = (chart.view_end() - chart.view_start()).days
    assert chart.years == 20 and after > 3.5 * before
    select(tab.zoom_box, 3)
    assert (chart.view_end() - chart.view_start()).days < before


def test_the_timeline_paints_only_the_rows_in_view(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    for n in range(300):
        create_contract(
            db,
            ContractForm(service=f"Service {n}", end_on=add_months(TODAY, n % 90)),
        )
    page = make_tab(qtbot, ctx)
    chart = page.timeline
    assert len(chart.lines) == 300
    chart.viewport().grab()
    shown = len(chart.painted_rows)
    assert 0 < shown <= chart.viewport().height() // ROW_HEIGHT + 2
    chart.verticalScrollBar().setValue(chart.verticalScrollBar().maximum())
    chart.viewport().grab()
    assert chart.painted_rows.stop == 300


def test_members_affected_are_linked_from_the_contract_page(
    qtbot: Any, tab: OutsourcingTab, dialogs: Any, db: Database, contracts: dict[str, int]
) -> None:
    from branchdesk.outsourcing.service import contract_members
    from branchdesk.ui.outsourcing.dialogs import ContractMembersDialog

    contract_id = contracts["School meals"]
    tab.table.selectRow(tab.model.row_of(contract_id))
    assert tab.selected_id == contract_id
    qtbot.waitUntil(lambda: tab.detail is not None and tab.detail.id == contract_id)
    assert "Members affected (0)" in tab.details.toPlainText()

    def fill(d: ContractMembersDialog) -> None:
        # Suggested by name, as in the casework dialogs.
        type_into(qtbot, d.member_edit, "lowmoor")
        d.search.search()
        assert d.search.matches.stringList() == ["M001 — Ada Lowmoor"]
        d.member_edit.setText(d.search.matches.stringList()[0])
        click(qtbot, d.add_button)
        type_into(qtbot, d.member_edit, "M999")
        click(qtbot, d.add_button)
        assert "No member has the membership number M999." in d.error_text("members")
        for number in ("M003", "M002"):
            type_into(qtbot, d.member_edit, number)
            click(qtbot, d.add_button)
        assert d.numbers() == ["M001", "M003", "M002"]
        d.member_list.item(2).setSelected(True)
        click(qtbot, d.remove_button)
        assert d.numbers() == ["M001", "M003"]
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, tab.members_button)
    assert [number for _id, number, _name in contract_members(db, contract_id)] == [
        "M001",
        "M003",
    ]
    qtbot.waitUntil(lambda: "Members affected (2)" in tab.details.toPlainText())
    text = tab.details.toPlainText()
    assert "M001 — Lowmoor, Ada" in text and "M003 — Singer, Carol" in text

    # Changed elsewhere while the dialog is open: refused, said why, and the page reloaded.
    def stale(d: ContractMembersDialog) -> None:
        detail = read_contract(db, contract_id)
        assert detail is not None
        from branchdesk.outsourcing.service import set_contract_members

        set_contract_members(db, contract_id, ["M001"], detail.version)
        d.remove_member("M003")
        d.remove_member("M001")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(stale)
    click(qtbot, tab.members_button)
    ((title, text),) = dialogs.messages("error")
    assert "changed" in title and "Nothing was saved" in text
    assert [n for _id, n, _name in contract_members(db, contract_id)] == ["M001"]
    qtbot.waitUntil(lambda: "Members affected (1)" in tab.details.toPlainText())


def test_the_watch_list_and_a_briefing_are_exported(
    tab: OutsourcingTab, dialogs: Any, tmp_path: Path
) -> None:
    import openpyxl
    from pypdf import PdfReader

    assert [a.text() for a in tab.export_button.menu().actions()] == [
        "Watch list (.xlsx)…",
        "Briefing for councillors (.pdf)…",
    ]
    xlsx, pdf = tmp_path / "watch.xlsx", tmp_path / "briefing.pdf"
    dialogs.save_files.extend([xlsx, pdf])
    tab.watch_list_action.trigger()
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert {"Street cleaning", "School meals", "Leisure centres"} <= cells
    select(tab.authority_box, "Northmoor Borough Council")
    tab.briefing_action.trigger()
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "School meals" in text and "Northmoor Borough Council" in text
    messages = [m for m in dialogs.messages("info") if m[0] == "Export finished"]
    assert [str(xlsx) in m[1] for m in messages] == [True, False]
    assert str(pdf) in messages[1][1]
    assert tab.export_button.isEnabled()
