"""Outsourcing reports (the watch list workbook and the briefing PDF) and the CSV importer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from branchdesk.members.importer import ImportRefused
from branchdesk.money import Money
from branchdesk.outsourcing.csv_import import check_contracts_csv, import_contracts_csv
from branchdesk.outsourcing.models import Contract, ContractSupplier
from branchdesk.outsourcing.ocds import read_ocds
from branchdesk.outsourcing.reports import (
    WATCH_COLUMNS,
    briefing,
    export_briefing,
    export_contracts,
)
from branchdesk.outsourcing.service import ContractForm, create_contract, import_records
from branchdesk.store.database import Database
from branchdesk.store.listing import Column

SAMPLES = Path(__file__).resolve().parent / "data" / "ocds" / "contracts-finder"
TODAY = date(2026, 11, 23)


def _count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Contract)) or 0


def _fill(db: Database) -> None:
    create_contract(
        db,
        ContractForm(
            service='=HYPERLINK("http://x")',
            authority="Northmoor Council",
            contractors=["Acme Cleaning <b>Ltd</b>", "Bravo & Sons"],
            status="outsourced",
            value=Money.parse("1,250,000.50"),
            start_on=date(2022, 4, 1),
            end_on=date(2028, 3, 31),
            max_end_on=date(2029, 3, 31),
            tupe_staff=42,
            recognises_union=True,
            pay_notes="+ two-tier",
        ),
    )
    create_contract(
        db,
        ContractForm(
            service="Grounds maintenance",
            authority="Eastvale Council",
            contractors=["Acme Cleaning <b>Ltd</b>"],
            value=Money.parse("300000"),
            start_on=date(2020, 1, 1),
            end_on=date(2027, 6, 30),
            break_on=date(2026, 12, 31),  # decision point passed, contract still running
            tupe_staff=12,
        ),
    )
    create_contract(
        db,
        ContractForm(
            service="Parking", authority="Eastvale Council", end_on=date(2035, 1, 1), tupe_staff=5
        ),
    )
    create_contract(db, ContractForm(service="Leisure", status="returned_in_house"))
    for path in sorted(SAMPLES.glob("*.json"))[:3]:
        import_records(db, read_ocds(path).records, today=TODAY)


def test_watch_list_workbook_reads_back_typed(db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _fill(db)
    out = tmp_path / "watch.xlsx"
    count = export_contracts(db, out, "Test Branch", TODAY, 12)
    assert count == _count(db) == 7
    sheet = load_workbook(out)["Contracts"]
    headers = [c.value for c in sheet[4]]
    assert headers == [c.header for c in WATCH_COLUMNS]
    for name in (
        "ocid",
        "buyer/name",
        "tender/title",
        "awards/0/suppliers/0/name",
        "awards/0/value/amount",
        "awards/0/value/currency",
        "awards/0/contractPeriod/startDate",
        "awards/0/contractPeriod/endDate",
        "awards/0/contractPeriod/maxExtentDate",
    ):
        assert name in headers
    col = {h: i for i, h in enumerate(headers)}
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    services = [r[col["Service"]] for r in rows]
    # By decision point: the break on 31/12/2026 comes before the end on 31/03/2027.
    assert services.index("Grounds maintenance") < services.index('=HYPERLINK("http://x")')
    first = rows[services.index("Grounds maintenance")]
    assert first[col["Service"]] == "Grounds maintenance"
    assert first[col["Break"]].date() == date(2026, 12, 31)
    assert first[col["Decision point"]].date() == date(2025, 12, 31)
    mine = next(r for r in rows if r[col["Authority"]] == "Northmoor Council")
    cell = next(
        c
        for c in next(sheet.iter_rows(min_row=5 + rows.index(mine)))
        if c.column == col["Service"] + 1
    )
    assert cell.data_type == "s" and mine[col["Service"]] == '=HYPERLINK("http://x")'
    assert mine[col["Value (£)"]] == Decimal("1250000.50") or mine[col["Value (£)"]] == 1250000.5
    assert mine[col["Contractors"]] == "Acme Cleaning <b>Ltd</b>; Bravo & Sons"
    assert mine[col["Status"]] == "Outsourced and running"
    assert mine[col["TUPE staff"]] == 42
    assert mine[col["Recognises union"]] == "Yes"
    assert mine[col["Pay notes"]] == "+ two-tier"
    assert mine[col["End with extensions"]].date() == date(2029, 3, 31)
    assert mine[col["ocid"]] is None and mine[col["buyer/name"]] is None  # not published
    published = [r for r in rows if r[col["ocid"]]]
    assert len(published) == 3
    for row in published:
        assert row[col["ocid"]].startswith("ocds-b5fd17")
        assert row[col["buyer/name"]] == row[col["Authority"]]
        amount = row[col["awards/0/value/amount"]]
        assert amount is None or isinstance(amount, int | float)
        end = row[col["awards/0/contractPeriod/endDate"]]
        assert end is None or end.year > 2000


def test_export_contracts_refuses_other_suffixes(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"list\.pdf"):
        export_contracts(db, tmp_path / "list.pdf", "B", TODAY, 12)
    assert not (tmp_path / "list.pdf").exists()


def _pdf_text(path: Path) -> tuple[str, list[str]]:
    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(path).pages]
    return " ".join(" ".join(pages).split()), pages


def test_briefing_lists_soonest_decisions_totals_and_staff(db: Database, tmp_path: Path) -> None:
    _fill(db)
    brief = briefing(db, TODAY, 12)
    assert [line.service for line in brief.overdue] == ["Grounds maintenance"]
    assert [line.service for line in brief.upcoming][:1] == ['=HYPERLINK("http://x")']
    out = tmp_path / "briefing.pdf"
    assert export_briefing(db, out, "Branch <b>&", TODAY, 12) == out
    text, pages = _pdf_text(out)
    assert "Branch <b>&" in text and "Outsourcing briefing" in text
    assert "Confidential" not in text  # contracts are public
    assert f"Page 1 of {len(pages)}" in text and f"Page {len(pages)} of {len(pages)}" in text
    assert "Decisions due in the next 18 months" in text
    assert "Decisions overdue" in text and "Grounds maintenance" in text
    assert text.index("Decisions due") < text.index('=HYPERLINK("http://x")')
    assert "Acme Cleaning <b>Ltd</b>" in text  # escaped, printed as written
    # Totals: a contract shared by two contractors counts against each of them.
    assert "Totals by contractor" in text and "£1,550,000.50" in text
    assert "Bravo & Sons 1 £1,250,000.50" in text
    assert "Totals by authority" in text and "Eastvale Council" in text
    assert "Staff affected" in text and "TUPE staff" in text
    assert "Timeline" in text and "Decision point" in text and "today" in text


def test_briefing_chart_pages_and_authority(db: Database, tmp_path: Path) -> None:
    for n in range(70):
        create_contract(
            db,
            ContractForm(
                service=f"Service {n:02d}",
                authority="Big Council" if n % 2 else "Small Council",
                contractors=[f"Firm {n % 7}"],
                start_on=date(2020, 1, 1),
                end_on=date(2027, 1, 1 + n % 28),
                max_end_on=date(2029, 1, 1),
                tupe_staff=n,
            ),
        )
    out = tmp_path / "big.pdf"
    export_briefing(db, out, "B", TODAY, 12)
    text, _ = _pdf_text(out)
    assert "Timeline (1 of 3)" in text and "Timeline (3 of 3)" in text
    out2 = tmp_path / "small.pdf"
    export_briefing(db, out2, "B", TODAY, 12, authority="Small Council")
    text2, _ = _pdf_text(out2)
    assert "Small Council" in text2 and "Big Council" not in text2
    assert "Timeline (1 of 2)" in text2
    with pytest.raises(ValueError, match="Nowhere"):
        export_briefing(db, tmp_path / "none.pdf", "B", TODAY, 12, authority="Nowhere")


def test_briefing_of_an_empty_register(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    export_briefing(db, out, "B", TODAY, 12)
    text, _ = _pdf_text(out)
    assert "0 contracts" in text and "None." in text


GOOD = (
    "Service,Council,Contractor(s),Status,Value,Start,End,End with extensions,Break,"
    "TUPE staff,Notes\n"
    'School catering,Northmoor Council,Acme Ltd; Bravo Ltd,Out to tender,"£1,200,000",'
    "01/04/2022,2027-03-31,31/03/2029,,35,'=not a formula\n"
    "Street cleaning,Northmoor Council,Clean Co,awarded,500000.00,2021-01-01,2028-01-01,,"
    "2026-12-31,,\n"
)


def test_csv_import_good_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(GOOD, encoding="utf-8")
    plan = check_contracts_csv(path)
    assert plan.ok, plan.problems
    result = import_contracts_csv(db, path)
    assert result.created == 2
    with db.read() as session:
        first = session.get(Contract, result.ids[0])
        assert first is not None
        assert first.status == "out_to_tender" and first.value == Money(120_000_000)
        assert first.start_on == date(2022, 4, 1) and first.max_end_on == date(2029, 3, 31)
        assert first.tupe_staff == 35 and first.notes == "=not a formula"
        names = session.scalars(
            select(ContractSupplier.name)
            .where(ContractSupplier.contract_id == first.id)
            .order_by(ContractSupplier.position)
        ).all()
        assert names == ["Acme Ltd", "Bravo Ltd"]
        second = session.get(Contract, result.ids[1])
        assert second is not None
        assert second.status == "awarded" and second.critical_on == date(2026, 12, 31)


def test_csv_import_reports_every_bad_row_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Service,Authority,Status,Value,Start,End,TUPE staff,Colour\n"
        "Good one,Council,outsourced,100,2020-01-01,2030-01-01,3,blue\n"
        "Bad status,Council,privatised,100,2020-01-01,2030-01-01,3,\n"
        "Bad money,Council,,12.345,2020-01-01,2030-01-01,,\n"
        "Bad date,Council,,,31/02/2020,03/04/21,,\n"
        "Ends first,Council,,,2030-01-01,2020-01-01,-4,\n"
        ",Council,,,,,,\n"
        "Short row,Council\n",
        encoding="utf-8",
    )
    plan = check_contracts_csv(path)
    found = {(p.line, p.column) for p in plan.problems}
    assert (3, "Status") in found
    assert (4, "Value") in found
    assert (5, "Start") in found and (5, "End") in found
    assert (6, "TUPE staff") in found
    assert (7, "Service") in found
    assert (8, "") in found
    assert any("Colour" in w for w in plan.warnings)
    assert "two-digit year" in str(plan.problems)
    with pytest.raises(ImportRefused, match="nothing was imported"):
        import_contracts_csv(db, path)
    assert _count(db) == 0


def test_csv_import_refuses_files_without_contracts(tmp_path: Path) -> None:
    assert not check_contracts_csv(tmp_path / "missing.csv").ok
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "empty" in str(check_contracts_csv(empty).problems)
    header = tmp_path / "header.csv"
    header.write_text("Authority,End\n", encoding="utf-8")
    assert any(p.column == "Service" for p in check_contracts_csv(header).problems)


def test_watch_columns_are_distinct() -> None:
    headers = [c.header for c in WATCH_COLUMNS]
    assert len(headers) == len(set(headers))
    assert all(isinstance(c, Column) for c in WATCH_COLUMNS)
