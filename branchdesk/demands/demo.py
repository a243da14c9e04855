"""Demo claims: two plainly fictional claims to the demo employers, with demands, costings,
evidence and meetings."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from branchdesk.demands.models import (
    Claim,
    Demand,
    DemandStatusChange,
    Evidence,
    Meeting,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from branchdesk.members.models import Employer
from branchdesk.money import Money

# (title, category, priority, case, costing or None, employer's response, status)
_PAY_CLAIM = [
    (
        "A pay rise of 6% for every grade",
        "pay",
        "high",
        "Prices have risen faster than pay for three years running; members on the lowest "
        "grades are using food banks.",
        ("unit_cost", 2_450_000, "percent", "6", None),
        "Offered 3% from April.",
        "partly_agreed",
    ),
    (
        "A 35-hour week with no loss of pay",
        "hours",
        "medium",
        "Neighbouring councils already work 35 hours; shorter hours cut sickness absence.",
        ("unit_cost", 2_450_000, "hours", "1", 1_300),
        "Will consider a pilot in one department.",
        "proposed",
    ),
    (
        "Two extra days' annual leave",
        "health",
        "medium",
        "Stress-related absence has doubled since the restructure.",
        ("unit_cost", 2_450_000, "days", "2", 1_300),
        "",
        "proposed",
    ),
    (
        "No compulsory redundancies for the life of the agreement",
        "no_compulsory_redundancies",
        "high",
        "Members need certainty while the service review runs.",
        None,
        "Agreed in principle.",
        "agreed",
    ),
    (
        "Paid time off for union learning reps",
        "facility_time",
        "low",
        "Learning reps run the digital skills course in their own time.",
        ("unit_cost", 2_450_000, "flat", "150", None),
        "",
        "proposed",
    ),
]
_INSOURCING_CLAIM = [
    (
        "Bring school catering back in-house when the contract ends",
        "no_privatisation",
        "high",
        "The contractor has cut staff hours twice; in-house catering is run by a neighbouring "
        "council at a lower unit cost.",
        None,
        "",
        "proposed",
    ),
    (
        "Council pay and pensions for transferred catering staff",
        "pay",
        "high",
        "Transferred staff are paid below the council grade for the same job.",
        ("pay_bill", 180_000_000, "percent", "8", None),
        "",
        "proposed",
    ),
]


# A member survey for the pay claim: (question, kind, answers to draw from, with weights).
_SURVEY: list[tuple[str, str, list[str], list[int]]] = [
    ("Do you support the pay claim?", "choice", ["Yes", "No", "Not sure"], [82, 6, 12]),
    (
        "How well does your pay cover your bills? (1 = not at all, 5 = easily)",
        "scale",
        ["1", "2", "3", "4", "5"],
        [22, 31, 28, 14, 5],
    ),
    (
        "Which matters most to you?",
        "choice",
        ["Pay", "Hours", "Workload", "Job security"],
        [48, 14, 21, 17],
    ),
    ("Would you take part in industrial action?", "choice", ["Yes", "No", ""], [61, 27, 12]),
]
SURVEY_RESPONDENTS = 240


def _survey(session: Session, rng: random.Random, claim_id: int, day: date) -> int:
    survey = Survey(
        claim_id=claim_id,
        name="Pay survey (demo, fictional answers)",
        imported_on=day,
        respondents=SURVEY_RESPONDENTS,
    )
    session.add(survey)
    session.flush()
    for position, (text, kind, _answers, _weights) in enumerate(_SURVEY, start=1):
        session.add(SurveyQuestion(survey_id=survey.id, position=position, text=text, kind=kind))
    rows = []
    for n in range(SURVEY_RESPONDENTS):
        answers = [rng.choices(a, weights=w)[0] for _t, _k, a, w in _SURVEY]
        rows.append({"survey_id": survey.id, "line": n + 2, "answers": json.dumps(answers)})
    session.execute(insert(SurveyResponse), rows)
    return survey.id


def fill_claims(session: Session, rng: random.Random, officer: str, today: date) -> int:
    """Add the demo claims; returns how many demands were written."""
    employers = dict(session.execute(select(Employer.name, Employer.id)).all())
    written = 0
    for n, (title, employer, demands, status) in enumerate(
        (
            (
                "Pay and conditions claim (demo)",
                "Northmoor Borough Council (demo)",
                _PAY_CLAIM,
                "in_negotiation",
            ),
            (
                "School catering insourcing claim (demo)",
                "Greystone Facilities Ltd (demo)",
                _INSOURCING_CLAIM,
                "drafting",
            ),
        ),
        start=1,
    ):
        submitted = today - timedelta(days=60) if status != "drafting" else None
        claim = Claim(
            reference=f"CL-{(submitted or today).year}-{n:03d}",
            title=title,
            employer_id=employers[employer],
            bargaining_unit="NJC staff (demo)",
            submitted_on=submitted,
            settle_by=today + timedelta(days=90),
            lead_reps="Ash Rowan (demo rep), Bea Hale (demo rep)",
            status=status,
            notes="Fictional demo claim.",
        )
        session.add(claim)
        session.flush()
        for position, (d_title, category, priority, case, cost, response, d_status) in enumerate(
            demands, start=1
        ):
            demand = Demand(
                claim_id=claim.id,
                position=position,
                title=d_title,
                category=category,
                priority=priority,
                case_for=case,
                employer_response=response,
                status=d_status,
            )
            if cost is not None:
                basis, current, kind, change, rate = cost
                demand.cost_headcount = rng.randrange(80, 400)
                demand.cost_basis = basis
                demand.cost_current = Money(current)
                demand.cost_change_kind = kind
                demand.cost_change = Decimal(change)
                demand.cost_hourly_rate = Money(rate) if rate else None
                demand.cost_pension_percent = Decimal("19.9")
                demand.cost_ni_percent = Decimal("15")
            session.add(demand)
            session.flush()
            opened = submitted or today
            session.add(
                DemandStatusChange(
                    demand_id=demand.id, to_status="proposed", changed_on=opened, officer=officer
                )
            )
            if d_status != "proposed":
                session.add(
                    DemandStatusChange(
                        demand_id=demand.id,
                        from_status="proposed",
                        to_status=d_status,
                        changed_on=today - timedelta(days=10),
                        officer=officer,
                    )
                )
            session.add(
                Evidence(
                    demand_id=demand.id,
                    position=1,
                    kind="comparator" if category == "pay" else "statistic",
                    title="Figures from a neighbouring council (demo)",
                    detail="Fictional comparison figures for the demo branch.",
                    source="Demo data",
                )
            )
            written += 1
        if submitted is not None:
            survey_id = _survey(session, rng, claim.id, submitted - timedelta(days=14))
            first = session.scalar(
                select(Demand.id).where(Demand.claim_id == claim.id, Demand.position == 1)
            )
            session.add(
                Evidence(
                    demand_id=first,
                    position=2,
                    kind="survey_result",
                    title="Members back the claim",
                    survey_id=survey_id,
                    question=1,
                    source="Branch pay survey (demo)",
                )
            )
            session.add(
                Meeting(
                    claim_id=claim.id,
                    held_on=submitted + timedelta(days=21),
                    union_side="Branch secretary, two reps (demo)",
                    employer_side="Head of HR, Finance business partner (demo)",
                    notes="First meeting: the claim was presented and questions taken.",
                    union_proposals="The claim as submitted.",
                    employer_proposals="3% from April; a pilot of shorter hours.",
                    actions="HR to send costings of the 35-hour week pilot.",
                )
            )
    return written
