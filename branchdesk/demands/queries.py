"""Reading claims back: the list of claims, and one claim whole with its demands' costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from branchdesk.demands.costing import CostBreakdown, annual_cost, claim_total
from branchdesk.demands.models import (
    Claim,
    Demand,
    DemandStatusChange,
    Evidence,
    Meeting,
    Survey,
)
from branchdesk.demands.service import costing_of
from branchdesk.members.models import Employer, Workplace
from branchdesk.money import Money
from branchdesk.store.database import Database


@dataclass(frozen=True)
class ClaimLine:
    id: int
    reference: str
    title: str
    employer: str
    status: str
    submitted_on: date | None
    settle_by: date | None
    demands: int


@dataclass(frozen=True)
class DemandDetail:
    demand: Demand
    cost: CostBreakdown | None
    evidence: tuple[Evidence, ...]
    history: tuple[DemandStatusChange, ...]


@dataclass(frozen=True)
class ClaimDetail:
    claim: Claim
    employer: str
    workplace: str
    demands: tuple[DemandDetail, ...]
    meetings: tuple[Meeting, ...]
    surveys: tuple[Survey, ...]
    total_cost: Money


def claim_lines(db: Database, status: str = "") -> list[ClaimLine]:
    """Every claim (or those with `status`), newest first, with how many demands each has."""
    counted = select(Demand.claim_id, func.count().label("n")).group_by(Demand.claim_id).subquery()
    query = (
        select(
            Claim.id,
            Claim.reference,
            Claim.title,
            Employer.name,
            Claim.status,
            Claim.submitted_on,
            Claim.settle_by,
            func.coalesce(counted.c.n, 0),
        )
        .join(Employer, Claim.employer_id == Employer.id)
        .outerjoin(counted, counted.c.claim_id == Claim.id)
        .order_by(Claim.reference.desc())
    )
    if status:
        query = query.where(Claim.status == status)
    with db.read() as session:
        return [ClaimLine(*row) for row in session.execute(query)]


def get_claim(db: Database, claim_id: int) -> ClaimDetail:
    """The claim, its demands in priority order with costs, evidence and history; KeyError
    if it is gone."""
    with db.read() as session:
        claim = session.get(Claim, claim_id)
        if claim is None:
            raise KeyError(claim_id)
        employer = session.get(Employer, claim.employer_id)
        workplace = session.get(Workplace, claim.workplace_id) if claim.workplace_id else None
        demands = session.scalars(
            select(Demand).where(Demand.claim_id == claim_id).order_by(Demand.position, Demand.id)
        ).all()
        ids = [d.id for d in demands]
        evidence: dict[int, list[Evidence]] = {i: [] for i in ids}
        for row in session.scalars(
            select(Evidence)
            .where(Evidence.demand_id.in_(ids))
            .order_by(Evidence.position, Evidence.id)
        ):
            evidence[row.demand_id].append(row)
        history: dict[int, list[DemandStatusChange]] = {i: [] for i in ids}
        for change in session.scalars(
            select(DemandStatusChange)
            .where(DemandStatusChange.demand_id.in_(ids))
            .order_by(DemandStatusChange.id)  # the order they were made: each follows the last
        ):
            history[change.demand_id].append(change)
        details = []
        for demand in demands:
            costing = costing_of(demand)
            details.append(
                DemandDetail(
                    demand=demand,
                    cost=annual_cost(costing) if costing is not None else None,
                    evidence=tuple(evidence[demand.id]),
                    history=tuple(history[demand.id]),
                )
            )
        meetings = session.scalars(
            select(Meeting)
            .where(Meeting.claim_id == claim_id)
            .order_by(Meeting.held_on, Meeting.id)
        ).all()
        surveys = session.scalars(
            select(Survey).where(Survey.claim_id == claim_id).order_by(Survey.id)
        ).all()
        return ClaimDetail(
            claim=claim,
            employer=employer.name if employer else "",
            workplace=workplace.name if workplace else "",
            demands=tuple(details),
            meetings=tuple(meetings),
            surveys=tuple(surveys),
            total_cost=claim_total(d.cost for d in details if d.cost is not None),
        )


def claim_costs(db: Database) -> dict[int, Money]:
    """Each claim's cost a year (the sum of its costed demands), by claim id."""
    totals: dict[int, Money] = {}
    with db.read() as session:
        demands = session.scalars(select(Demand).where(Demand.cost_headcount.is_not(None))).all()
        for demand in demands:
            costing = costing_of(demand)
            if costing is not None:
                cost = annual_cost(costing).total
                totals[demand.claim_id] = totals.get(demand.claim_id, Money(0)) + cost
    return totals
