"""Negotiating demands figures: a large member survey in and a full negotiation pack out.

Called by benchmarks/run.py, which prints them with the rest. Builds its own claim (20 demands,
costed, with evidence) in the database it is given and a 5,000-response × 20-question survey
CSV in `out_dir`.
"""

from __future__ import annotations

import csv
import random
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from branchdesk.demands.codes import CATEGORIES
from branchdesk.demands.costing import Costing
from branchdesk.demands.reports import export_claim_pack
from branchdesk.demands.service import (
    ClaimForm,
    DemandForm,
    MeetingForm,
    add_demand,
    add_evidence,
    add_meeting,
    claim_id_by_reference,
    create_claim,
    store_survey,
)
from branchdesk.demands.survey import read_survey
from branchdesk.money import Money
from branchdesk.store.database import Database

RESPONSES = 5_000
QUESTIONS = 20
DEMANDS = 20
_KINDS = ("percent", "flat", "hours", "days")
_CHOICES = ("Yes", "No", "Not sure", "Only if the whole claim is met", "Prefer not to say")


def write_survey_csv(path: Path, responses: int = RESPONSES, questions: int = QUESTIONS) -> Path:
    """A survey file: alternately a 1–5 scale and a five-way choice, and one free-text column."""
    rng = random.Random(7)
    header = ["Respondent"] + [
        f"Question {q}: how do you feel about item {q}?" for q in range(1, questions + 1)
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(1, responses + 1):
            row = [str(n)]
            for q in range(1, questions + 1):
                if q == questions:
                    row.append(f"Comment {rng.randrange(10_000)}" if rng.random() < 0.3 else "")
                elif q % 2:
                    row.append(str(rng.randint(1, 5)) if rng.random() < 0.95 else "")
                else:
                    row.append(rng.choice(_CHOICES))
            writer.writerow(row)
    return path


def _costing(index: int) -> Costing:
    kind = _KINDS[index % len(_KINDS)]
    return Costing(
        headcount=50 + 37 * index,
        basis="unit_cost",
        current=Money(2_400_000 + 10_000 * index),
        change_kind=kind,  # type: ignore[arg-type]
        change={
            "percent": Decimal("4.5"),
            "flat": Decimal("750"),
            "hours": Decimal("1"),
            "days": Decimal("2"),
        }[kind],
        hourly_rate=Money(1_325) if kind in ("hours", "days") else None,
        pension_percent=Decimal("19"),
        ni_percent=Decimal("15"),
    )


def demands_figures(db: Database, out_dir: Path) -> dict[str, Any]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    today = date.today()
    reference = create_claim(
        db,
        ClaimForm(
            title="Benchmark claim: pay, hours and conditions",
            employer="Benchmark Borough Council",
            bargaining_unit="All NJC staff",
            submitted_on=today,
            lead_reps="Benchmark rep",
        ),
        today=today,
    )
    claim_id = claim_id_by_reference(db, reference)
    assert claim_id is not None

    survey_csv = write_survey_csv(out_dir / "benchmark-survey.csv")
    start = time.perf_counter()
    survey = read_survey(survey_csv)
    read_seconds = time.perf_counter() - start
    start = time.perf_counter()
    survey_id = store_survey(db, claim_id, "Benchmark survey", survey, today=today)
    store_seconds = time.perf_counter() - start

    categories = list(CATEGORIES)
    for index in range(DEMANDS):
        demand_id = add_demand(
            db,
            claim_id,
            DemandForm(
                title=f"Demand {index + 1}: improvement number {index + 1}",
                category=categories[index % len(categories)],
                priority=("high", "medium", "low")[index % 3],
                case_for="Members have waited long enough. " * 8,
                employer_response="Under consideration." if index % 2 else "",
                costing=_costing(index),
            ),
            today=today,
        )
        add_evidence(
            db,
            demand_id,
            "survey_result",
            f"Survey question {index % (QUESTIONS - 1) + 1}",
            survey_id=survey_id,
            question=index % (QUESTIONS - 1) + 1,
        )
        add_evidence(
            db,
            demand_id,
            "comparator",
            "Neighbouring council",
            detail="They already do this.",
            source="Published pay policy",
        )
    for week in range(3):
        add_meeting(
            db,
            claim_id,
            MeetingForm(
                held_on=today,
                union_side="Benchmark rep",
                employer_side="HR",
                union_proposals=f"Round {week + 1} of talks.",
                employer_proposals="A counter-offer.",
                actions="Both sides to report back.",
            ),
        )

    pack = out_dir / "benchmark-pack.pdf"
    start = time.perf_counter()
    export_claim_pack(db, claim_id, pack, "Benchmark Branch", today)
    pack_seconds = time.perf_counter() - start
    xlsx = out_dir / "benchmark-pack.xlsx"
    start = time.perf_counter()
    export_claim_pack(db, claim_id, xlsx, "Benchmark Branch", today)
    xlsx_seconds = time.perf_counter() - start

    from pypdf import PdfReader

    return {
        "survey": {"responses": RESPONSES, "questions": QUESTIONS},
        "survey_read_seconds": round(read_seconds, 3),
        "survey_store_seconds": round(store_seconds, 3),
        "survey_read_and_store_seconds": round(read_seconds + store_seconds, 3),
        "pack_demands": DEMANDS,
        "pack_pdf_seconds": round(pack_seconds, 3),
        "pack_pdf_pages": len(PdfReader(pack).pages),
        "pack_xlsx_seconds": round(xlsx_seconds, 3),
        "targets": {"survey_read_and_store_seconds": 1, "pack_pdf_seconds": 3},
    }


if __name__ == "__main__":  # pragma: no cover - a quick run by hand
    import json
    import sys

    from branchdesk.store.database import open_database

    database = open_database(sys.argv[1])
    try:
        print(json.dumps(demands_figures(database, Path(sys.argv[2])), indent=2))
    finally:
        database.dispose()
