"""Casework exports: the case list, a case summary, the caseload report and deadline calendars."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from branchdesk.casework.calendar import PRODID, export_deadlines_ics
from branchdesk.casework.codes import EntryKind
from branchdesk.casework.documents import attach_document
from branchdesk.casework.listing import CaseFilter
from branchdesk.casework.models import Case
from branchdesk.casework.reports import (
    AGE_BANDS,
    caseload,
    export_case_summary,
    export_caseload,
    export_cases,
)
from branchdesk.casework.service import (
    CaseForm,
    EntryForm,
    add_deadline,
    add_entry,
    close_case,
    move_stage,
    open_case,
    set_deadline_done,
)
from branchdesk.members.service import MemberForm, create_member
from branchdesk.store.database import Database

TODAY = date(2026, 11, 23)
BRANCH = "Northmoor <Branch> & Co"
HOSTILE_TITLE = "<b>Smith & Sons</b>"
IMG = '<img src="/etc/passwd">'
FORMULA = "=1+1"
LONG_NOTE = " ".join(f"word{i:04d}" for i in range(556))[:5000]


def _member(db: Database, number: str, first: str, last: str, **kw: object) -> None:
    form = MemberForm(
        membership_number=number,
        first_name=first,
        last_name=last,
        employer="Northmoor Borough Council (demo)",
        date_joined=date(2020, 1, 6),
    )
    for key, value in kw.items():
        setattr(form, key, value)
    create_member(db, form)


def _case(db: Database, number: str, **kw: object) -> tuple[int, str]:
    form = CaseForm(
        membership_number=number,
        case_type="grievance",
        sub_type="Workload",
        title="Workload grievance",
        rep="Rep One",
        opened_on=date(2026, 10, 1),
        problem_arose_on=date(2026, 9, 1),
    )
    for key, value in kw.items():
        setattr(form, key, value)
    reference = open_case(db, form, today=TODAY)
    with db.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
    assert case_id is not None
    return case_id, reference


@pytest.fixture
def branch(db: Database, tmp_path: Path) -> dict[str, object]:
    """A hostile-text case with a long timeline, a collective, a closed and an old case."""
    _member(db, "M1", "Zelda", "Quarrington", job_title=FORMULA)
    _member(db, "M2", "Yusuf", "Pemberton")
    _member(db, "M3", "Xanthe", "Oakhurst")
    main_id, main_ref = _case(
        db,
        "M1",
        title=HOSTILE_TITLE,
        sub_type=IMG,
        employer="<b>Smith & Sons</b>",
        rep="Rep One",
        second_rep="Rep Two",
        other_members=["M2"],
    )
    move_stage(db, main_id, "investigating", date(2026, 10, 5), 1, note=FORMULA, today=TODAY)
    entries = [
        EntryForm(date(2026, 10, 2), EntryKind.NOTE, title="First note", body=LONG_NOTE),
        EntryForm(date(2026, 10, 3), EntryKind.MEETING, title=HOSTILE_TITLE, body=IMG),
        EntryForm(
            date(2026, 10, 4),
            EntryKind.PHONE,
            title="Private call",
            body="Health details",
            confidential=True,
        ),
    ]
    entries += [
        EntryForm(date(2026, 10, 6), EntryKind.NOTE, title=f"Entry {n:03d}", body=LONG_NOTE[:900])
        for n in range(40)
    ]
    for entry in entries:
        add_entry(db, main_id, entry, today=TODAY)
    tribunal = add_deadline(
        db,
        main_id,
        "Employment tribunal claim",
        date(2026, 12, 1),
        rule="tribunal.general",
        working="Last day of employment: 2 September 2026\nPlus 3 months less a day",
    )
    done = add_deadline(db, main_id, "Appeal letter", date(2026, 11, 1))
    set_deadline_done(db, done, date(2026, 10, 30), 1)
    source = tmp_path / "letter <1>.txt"
    source.write_text("the letter")
    attach_document(db, main_id, source, today=TODAY)

    closed_id, closed_ref = _case(db, "M3", case_type="disciplinary", opened_on=date(2026, 3, 2))
    add_deadline(db, closed_id, "Closed case deadline", date(2026, 12, 5))
    close_case(db, closed_id, "won", date(2026, 6, 10), 1, remedy="Reinstated", today=TODAY)
    old_id, old_ref = _case(db, "M2", opened_on=date(2025, 1, 15), rep="Rep Two")
    add_deadline(db, old_id, "Hearing bundle", date(2026, 11, 20))  # overdue, still listed
    return {
        "main": (main_id, main_ref, tribunal),
        "closed": (closed_id, closed_ref),
        "old": (old_id, old_ref),
    }


def _pdf_text(path: Path) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(path).pages]
    return pages, "\n".join(pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --------------------------------------------------------------------------------------------
# The case list


def test_case_list_xlsx_has_typed_cells_and_text_never_becomes_a_formula(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    out = tmp_path / "cases.xlsx"
    count = export_cases(db, out, CaseFilter(status="open"), BRANCH)
    assert count == 2
    sheet = load_workbook(out)["Cases"]
    assert "Confidential" in sheet["A1"].value and BRANCH in sheet["A1"].value
    assert sheet["A2"].value.startswith("Produced") and "open cases" in sheet["A2"].value
    assert [c.value for c in sheet[4]][:3] == ["Reference", "Member", "Number"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5) if r[0].value}
    main_ref = branch["main"][1]
    row = rows[main_ref]
    assert row[1].value == "Quarrington, Zelda"
    assert row[4].value == "<b>Smith & Sons</b>" and row[4].data_type == "s"
    assert row[7].value.date() == date(2026, 10, 1) and row[7].number_format == "dd/mm/yyyy"
    assert row[8].value.date() == date(2026, 12, 1)
    assert branch["closed"][1] not in rows


def test_case_list_filters_by_rep_and_type_and_writes_pdf(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    out = tmp_path / "cases.pdf"
    assert export_cases(db, out, CaseFilter(rep="Rep Two"), BRANCH) == 2
    pages, text = _pdf_text(out)
    assert "Confidential — contains personal data" in pages[0]
    assert "Page 1 of" in pages[0] and "rep Rep Two" in text
    assert "<b>Smith & Sons</b>" in text
    assert export_cases(db, out, CaseFilter(case_type="disciplinary"), BRANCH) == 1
    with pytest.raises(ValueError, match=r"\.xlsx or \.pdf"):
        export_cases(db, tmp_path / "cases.docx", CaseFilter(), BRANCH)


# --------------------------------------------------------------------------------------------
# The case summary


def test_case_summary_prints_every_part_with_user_text_as_written(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    case_id, reference, _ = branch["main"]
    out = tmp_path / "summary.pdf"
    export_case_summary(db, case_id, out, BRANCH, TODAY)
    pages, text = _pdf_text(out)
    flat = _squash(text)
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Confidential — contains personal data" in page
        assert BRANCH in page
    assert f"Case summary — {reference}" in pages[0]
    # Member, other member and case details.
    for expected in (
        "Zelda Quarrington",
        "M1",
        "=1+1",
        "06/01/2020",
        "Current",
        "Yusuf Pemberton",
        "Rep Two",
        "Investigating since 05/10/2026",
        "01/09/2026",
    ):
        assert expected in flat, expected
    # Escaped text prints as written; nothing was embedded.
    assert "<b>Smith & Sons</b>" in flat and '<img src="/etc/passwd">' in flat
    reader = PdfReader(out)
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        assert "/XObject" not in resources
    # Stage history and timeline: every entry, including those split over pages.
    assert "Opened" in flat and "Investigating" in flat
    for n in range(40):
        assert f"Entry {n:03d}" in flat
    # The 5,000-character note is there once, whole (the other entries repeat its first 100 words).
    assert all(flat.count(f"word{i:04d}") == 1 for i in range(100, 555))
    # The entry marked confidential is left out of a summary (which gets handed over), and said
    # to be; asked for, it is printed and marked.
    assert "Private call" not in flat and "Health details" not in flat
    assert "1 confidential entry is left out of this summary." in flat
    full = tmp_path / "summary-full.pdf"
    export_case_summary(db, case_id, full, BRANCH, TODAY, include_confidential=True)
    full_text = _squash(_pdf_text(full)[1])
    assert "Private call [confidential]" in full_text and "Health details" in full_text
    assert "left out of this summary" not in full_text
    # Deadlines with days remaining, done dates and the working.
    assert "Employment tribunal claim" in flat and "8 days left" in flat.lower()
    assert "Done 30/10/2026" in flat and "Plus 3 months less a day" in flat
    # Documents.
    assert "letter <1>.txt" in flat and "10 bytes" in flat


def test_case_summary_of_a_closed_case_shows_the_outcome(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    case_id, _ = branch["closed"]
    out = tmp_path / "closed.pdf"
    export_case_summary(db, case_id, out, BRANCH, TODAY)
    flat = _squash(_pdf_text(out)[1])
    assert "Outcome Won" in flat and "Reinstated" in flat and "Closed 10/06/2026" in flat
    assert "No documents." in flat and "No timeline entries." in flat


def test_case_summary_refuses_other_formats_and_unknown_cases(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"\.pdf"):
        export_case_summary(db, branch["main"][0], tmp_path / "s.xlsx", BRANCH, TODAY)
    with pytest.raises(KeyError):
        export_case_summary(db, 999, tmp_path / "s.pdf", BRANCH, TODAY)
    assert not (tmp_path / "s.pdf").exists()


# --------------------------------------------------------------------------------------------
# The caseload report


def test_caseload_figures(db: Database, branch: dict[str, object]) -> None:
    load = caseload(db, TODAY)
    assert load.open_total == 2
    assert dict(load.by_type) == {"Grievance": 2}
    assert dict(load.by_stage) == {"Opened": 1, "Investigating": 1}
    assert dict(load.by_rep) == {"Rep One": 1, "Rep Two": 1}
    ages = dict(load.ages)
    assert list(ages) == list(AGE_BANDS)
    assert ages["1–3 months"] == 1 and ages["Over 12 months"] == 1
    months = {m: (o, c) for m, o, c in load.months}
    assert len(months) == 12 and min(months) == date(2025, 12, 1)
    assert months[date(2026, 10, 1)] == (1, 0)
    assert months[date(2026, 3, 1)] == (1, 0) and months[date(2026, 6, 1)] == (0, 1)
    assert [o.reference for o in load.oldest] == [branch["old"][1], branch["main"][1]]
    assert load.oldest[0].age_days == (TODAY - date(2025, 1, 15)).days


def test_caseload_xlsx_has_one_sheet_per_table(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    out = tmp_path / "caseload.xlsx"
    export_caseload(db, out, BRANCH, TODAY)
    book = load_workbook(out)
    assert book.sheetnames == [
        "By type",
        "By stage",
        "By employer",
        "By rep",
        "Ages",
        "Per month",
        "Oldest open",
    ]
    for sheet in book.worksheets:
        assert "Confidential" in sheet["A1"].value
        assert sheet["A2"].value.startswith("Produced")
    by_employer = book["By employer"]
    assert by_employer["A5"].value == "<b>Smith & Sons</b>" and by_employer["B5"].value == 1
    assert by_employer["B5"].data_type == "n"
    per_month = book["Per month"]
    assert per_month["A4"].value == "Month" and per_month.max_row == 16
    assert per_month["B5"].number_format == "dd/mm/yyyy"
    assert per_month["B5"].value.date() == date(2025, 12, 1)
    oldest = book["Oldest open"]
    assert oldest["A5"].value == branch["old"][1]
    assert oldest["G5"].value == (TODAY - date(2025, 1, 15)).days


def test_caseload_pdf_has_the_tables_and_a_labelled_chart(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    out = tmp_path / "caseload.pdf"
    export_caseload(db, out, BRANCH, TODAY)
    pages, text = _pdf_text(out)
    flat = _squash(text)
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "Confidential — contains personal data" in pages[0]
    for heading in (
        "Open cases by type",
        "Open cases by stage",
        "Open cases by employer",
        "Open cases by rep",
        "How long open cases have been open",
        "Cases opened and closed per month",
        "The 10 oldest open cases",
    ):
        assert heading in flat
    assert "Opened" in flat and "Closed" in flat and "Dec 25" in flat and "Nov 26" in flat
    assert "<b>Smith & Sons</b>" in flat
    with pytest.raises(ValueError):
        export_caseload(db, tmp_path / "c.ics", BRANCH, TODAY)


# --------------------------------------------------------------------------------------------
# Calendar


def test_deadlines_ics_has_only_references_and_titles(
    db: Database, branch: dict[str, object], tmp_path: Path
) -> None:
    from icalendar import Calendar

    out = tmp_path / "deadlines.ics"
    assert export_deadlines_ics(db, out, TODAY) == 2
    raw = out.read_bytes()
    for private in (b"Zelda", b"Quarrington", b"Pemberton", b"Smith", b"Workload", b"Oakhurst"):
        assert private not in raw
    calendar = Calendar.from_ical(raw)
    assert str(calendar["PRODID"]) == PRODID
    events = calendar.walk("VEVENT")
    summaries = {str(e["SUMMARY"]): e for e in events}
    main_ref, old_ref = branch["main"][1], branch["old"][1]
    assert set(summaries) == {
        f"{main_ref}: Employment tribunal claim",
        f"{old_ref}: Hearing bundle",  # overdue but not met: still listed
    }
    tribunal = summaries[f"{main_ref}: Employment tribunal claim"]
    start = tribunal.decoded("DTSTART")
    assert start == date(2026, 12, 1) and type(start) is date
    assert str(tribunal["UID"]) == f"deadline-{branch['main'][2]}@branchdesk"
    assert tribunal.get("DTSTAMP") is not None
    alarms = tribunal.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == timedelta(days=-3)
    # UIDs are stable between exports.
    again = tmp_path / "again.ics"
    export_deadlines_ics(db, again, TODAY)
    uids = {str(e["UID"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT")}
    assert uids == {str(e["UID"]) for e in events}


def test_deadlines_ics_for_one_rep(db: Database, branch: dict[str, object], tmp_path: Path) -> None:
    from icalendar import Calendar

    out = tmp_path / "mine.ics"
    assert export_deadlines_ics(db, out, TODAY, rep="Rep One") == 1
    (event,) = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert "Employment tribunal claim" in str(event["SUMMARY"])
    with pytest.raises(ValueError, match=r"\.ics"):
        export_deadlines_ics(db, tmp_path / "mine.pdf", TODAY)
