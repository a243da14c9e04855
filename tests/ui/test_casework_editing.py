"""Changing a case after it is opened, the way a rep would: editing its details, the other
members of a collective case, consents, finding a case by its notes, and timeline entries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from ui_helpers import click, double_click_row, row_position, type_into

from branchdesk.casework.queries import get_case
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_entry,
    case_id_by_reference,
    open_case,
    update_case,
    update_entry,
)
from branchdesk.exports.text import short_date
from branchdesk.store.database import Database
from branchdesk.ui.casework.cases_page import CasesPage
from branchdesk.ui.casework.casework_tab import CaseworkTab
from branchdesk.ui.casework.common import CASEWORK
from branchdesk.ui.casework.dialogs import (
    ConsentDialog,
    EditCaseDialog,
    EntryDialog,
    OpenCaseDialog,
)
from branchdesk.ui.context import AppContext


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext) -> CaseworkTab:
    widget = CaseworkTab(ctx)
    qtbot.addWidget(widget, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _choose(combo: Any, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not offered"
    combo.setCurrentIndex(index)


def _open(db: Database, number: str, title: str, **values: Any) -> int:
    reference = open_case(
        db,
        CaseForm(
            membership_number=number,
            case_type=values.pop("case_type", "grievance"),
            title=title,
            rep=values.pop("rep", "Test Officer"),
            opened_on=values.pop("opened_on", date.today() - timedelta(days=10)),
            **values,
        ),
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    return case_id


def _show(qtbot: Any, ctx: AppContext, page: CasesPage, case_id: int) -> None:
    """The case, opened elsewhere (by the service), shown as a rep would find it."""
    ctx.changed(CASEWORK)
    page.show_case(case_id)
    qtbot.waitUntil(lambda: page.selected_id() == case_id, timeout=5000)
    assert page.detail.case is not None and page.detail.case.id == case_id


def _row(page: CasesPage, case_id: int) -> dict[str, str]:
    row = page.model.row_of(case_id)
    assert row is not None
    return {
        column.key: page.model.index(row, i).data() for i, column in enumerate(page.model.columns)
    }


def test_edit_a_cases_type_and_rep(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    case_id = _open(db, "M001", "Overtime rota", sub_type="Rota", companion="fellow_worker")
    _show(qtbot, ctx, page, case_id)
    assert _row(page, case_id)["case_type"] == "Grievance"
    seen: dict[str, Any] = {}

    def edit(d: EditCaseDialog) -> None:
        # The form comes filled from the case.
        seen["member"] = d.member.text()
        seen["found"] = d.member_found.text()
        seen["type"] = d.case_type.currentText()
        seen["title"] = d.title.text()
        seen["sub_type"] = d.sub_type.text()
        seen["employer"] = d.employer.text()
        seen["companion"] = d.companion.currentText()
        seen["opened"] = d.opened_on.date().toPython()
        _choose(d.case_type, "Disciplinary")
        type_into(qtbot, d.rep, "Sam Steward")
        type_into(qtbot, d.second_rep, "Test Officer")
        type_into(qtbot, d.companion_name, "Jo Bloggs")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(edit)
    click(qtbot, page.edit_button)
    assert seen == {
        "member": "M001",
        "found": "Ada Lowmoor",
        "type": "Grievance",
        "title": "Overtime rota",
        "sub_type": "Rota",
        "employer": "Northmoor Borough Council",
        "companion": "Fellow worker",
        "opened": date.today() - timedelta(days=10),
    }
    assert not dialogs.messages("error")
    summary = page.detail.summary.text()
    assert "Disciplinary — Rota" in summary
    assert "Sam Steward and Test Officer" in summary
    assert "Fellow worker: Jo Bloggs" in summary  # the companion, with a name
    qtbot.waitUntil(lambda: _row(page, case_id)["case_type"] == "Disciplinary", timeout=5000)
    assert page.selected_id() == case_id
    # The rep filter offers the new rep, and finds the case by them.
    _choose(page.rep, "Sam Steward")
    qtbot.waitUntil(lambda: page.model.ids() == [case_id], timeout=5000)
    assert get_case(db, case_id).rep == "Sam Steward"


def test_edit_problems_show_beside_the_fields(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    case_id = _open(db, "M001", "Rota")
    _show(qtbot, ctx, page, case_id)
    seen: dict[str, str] = {}

    def edit(d: EditCaseDialog) -> None:
        type_into(qtbot, d.member, "X999")
        d.opened_on.setDate(QDate.currentDate().addDays(3))
        click(qtbot, d.save_button)
        seen["opened_on"] = d.error_text("opened_on")
        d.opened_on.setDate(QDate.currentDate())
        click(qtbot, d.save_button)
        seen["member"] = d.error_text("membership_number")
        seen["visible"] = str(d.isVisible())
        click(qtbot, d.cancel_button)

    dialogs.dialogs.append(edit)
    click(qtbot, page.edit_button)
    assert seen["opened_on"] == "The case cannot be opened in the future."
    assert seen["member"] == "No member has the membership number X999."
    assert seen["visible"] == "True"
    assert get_case(db, case_id).member.membership_number == "M001"


def test_a_stale_edit_is_refused_and_the_case_reloaded(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    case_id = _open(db, "M001", "Rota")
    _show(qtbot, ctx, page, case_id)

    def edit(d: EditCaseDialog) -> None:
        type_into(qtbot, d.title, "My new title")
        # Meanwhile someone at another PC changes the rep.
        case = get_case(db, case_id)
        update_case(
            db,
            case_id,
            CaseForm(
                membership_number="M001",
                case_type="grievance",
                title="Rota",
                rep="Other Rep",
                opened_on=case.opened_on,
                version=case.version,
            ),
        )
        click(qtbot, d.save_button)

    dialogs.dialogs.append(edit)
    click(qtbot, page.edit_button)
    [(title, text)] = dialogs.messages("error")
    assert "changed" in title and "Nothing was saved" in text
    summary = page.detail.summary.text()
    assert "Other Rep" in summary and "My new title" not in summary  # reloaded, not overwritten
    assert get_case(db, case_id).title == "Rota"


def test_other_members_of_a_collective_case(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    seen: dict[str, Any] = {}

    # Opened with another member already.
    def open_collective(d: OpenCaseDialog) -> None:
        type_into(qtbot, d.member, "M001")
        _choose(d.case_type, "Grievance")
        type_into(qtbot, d.title, "Changes to shift patterns")
        # The same suggestions as the lead member's field.
        d.other_number.setFocus()
        qtbot.keyClicks(d.other_number, "bramble")
        qtbot.waitUntil(lambda: d._other.matches.rowCount() == 1, timeout=3000)
        seen["suggested"] = d._other.matches.stringList()
        d.other_number.setText(seen["suggested"][0])
        click(qtbot, d.add_other_button)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(open_collective)
    click(qtbot, page.open_button)
    assert seen["suggested"] == ["M002 — Bob Bramble"]
    case = page.detail.case
    assert case is not None
    assert [m.membership_number for m in case.other_members] == ["M002"]
    assert "Other members" in page.detail.summary.text()
    assert "Bob Bramble (M002)" in page.detail.summary.text()
    dialogs.shown.clear()  # Bob's subs are behind: the eligibility note is not what this is about

    def edit(d: EditCaseDialog) -> None:
        seen["listed"] = d.other_numbers()
        # Enter in the field adds the member rather than saving the form.
        type_into(qtbot, d.other_number, "M003")
        qtbot.keyClick(d.other_number, Qt.Key.Key_Return)
        seen["after_enter"] = d.other_numbers()
        seen["still_open"] = d.isVisible()
        # Problems show beside the list.
        type_into(qtbot, d.other_number, "M001")
        click(qtbot, d.add_other_button)
        seen["lead"] = d.error_text("other_members")
        type_into(qtbot, d.other_number, "X999")
        click(qtbot, d.add_other_button)
        seen["unknown"] = d.error_text("other_members")
        type_into(qtbot, d.other_number, "M003")
        click(qtbot, d.add_other_button)
        seen["twice"] = d.error_text("other_members")
        # Remove Bob.
        d.other_list.item(0).setSelected(True)
        click(qtbot, d.remove_other_button)
        seen["after_remove"] = d.other_numbers()
        click(qtbot, d.save_button)

    dialogs.dialogs.append(edit)
    click(qtbot, page.edit_button)
    assert seen["listed"] == ["M002"]
    assert seen["after_enter"] == ["M002", "M003"] and seen["still_open"] is True
    assert seen["lead"] == "Ada Lowmoor is the lead member of this case already."
    assert seen["unknown"] == "No member has the membership number X999."
    assert seen["twice"] == "Carol Singer is listed already."
    assert seen["after_remove"] == ["M003"]
    summary = page.detail.summary.text()
    assert "Carol Singer (M003)" in summary and "Bob Bramble" not in summary
    assert [m.membership_number for m in get_case(db, case.id).other_members] == ["M003"]

    # Taking the last one off leaves an individual case.
    def remove_all(d: EditCaseDialog) -> None:
        d.other_list.item(0).setSelected(True)
        click(qtbot, d.remove_other_button)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(remove_all)
    click(qtbot, page.edit_button)
    assert "Other members" not in page.detail.summary.text()
    assert get_case(db, case.id).other_members == ()


def test_record_a_consent(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    case_id = _open(db, "M003", "Sickness review")
    _show(qtbot, ctx, page, case_id)
    assert page.detail.texts(page.detail.consents) == []
    seen: dict[str, Any] = {}

    def refused(d: ConsentDialog) -> None:
        seen["offered"] = [d.step.itemText(i) for i in range(d.step.count())]
        seen["date"] = d.recorded_on.date().toPython()
        click(qtbot, d.save_button)  # no step chosen yet
        seen["no_step"] = d.error_text("step")
        _choose(d.step, "Contact the member's GP/occupational health")
        click(qtbot, d.refused)
        type_into(qtbot, d.note, "Wants to speak to her GP herself first.")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(refused)
    click(qtbot, page.consent_button)
    assert "Notify ACAS (early conciliation)" in seen["offered"]
    assert "Share documents with the employer" in seen["offered"]
    assert "Refer to regional office" in seen["offered"]
    assert seen["date"] == date.today()
    assert seen["no_step"] == "Say what the member was asked to agree to."
    today = short_date(date.today())
    assert page.detail.texts(page.detail.consents) == [
        [
            "Contact the member's GP/occupational health",
            "No",
            today,
            "Wants to speak to her GP herself first.",
        ]
    ]
    assert page.detail.blocks.currentIndex() == 2  # the consents came forward
    assert page.detail.blocks.tabText(2) == "Consents (1)"

    # A step of the rep's own words, agreed.
    def agreed(d: ConsentDialog) -> None:
        type_into(qtbot, d.step, "Speak to the press officer")
        seen["default_yes"] = d.agreed.isChecked()
        click(qtbot, d.save_button)

    dialogs.dialogs.append(agreed)
    click(qtbot, page.consent_button)
    assert seen["default_yes"] is True
    rows = page.detail.texts(page.detail.consents)
    assert len(rows) == 2
    assert ["Speak to the press officer", "Yes", today, ""] in rows
    consents = get_case(db, case_id).consents
    assert {(c.step, c.consented) for c in consents} == {
        ("Contact the member's GP/occupational health", False),
        ("Speak to the press officer", True),
    }


def test_search_notes_finds_a_case_by_its_timeline(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    found = _open(db, "M001", "Rota")
    other = _open(db, "M003", "Pay")
    add_entry(
        db,
        found,
        EntryForm(
            happened_on=date.today() - timedelta(days=2),
            kind="meeting",
            title="Site visit",
            body="The member showed me the asbestos warning signs by the boiler room.",
        ),
    )
    add_entry(db, found, EntryForm(happened_on=date.today(), kind="note", title="Rang HR"))
    add_entry(db, other, EntryForm(happened_on=date.today(), kind="note", title="Pay slips"))
    ctx.changed(CASEWORK)
    qtbot.waitUntil(lambda: set(page.model.ids()) == {found, other}, timeout=5000)

    # The word is only in a timeline: the ordinary search does not find it.
    type_into(qtbot, page.filter_bar.edit, "asbestos")
    qtbot.waitUntil(lambda: page.model.ids() == [], timeout=5000)
    click(qtbot, page.search_notes)
    qtbot.waitUntil(lambda: page.model.ids() == [found], timeout=5000)
    assert page.count_label.text() == "1 case"
    assert "timeline" in page.count_label.toolTip()

    # Choose it: the entry that matched is highlighted, the timeline brought forward.
    qtbot.mouseClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=row_position(page.table, 0)
    )
    qtbot.waitUntil(lambda: page.detail.case is not None and page.detail.case.id == found)
    timeline = page.detail.timeline
    assert page.detail.blocks.currentIndex() == 0
    assert timeline.matching_rows() == [1]  # newest first: "Rang HR" is above it
    assert "Site visit" in page.detail.texts(timeline)[1][1]
    assert "1 timeline entry matches" in page.detail.matches_label.text()
    assert not page.detail.matches_label.isHidden()

    # A prefix finds it too; a word in no note finds nothing.
    type_into(qtbot, page.filter_bar.edit, "asbest boiler")
    qtbot.waitUntil(lambda: page.model.ids() == [found], timeout=5000)
    type_into(qtbot, page.filter_bar.edit, "pay")
    qtbot.waitUntil(lambda: page.model.ids() == [other], timeout=5000)
    type_into(qtbot, page.filter_bar.edit, "giraffe")
    qtbot.waitUntil(lambda: page.model.ids() == [], timeout=5000)

    # Back to the ordinary search: the highlight goes.
    type_into(qtbot, page.filter_bar.edit, "")
    click(qtbot, page.search_notes)
    qtbot.waitUntil(lambda: set(page.model.ids()) == {found, other}, timeout=5000)
    page.show_case(found)
    assert page.detail.timeline.matching_rows() == []
    assert page.detail.matches_label.isHidden()


def test_edit_a_timeline_entry(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    page = tab.cases_page
    case_id = _open(db, "M001", "Rota")
    long_text = " ".join(["The manager said the rota would change again next month."] * 12)
    add_entry(
        db,
        case_id,
        EntryForm(date.today() - timedelta(days=5), "meeting", "First meeting", long_text),
    )
    add_entry(
        db,
        case_id,
        EntryForm(date.today() - timedelta(days=1), "phone_call", "Rang the member", "", True),
    )
    _show(qtbot, ctx, page, case_id)
    timeline = page.detail.timeline
    rows = page.detail.texts(timeline)
    # Newest first; the confidential one marked; the long text kept whole and wrapped.
    assert rows[0] == [
        f"{short_date(date.today() - timedelta(days=1))}\nPhone call",
        "🔒 Confidential: Rang the member",
    ]
    assert rows[1][1] == f"First meeting\n{long_text}"
    assert timeline.rowHeight(1) > 3 * timeline.rowHeight(0)
    seen: dict[str, Any] = {}

    def change(d: EntryDialog) -> None:
        seen["title"] = d.title.text()
        seen["body"] = d.body.toPlainText()
        seen["kind"] = d.kind.currentText()
        type_into(qtbot, d.title, "First meeting with the manager")
        type_into(qtbot, d.body, "Rota to change back in May.")
        click(qtbot, d.confidential)
        click(qtbot, d.save_button)

    dialogs.dialogs.append(change)
    double_click_row(qtbot, timeline, 1)
    assert seen == {"title": "First meeting", "body": long_text, "kind": "Meeting"}
    rows = page.detail.texts(timeline)
    assert rows[1][1] == (
        "🔒 Confidential: First meeting with the manager\nRota to change back in May."
    )
    assert len(get_case(db, case_id).timeline) == 2  # changed, not added

    # Changed by someone else meanwhile: refused, explained, and shown as it now is.
    def stale(d: EntryDialog) -> None:
        entry = next(e for e in get_case(db, case_id).timeline if e.title == "Rang the member")
        update_entry(
            db,
            entry.id,
            EntryForm(
                entry.happened_on,
                "phone_call",
                "Rang the member twice",
                "",
                True,
                version=entry.version,
            ),
        )
        type_into(qtbot, d.title, "Mine")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(stale)
    double_click_row(qtbot, timeline, 0)
    [(title, text)] = dialogs.messages("error")
    assert "changed" in title and "Nothing was saved" in text
    assert page.detail.texts(timeline)[0][1] == "🔒 Confidential: Rang the member twice"


def test_a_long_timeline_opens_and_every_row_is_measured(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, db: Database
) -> None:
    case_id = _open(db, "M001", "Long running")
    long_text = "A long note about the hearing. " * 40
    for n in range(150):
        body = long_text if n % 50 == 0 else f"Short note {n}"
        add_entry(db, case_id, EntryForm(date(2026, 1, 1) + timedelta(days=n), "note", "", body))
    page = tab.cases_page
    _show(qtbot, ctx, page, case_id)
    timeline = page.detail.timeline
    assert timeline.rowCount() == 150
    qtbot.waitUntil(lambda: not timeline.measuring(), timeout=5000)
    heights = [timeline.rowHeight(r) for r in range(150)]
    # Newest first: rows 0, 50 and 100 are the notes of days 149, 99 and 49 (short), and the
    # long ones (days 0, 50, 100) fall at rows 149, 99 and 49, measured in later batches.
    short = heights[0]
    assert all(heights[r] > 3 * short for r in (49, 99, 149))
    assert all(heights[r] == short for r in (0, 50, 100))
