"""The negotiation pack (PDF and spreadsheet) and the list of claims."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from branchdesk.demands.costing import Costing, annual_cost
from branchdesk.demands.queries import get_claim
from branchdesk.demands.reports import (
    _summaries,
    export_claim_pack,
    export_claims,
    pack_story,
)
from branchdesk.demands.service import (
    ClaimForm,
    DemandForm,
    MeetingForm,
    add_demand,
    add_evidence,
    add_meeting,
    claim_id_by_reference,
    create_claim,
    set_demand_status,
    store_survey,
)
from branchdesk.demands.survey import read_survey
from branchdesk.money import Money
from branchdesk.store.database import Database

TODAY = date(2026, 11, 23)
HOSTILE = "<b>Smith & Sons</b>"
FORMULA_TEXT = '=HYPERLINK("http://x")'


def _costing(kind: str, **changes: Any) -> Costing:
    values: dict[str, Any] = {
        "headcount": 120,
        "basis": "unit_cost",
        "current": Money(2_500_000),
        "change_kind": kind,
        "change": Decimal("5"),
        "hourly_rate": Money(1_337) if kind in ("hours", "days") else None,
        "pension_percent": Decimal("19.5"),
        "ni_percent": Decimal("13.8"),
    }
    values.update(changes)
    return Costing(**values)


COSTINGS = {
    "A pay rise of 5%": _costing("percent"),
    "5% on the pay bill": _costing("percent", basis="pay_bill", current=Money(98_765_43)),
    "£1,200.50 a year each": _costing("flat", change=Decimal("1200.50"), headcount=37),
    "An extra hour a week": _costing("hours", change=Decimal("1.5"), headcount=333),
    "Two more days' leave": _costing("days", change=Decimal("2"), headcount=41),
}


@pytest.fixture
def claim_id(db: Database, tmp_path: Path) -> int:
    reference = create_claim(
        db,
        ClaimForm(
            title=f"Claim for {HOSTILE}",
            employer=HOSTILE,
            bargaining_unit="Cleaners & caterers",
            submitted_on=None,
            lead_reps="Ash Rowan, Bea Hale",
            notes="PRIVATE-CLAIM-NOTE",
        ),
        today=TODAY,
    )
    claim_id = claim_id_by_reference(db, reference)
    assert claim_id is not None
    survey_csv = tmp_path / "survey.csv"
    survey_csv.write_text(
        "Respondent,Do you back the claim?,How stretched are you (1-5)?,Anything else?\n"
        "1,Yes,5,=1+1\n2,Yes,4,Too much overtime\n3,No,2,\n4,Yes,5,<i>tired</i>\n"
        f"5,{FORMULA_TEXT},3,\n",
        encoding="utf-8",
    )
    survey_id = store_survey(db, claim_id, "Autumn survey", read_survey(survey_csv), today=TODAY)
    for number, (title, costing) in enumerate(COSTINGS.items(), start=1):
        demand_id = add_demand(
            db,
            claim_id,
            DemandForm(
                title=title if number > 1 else HOSTILE,
                category="pay",
                priority="high",
                case_for=f"Because {HOSTILE} pay less\nthan anyone.",
                employer_response="Offered 2% & nothing else",
                costing=costing,
            ),
            today=TODAY,
        )
        if number == 1:
            add_evidence(
                db,
                demand_id,
                "survey_result",
                "Members back the claim",
                survey_id=survey_id,
                question=1,
            )
            add_evidence(
                db,
                demand_id,
                "survey_result",
                "Members are stretched",
                survey_id=survey_id,
                question=2,
            )
            add_evidence(
                db, demand_id, "member_quote", detail="“I can't pay the rent”", source=FORMULA_TEXT
            )
            set_demand_status(db, demand_id, "partly_agreed", TODAY, 1, "3% offered", TODAY)
    add_demand(db, claim_id, DemandForm(title="Uncosted demand", category="voice"), today=TODAY)
    add_meeting(
        db,
        claim_id,
        MeetingForm(
            held_on=date(2026, 11, 2),
            union_side="Ash Rowan",
            employer_side="HR director",
            notes="PRIVATE-MEETING-NOTE",
            union_proposals="5% for all",
            employer_proposals="2%",
            actions="Employer to cost the hours",
        ),
    )
    return claim_id


def _pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def test_pack_pdf(db: Database, claim_id: int, tmp_path: Path) -> None:
    out = export_claim_pack(db, claim_id, tmp_path / "pack.pdf", "Northmoor & District", TODAY)
    pages = _pdf_text(out)
    everything = "\n".join(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert "Negotiation pack" in pages[0] and "Draft" in pages[0]
    assert "Cleaners & caterers" in pages[0] and "Ash Rowan, Bea Hale" in pages[0]
    assert "Confidential" not in everything
    assert "PRIVATE" not in everything  # the claim's and the meetings' own notes stay out
    claim = get_claim(db, claim_id)
    for detail in claim.demands:
        assert detail.demand.title in everything
    assert HOSTILE in everything and "&amp;" not in everything and "<b>" in everything
    assert str(claim.total_cost) in everything
    assert claim.total_cost == sum(
        (annual_cost(c).total for c in COSTINGS.values()), start=Money(0)
    )
    # The contents list each section with the page it starts on (the text layer gives the
    # dotted leaders and page numbers in entry order).
    numbers = [int(n) for n in re.findall(r"\.\s+(\d+)\n", pages[1])]
    headings = ["Summary of demands"]
    headings += [f"{n}. {d.demand.title}" for n, d in enumerate(claim.demands, start=1)]
    headings.append("Meetings")
    starts = [next(i for i, p in enumerate(pages[2:], start=3) if h in p) for h in headings]
    assert numbers == starts and len(pages) >= starts[-1]
    for heading in headings:
        assert heading in pages[1]
    assert "Meeting on 2 November 2026" in everything and "Employer to cost the hours" in everything
    assert "How it is worked out" in everything and "3% offered" in everything


def test_pack_story_draws_the_survey_charts(db: Database, claim_id: int) -> None:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.graphics.shapes import Drawing

    claim = get_claim(db, claim_id)
    story = pack_story(claim, _summaries(db, claim), "Branch", TODAY)

    def walk(items: Any) -> Any:
        for item in items:
            yield item
            for row in getattr(item, "_cellvalues", []):
                yield from walk(row)

    drawings = [f for f in walk(story) if isinstance(f, Drawing)]
    kinds = {type(c) for d in drawings for c in d.contents}
    assert kinds == {HorizontalBarChart, VerticalBarChart}
    choice = next(d for d in drawings if isinstance(d.contents[0], HorizontalBarChart)).contents[0]
    assert choice.data == [[1, 1, 3]]  # most chosen drawn on top: reversed
    assert choice.categoryAxis.categoryNames[-1] == "Yes"
    assert FORMULA_TEXT in choice.categoryAxis.categoryNames  # a plain label, never parsed


def test_pack_pdf_page_with_a_chart_has_drawing_ops(
    db: Database, claim_id: int, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    out = export_claim_pack(db, claim_id, tmp_path / "pack.pdf", "Branch", TODAY)
    reader = PdfReader(out)
    page = next(p for p in reader.pages if "Members back the claim" in p.extract_text())
    ops = page.get_contents().get_data().decode("latin-1")
    assert ops.count(" re") > 10  # the bars (and table cells) are drawn as rectangles
    assert "60.0%" in page.extract_text()  # a bar's label and the figures beside the chart


def _evaluate(formula: str, sheet: Any) -> Decimal:
    """Evaluate our simple formulas (cells, + * /, ROUND, SUM of a column range) in Decimal."""

    def value(ref: str) -> str:
        cell = sheet[ref].value
        if isinstance(cell, str) and cell.startswith("="):
            return f"Decimal('{_evaluate(cell, sheet)}')"
        return f"Decimal('{cell if cell is not None else 0}')"

    def total(match: re.Match[str]) -> str:
        col, first, last = match.group(1), int(match.group(2)), int(match.group(3))
        return "(" + "+".join(value(f"{col}{r}") for r in range(first, last + 1)) + ")"

    expr = re.sub(r"SUM\(([A-Z])(\d+):\1(\d+)\)", total, formula[1:])
    expr = re.sub(r"\b([A-Z])(\d+)\b", lambda m: value(m.group(0)), expr)
    expr = expr.replace("ROUND(", "rnd(")

    def rnd(number: Decimal, places: int) -> Decimal:
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    return eval(expr, {"Decimal": Decimal, "rnd": rnd})  # our own formulas, parsed above


def test_pack_xlsx(db: Database, claim_id: int, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = export_claim_pack(db, claim_id, tmp_path / "pack.xlsx", "Branch", TODAY)
    book = load_workbook(out)
    assert book.sheetnames == ["Demands", "Costing", "Survey"]
    demands = book["Demands"]
    assert [c.value for c in demands[4]][:6] == [
        "No.",
        "Demand",
        "Category",
        "Priority",
        "Status",
        "Annual cost",
    ]
    assert demands["B5"].value == HOSTILE and demands["A5"].value == 1
    claim = get_claim(db, claim_id)
    first = claim.demands[0].cost
    assert first is not None
    assert Decimal(str(demands["F5"].value)) == first.total.to_decimal()
    assert "£" in demands["F5"].number_format
    assert demands["F10"].value is None  # the uncosted demand
    assert demands["F11"].value == "=SUM(F5:F10)"
    assert _evaluate(demands["F11"].value, demands) == claim.total_cost.to_decimal()

    costing = book["Costing"]
    rows = list(costing.iter_rows(min_row=5, max_row=9))
    assert len(rows) == len(COSTINGS) and costing["B10"].value == "Total"
    for row, detail in zip(rows, claim.demands, strict=False):
        r = row[0].row
        cost = detail.cost
        assert cost is not None
        assert costing[f"C{r}"].data_type == "n"  # inputs are numbers to edit
        for col, expected in zip(
            "MNOP", (cost.direct, cost.pension, cost.ni, cost.total), strict=True
        ):
            cell = costing[f"{col}{r}"]
            assert cell.data_type == "f" and cell.value.startswith("=")
            assert _evaluate(cell.value, costing) == expected.to_decimal(), (col, r, cell.value)
    assert costing["M5"].value == "=ROUND(C5*E5*G5/100,2)"
    assert costing["M6"].value == "=ROUND(E6*G6/100,2)"
    assert costing["M7"].value == "=ROUND(C7*G7,2)"
    assert costing["M8"].value == "=ROUND(C8*G8*H8*J8,2)"
    assert costing["M9"].value == "=ROUND(C9*G9*I9*H9,2)"
    assert costing["P10"].value == "=SUM(P5:P9)"
    assert _evaluate(costing["P10"].value, costing) == claim.total_cost.to_decimal()
    # Editing a headcount recomputes: double it and the direct cost doubles (percent, per head).
    costing["C5"].value = 240
    direct = _evaluate(costing["M5"].value, costing)
    assert direct == 2 * claim.demands[0].cost.direct.to_decimal()  # type: ignore[union-attr]

    survey = book["Survey"]
    values = [[c.value for c in row] for row in survey.iter_rows(min_row=5)]
    yes = next(v for v in values if v[1] == 1 and v[4] == "Yes")
    assert yes[5] == 3 and yes[6] == pytest.approx(0.6) and yes[9] == 5
    assert survey.cell(row=values.index(yes) + 5, column=7).number_format == "0.0%"
    scale = [v for v in values if v[1] == 2]
    assert [v[4] for v in scale] == ["2", "3", "4", "5"] and scale[0][7] == pytest.approx(3.8)
    # User text beginning with "=" is stored as text, not as a formula.
    for row in survey.iter_rows(min_row=5):
        for cell in row:
            if cell.value in (FORMULA_TEXT, "=1+1"):
                assert cell.data_type == "s"
    assert FORMULA_TEXT in [v[4] for v in values] and "=1+1" in [v[4] for v in values]


def test_pack_refuses_other_files_and_missing_claims(
    db: Database, claim_id: int, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"pack\.docx"):
        export_claim_pack(db, claim_id, tmp_path / "pack.docx", "Branch", TODAY)
    with pytest.raises(KeyError):
        export_claim_pack(db, claim_id + 99, tmp_path / "pack.pdf", "Branch", TODAY)
    assert not (tmp_path / "pack.pdf").exists()


def test_pack_of_an_empty_claim(db: Database, tmp_path: Path) -> None:
    reference = create_claim(db, ClaimForm(title="Empty", employer="Council"), today=TODAY)
    claim_id = claim_id_by_reference(db, reference)
    assert claim_id is not None
    pdf = export_claim_pack(db, claim_id, tmp_path / "e.pdf", "Branch", TODAY)
    assert "No meetings yet." in "".join(_pdf_text(pdf))
    from openpyxl import load_workbook

    book = load_workbook(export_claim_pack(db, claim_id, tmp_path / "e.xlsx", "Branch", TODAY))
    assert book.sheetnames == ["Demands", "Costing"]


def test_export_claims(db: Database, claim_id: int, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    create_claim(db, ClaimForm(title="Second", employer="Council"), today=TODAY)
    assert export_claims(db, tmp_path / "claims.xlsx", "Branch") == 2
    sheet = load_workbook(tmp_path / "claims.xlsx")["Claims"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    by_title = {r[1]: r for r in rows}
    first = by_title[f"Claim for {HOSTILE}"]
    assert first[2] == HOSTILE and first[3] == "Drafting" and first[6] == len(COSTINGS) + 1
    total = get_claim(db, claim_id).total_cost
    assert Decimal(str(first[7])) == total.to_decimal()
    assert by_title["Second"][7] == 0 and by_title["Second"][6] == 0
    with pytest.raises(ValueError, match=r"claims\.pdf"):
        export_claims(db, tmp_path / "claims.pdf", "Branch")
