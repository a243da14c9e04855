"""Claims and demands: building a claim, costing and ordering its demands, their status history,
evidence and meetings, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from branchdesk.demands.costing import Costing
from branchdesk.demands.models import Demand
from branchdesk.demands.queries import claim_lines, get_claim
from branchdesk.demands.service import (
    ClaimForm,
    DemandForm,
    MeetingForm,
    add_demand,
    add_evidence,
    add_meeting,
    claim_id_by_reference,
    create_claim,
    load_survey,
    move_demand,
    set_demand_status,
    store_survey,
    update_claim,
    update_demand,
)
from branchdesk.demands.survey import SurveyFile, SurveyRefused, read_survey, summarise
from branchdesk.members.service import ValidationError
from branchdesk.money import Money
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

TODAY = date(2026, 11, 23)
EMPLOYER = "Northmoor Borough Council (demo)"


def _claim(db: Database, **changes: object) -> int:
    form = ClaimForm(
        title="Pay and conditions claim 2027",
        employer=EMPLOYER,
        bargaining_unit="NJC staff",
        submitted_on=date(2027, 1, 15),
        settle_by=date(2027, 4, 1),
        lead_reps="Ash Rowan (demo rep)",
    )
    for key, value in changes.items():
        setattr(form, key, value)
    reference = create_claim(db, form, today=TODAY)
    claim_id = claim_id_by_reference(db, reference)
    assert claim_id is not None
    return claim_id


def _pay_rise(headcount: int = 120) -> Costing:
    return Costing(
        headcount=headcount,
        basis="unit_cost",
        current=Money(2_500_000),  # £25,000 a year each
        change_kind="percent",
        change=Decimal("5"),
        hourly_rate=None,
        pension_percent=Decimal("19"),
        ni_percent=Decimal("15"),
    )


def test_claims_are_numbered_by_year_and_listed(any_db: Database) -> None:
    first = _claim(any_db)
    second = _claim(any_db, title="Facility time claim", submitted_on=None)
    lines = claim_lines(any_db)
    assert [line.reference for line in lines] == ["CL-2027-001", "CL-2026-001"]
    assert {line.id for line in lines} == {first, second}
    assert lines[0].employer == EMPLOYER and lines[0].demands == 0
    assert [line.title for line in claim_lines(any_db, status="drafting")] == [
        "Pay and conditions claim 2027",
        "Facility time claim",
    ]


def test_a_claim_with_bad_details_is_refused_and_nothing_written(any_db: Database) -> None:
    for changes, field_name in (
        ({"title": " "}, "title"),
        ({"employer": ""}, "employer"),
        ({"status": "won"}, "status"),
        ({"settle_by": date(2026, 12, 1)}, "settle_by"),
        ({"title": "x" * 301}, "title"),
    ):
        with pytest.raises(ValidationError) as info:
            _claim(any_db, **changes)
        assert field_name in info.value.errors, changes
    assert claim_lines(any_db) == []


def test_demands_in_priority_order_with_costs_and_a_total(any_db: Database) -> None:
    claim_id = _claim(any_db)
    pay = add_demand(
        any_db,
        claim_id,
        DemandForm("A 5% pay rise", "pay", "high", "Pay has fallen behind", costing=_pay_rise()),
    )
    hours = add_demand(any_db, claim_id, DemandForm("A 35-hour week", "hours", "medium"))
    voice = add_demand(any_db, claim_id, DemandForm("Monthly joint meetings", "voice", "low"))
    detail = get_claim(any_db, claim_id)
    assert [d.demand.id for d in detail.demands] == [pay, hours, voice]
    cost = detail.demands[0].cost
    assert cost is not None
    # 120 × £25,000 × 5% = £150,000; pension 19% = £28,500; NI 15% = £22,500: £201,000.
    assert (cost.direct, cost.pension, cost.ni, cost.total) == (
        Money(15_000_000),
        Money(2_850_000),
        Money(2_250_000),
        Money(20_100_000),
    )
    assert detail.total_cost == Money(20_100_000)
    assert detail.demands[1].cost is None

    move_demand(any_db, voice, 1)
    assert [d.demand.id for d in get_claim(any_db, claim_id).demands] == [voice, pay, hours]
    move_demand(any_db, voice, 99)  # past the end: last
    assert [d.demand.id for d in get_claim(any_db, claim_id).demands] == [pay, hours, voice]
    with any_db.read() as session:
        positions = list(session.scalars(select(Demand.position).order_by(Demand.position)))
    assert positions == [1, 2, 3]
    assert claim_lines(any_db)[0].demands == 3


def test_a_moved_demand_cannot_be_saved_over_from_an_old_copy(any_db: Database) -> None:
    claim_id = _claim(any_db)
    first = add_demand(any_db, claim_id, DemandForm("First", "pay"))
    second = add_demand(any_db, claim_id, DemandForm("Second", "pay"))
    stale = get_claim(any_db, claim_id).demands[1].demand.version
    move_demand(any_db, second, 1)
    form = DemandForm("Second, reworded", "pay", version=stale)
    with pytest.raises(StaleEdit):
        update_demand(any_db, second, form)
    form.version = get_claim(any_db, claim_id).demands[0].demand.version
    update_demand(any_db, second, form)
    titles = [d.demand.title for d in get_claim(any_db, claim_id).demands]
    assert titles == ["Second, reworded", "First"] and first


def test_demand_status_history(any_db: Database) -> None:
    claim_id = _claim(any_db)
    demand_id = add_demand(any_db, claim_id, DemandForm("A 5% pay rise", "pay"))

    def version() -> int:
        return get_claim(any_db, claim_id).demands[0].demand.version

    set_demand_status(any_db, demand_id, "partly_agreed", date(2026, 11, 2), version(), "3%")
    set_demand_status(any_db, demand_id, "agreed", date(2026, 11, 20), version(), today=TODAY)
    with pytest.raises(ValidationError, match="already agreed"):
        set_demand_status(any_db, demand_id, "agreed", date(2026, 11, 20), version())
    with pytest.raises(ValidationError):
        set_demand_status(any_db, demand_id, "won", date(2026, 11, 20), version())
    with pytest.raises(ValidationError, match="future"):
        set_demand_status(any_db, demand_id, "rejected", date(2026, 12, 20), version(), today=TODAY)
    with pytest.raises(StaleEdit):
        set_demand_status(any_db, demand_id, "rejected", date(2026, 11, 21), 1)
    history = get_claim(any_db, claim_id).demands[0].history
    assert [(h.from_status, h.to_status) for h in history] == [
        ("", "proposed"),
        ("proposed", "partly_agreed"),
        ("partly_agreed", "agreed"),
    ]
    assert history[1].note == "3%"


def test_a_bad_costing_is_refused_with_the_field_named(any_db: Database) -> None:
    claim_id = _claim(any_db)
    bad = Costing(
        headcount=-3,
        basis="unit_cost",
        current=Money(100),
        change_kind="percent",
        change=Decimal("5"),
        hourly_rate=None,
        pension_percent=Decimal("19"),
        ni_percent=Decimal("15"),
    )
    with pytest.raises(ValidationError) as info:
        add_demand(any_db, claim_id, DemandForm("Pay", "pay", costing=bad))
    assert "headcount" in info.value.errors["costing"]
    with pytest.raises(ValidationError) as info:
        add_demand(any_db, claim_id, DemandForm("Pay", "wages"))
    assert "category" in info.value.errors


def test_evidence_and_meetings(any_db: Database) -> None:
    claim_id = _claim(any_db)
    demand_id = add_demand(any_db, claim_id, DemandForm("A 5% pay rise", "pay"))
    add_evidence(any_db, demand_id, "comparator", "Eastvale pays 4% more", source="Pay survey")
    add_evidence(any_db, demand_id, "member_quote", "", "“I can't pay my rent.” <b>&</b>")
    with pytest.raises(ValidationError):
        add_evidence(any_db, demand_id, "survey_result", "Q3")  # which survey and question?
    with pytest.raises(ValidationError):
        add_evidence(any_db, demand_id, "rumour", "x")
    evidence = get_claim(any_db, claim_id).demands[0].evidence
    assert [e.kind for e in evidence] == ["comparator", "member_quote"]
    assert evidence[1].detail == "“I can't pay my rent.” <b>&</b>"
    add_meeting(
        any_db,
        claim_id,
        MeetingForm(date(2026, 12, 3), "Branch secretary", "Head of HR", "Opening meeting"),
    )
    with pytest.raises(ValidationError):
        add_meeting(any_db, claim_id, MeetingForm(None))
    (meeting,) = get_claim(any_db, claim_id).meetings
    assert meeting.employer_side == "Head of HR"


def test_claim_edits_are_versioned_and_audited_without_member_words(any_db: Database) -> None:
    claim_id = _claim(any_db)
    add_demand(
        any_db, claim_id, DemandForm("Pay", "pay", case_for="A member told us about her debts")
    )
    stale = get_claim(any_db, claim_id).claim.version
    form = ClaimForm(title="Pay claim 2027", employer=EMPLOYER, status="submitted", version=stale)
    update_claim(any_db, claim_id, form)
    with pytest.raises(StaleEdit):
        update_claim(any_db, claim_id, form)
    assert get_claim(any_db, claim_id).claim.status == "submitted"
    with any_db.read() as session:
        changes = " ".join(session.scalars(select(AuditEntry.changes)))
    assert "submitted" in changes and "debts" not in changes


def test_a_survey_is_kept_whole_and_read_back(any_db: Database, tmp_path: Path) -> None:
    claim_id = _claim(any_db)
    path = tmp_path / "survey.csv"
    rows = ["ID,Support the claim?,Workload (1-5),Anything else?"]
    rows += [f"{n},{'Yes' if n % 3 else 'No'},{n % 5 + 1},=1+1 <b>&</b>" for n in range(1, 31)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    survey = read_survey(path)
    survey_id = store_survey(any_db, claim_id, "Autumn survey", survey, today=TODAY)
    again = load_survey(any_db, survey_id)
    assert [q.text for q in again.questions] == [q.text for q in survey.questions]
    assert [r.answers for r in again.responses] == [r.answers for r in survey.responses]
    assert summarise(again)[0].counts == summarise(survey)[0].counts
    (stored,) = get_claim(any_db, claim_id).surveys
    assert (stored.name, stored.respondents) == ("Autumn survey", 30)
    demand_id = add_demand(any_db, claim_id, DemandForm("Pay", "pay"))
    add_evidence(any_db, demand_id, "survey_result", "Support", survey_id=survey_id, question=1)
    (evidence,) = get_claim(any_db, claim_id).demands[0].evidence
    assert (evidence.survey_id, evidence.question) == (survey_id, 1)
    with pytest.raises(SurveyRefused):
        store_survey(any_db, claim_id, "bad", SurveyFile(file=path, problems=[object()]))  # type: ignore[list-item]
