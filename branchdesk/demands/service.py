"""Building a claim: its details, its demands in priority order, their costing, evidence and
status, and the negotiation meetings. The rules the window, the command line and the demo share.

Each function is one short transaction; an edit carries the version it was read at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from branchdesk.demands.codes import (
    CATEGORIES,
    CLAIM_STATUSES,
    DEMAND_STATUSES,
    EVIDENCE_KINDS,
    PRIORITIES,
)
from branchdesk.demands.costing import Costing
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
from branchdesk.demands.survey import Question, Response, SurveyFile, SurveyRefused
from branchdesk.members.models import Employer, Workplace
from branchdesk.members.service import ValidationError
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

TEXT_LIMITS = {"title": 300, "bargaining_unit": 200, "lead_reps": 400, "employer": 200}


def _stripped(form: object) -> dict[str, object]:
    return {
        f.name: (v.strip() if isinstance(v := getattr(form, f.name), str) else v)
        for f in fields(form)  # type: ignore[arg-type]
    }


@dataclass
class ClaimForm:
    title: str = ""
    employer: str = ""
    bargaining_unit: str = ""
    workplace: str = ""
    submitted_on: date | None = None
    settle_by: date | None = None
    lead_reps: str = ""
    status: str = "drafting"
    notes: str = ""
    version: int | None = None

    def cleaned(self) -> ClaimForm:
        return ClaimForm(**_stripped(self))  # type: ignore[arg-type]


def validate_claim(form: ClaimForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.title:
        errors["title"] = "Give the claim a title (for example Pay and conditions claim 2027)."
    if not form.employer:
        errors["employer"] = "Choose the employer the claim is made to."
    if form.status not in CLAIM_STATUSES:
        errors["status"] = "Choose the claim's status."
    for name, limit in TEXT_LIMITS.items():
        if len(str(getattr(form, name))) > limit and name not in errors:
            errors[name] = f"Too long: at most {limit} characters."
    if form.submitted_on and form.settle_by and form.settle_by < form.submitted_on:
        errors["settle_by"] = "The settlement date aimed at is before the claim is submitted."
    return errors


def _employer(session: Session, name: str) -> Employer:
    employer = session.scalar(select(Employer).where(Employer.name == name))
    if employer is None:
        employer = Employer(name=name)
        session.add(employer)
        session.flush()
    return employer


def _workplace_id(session: Session, employer: Employer, name: str) -> int | None:
    if not name:
        return None
    workplace = session.scalar(
        select(Workplace).where(Workplace.employer_id == employer.id, Workplace.name == name)
    )
    if workplace is None:
        workplace = Workplace(employer_id=employer.id, name=name)
        session.add(workplace)
        session.flush()
    return workplace.id


def next_claim_reference(session: Session, year: int) -> str:
    prefix = f"CL-{year}-"
    last = session.scalar(
        select(func.max(Claim.reference)).where(Claim.reference.like(f"{prefix}%"))
    )
    return f"{prefix}{(int(last[len(prefix) :]) + 1) if last else 1:03d}"


def _claim_values(session: Session, form: ClaimForm) -> dict[str, object]:
    employer = _employer(session, form.employer)
    return {
        "title": form.title,
        "employer_id": employer.id,
        "bargaining_unit": form.bargaining_unit,
        "workplace_id": _workplace_id(session, employer, form.workplace),
        "submitted_on": form.submitted_on,
        "settle_by": form.settle_by,
        "lead_reps": form.lead_reps,
        "status": form.status,
        "notes": form.notes,
    }


def create_claim(db: Database, form: ClaimForm, today: date | None = None) -> str:
    """Start a claim; returns its reference (CL-2027-001)."""
    form = form.cleaned()
    errors = validate_claim(form)
    if errors:
        raise ValidationError(errors)
    year = (form.submitted_on or today or date.today()).year
    for attempt in range(3):
        try:
            with db.write() as session:
                claim = Claim(reference=next_claim_reference(session, year))
                for name, value in _claim_values(session, form).items():
                    setattr(claim, name, value)
                session.add(claim)
                session.flush()
                return claim.reference
        except IntegrityError:
            if attempt == 2:  # another PC took the same reference each time
                raise
    raise AssertionError("unreachable")


def _stale(what: str) -> StaleEdit:
    return StaleEdit(
        f"{what} was changed by someone else after you opened it. Nothing was saved: open it "
        "again to see the latest and make your change again."
    )


def _for_edit(session: Session, model: type, row_id: int, version: int | None, what: str):  # type: ignore[no-untyped-def]
    if version is None:
        raise ValueError("an edit needs the version the row was read at")
    row = session.get(model, row_id)
    if row is None:
        raise StaleEdit(f"{what} has been deleted by someone else.")
    if row.version != version:
        raise _stale(what)
    return row


def _flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise _stale(what) from exc


def update_claim(db: Database, claim_id: int, form: ClaimForm) -> None:
    form = form.cleaned()
    errors = validate_claim(form)
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        claim = _for_edit(session, Claim, claim_id, form.version, "This claim")
        for name, value in _claim_values(session, form).items():
            if getattr(claim, name) != value:
                setattr(claim, name, value)
        _flush(session, "This claim")


@dataclass
class DemandForm:
    title: str = ""
    category: str = ""
    priority: str = "medium"
    case_for: str = ""
    employer_response: str = ""
    costing: Costing | None = None
    version: int | None = None


def validate_demand(form: DemandForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.title.strip():
        errors["title"] = "Say what the branch is asking for."
    elif len(form.title.strip()) > 300:
        errors["title"] = "Too long: at most 300 characters."
    if form.category not in CATEGORIES:
        errors["category"] = "Choose the heading this demand comes under."
    if form.priority not in PRIORITIES:
        errors["priority"] = "Choose high, medium or low."
    if form.costing is not None:
        try:
            form.costing.validate()
        except ValueError as exc:
            errors["costing"] = str(exc)
    return errors


def _costing_columns(costing: Costing | None) -> dict[str, object]:
    if costing is None:
        return {
            "cost_headcount": None,
            "cost_basis": "",
            "cost_current": None,
            "cost_change_kind": "",
            "cost_change": None,
            "cost_hourly_rate": None,
            "cost_hours_per_day": None,
            "cost_pension_percent": None,
            "cost_ni_percent": None,
        }
    return {
        "cost_headcount": costing.headcount,
        "cost_basis": costing.basis,
        "cost_current": costing.current,
        "cost_change_kind": costing.change_kind,
        "cost_change": costing.change,
        "cost_hourly_rate": costing.hourly_rate,
        "cost_hours_per_day": costing.hours_per_day,
        "cost_pension_percent": costing.pension_percent,
        "cost_ni_percent": costing.ni_percent,
    }


def costing_of(demand: Demand) -> Costing | None:
    """The demand's costing as the arithmetic takes it, or None when it is not costed."""
    if demand.cost_headcount is None:
        return None
    kwargs: dict[str, object] = {
        "headcount": demand.cost_headcount,
        "basis": demand.cost_basis,
        "current": demand.cost_current,
        "change_kind": demand.cost_change_kind,
        "change": demand.cost_change,
        "hourly_rate": demand.cost_hourly_rate,
        "pension_percent": demand.cost_pension_percent,
        "ni_percent": demand.cost_ni_percent,
    }
    if demand.cost_hours_per_day is not None:
        kwargs["hours_per_day"] = demand.cost_hours_per_day
    return Costing(**kwargs)  # type: ignore[arg-type]


def add_demand(db: Database, claim_id: int, form: DemandForm, today: date | None = None) -> int:
    """Add a demand at the end of the claim's list; returns its id."""
    errors = validate_demand(form)
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        if session.get(Claim, claim_id) is None:
            raise StaleEdit("This claim has been deleted by someone else.")
        last = session.scalar(select(func.max(Demand.position)).where(Demand.claim_id == claim_id))
        demand = Demand(
            claim_id=claim_id,
            position=(last or 0) + 1,
            title=form.title.strip(),
            category=form.category,
            priority=form.priority,
            case_for=form.case_for.strip(),
            employer_response=form.employer_response.strip(),
            status="proposed",
            **_costing_columns(form.costing),
        )
        session.add(demand)
        session.flush()
        session.add(
            DemandStatusChange(
                demand_id=demand.id,
                from_status="",
                to_status="proposed",
                changed_on=today or date.today(),
                officer=db.officer,
            )
        )
        return demand.id


def update_demand(db: Database, demand_id: int, form: DemandForm) -> None:
    errors = validate_demand(form)
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        demand = _for_edit(session, Demand, demand_id, form.version, "This demand")
        values = {
            "title": form.title.strip(),
            "category": form.category,
            "priority": form.priority,
            "case_for": form.case_for.strip(),
            "employer_response": form.employer_response.strip(),
            **_costing_columns(form.costing),
        }
        for name, value in values.items():
            if getattr(demand, name) != value:
                setattr(demand, name, value)
        _flush(session, "This demand")


def move_demand(db: Database, demand_id: int, to_position: int) -> None:
    """Put a demand at `to_position` (1 = first) in its claim, the others closing up."""
    with db.write() as session:
        demand = session.get(Demand, demand_id)
        if demand is None:
            raise StaleEdit("This demand has been deleted by someone else.")
        ids = list(
            session.scalars(
                select(Demand.id)
                .where(Demand.claim_id == demand.claim_id)
                .order_by(Demand.position, Demand.id)
            )
        )
        ids.remove(demand_id)
        ids.insert(max(0, min(to_position - 1, len(ids))), demand_id)
        # Each row's new position, written only where it moved (every write bumps a version).
        current = dict(
            session.execute(
                select(Demand.id, Demand.position).where(Demand.claim_id == demand.claim_id)
            ).all()
        )
        for position, row_id in enumerate(ids, start=1):
            if current[row_id] != position:
                session.execute(
                    update(Demand)
                    .where(Demand.id == row_id)
                    .values(position=position, version=Demand.version + 1)
                )


def set_demand_status(
    db: Database,
    demand_id: int,
    status: str,
    on: date,
    version: int | None,
    note: str = "",
    today: date | None = None,
) -> None:
    if status not in DEMAND_STATUSES:
        raise ValidationError({"status": f"There is no demand status called {status!r}."})
    if on > (today or date.today()):
        raise ValidationError({"changed_on": "A change of status cannot be dated in the future."})
    with db.write() as session:
        demand = _for_edit(session, Demand, demand_id, version, "This demand")
        if demand.status == status:
            raise ValidationError(
                {"status": f"The demand is already {DEMAND_STATUSES[status].lower()}."}
            )
        session.add(
            DemandStatusChange(
                demand_id=demand_id,
                from_status=demand.status,
                to_status=status,
                changed_on=on,
                officer=db.officer,
                note=note.strip(),
            )
        )
        demand.status = status
        _flush(session, "This demand")


def add_evidence(
    db: Database,
    demand_id: int,
    kind: str,
    title: str = "",
    detail: str = "",
    source: str = "",
    survey_id: int | None = None,
    question: int | None = None,
) -> int:
    errors: dict[str, str] = {}
    if kind not in EVIDENCE_KINDS:
        errors["kind"] = "Choose the kind of evidence."
    if not title.strip() and not detail.strip():
        errors["title"] = "Give the evidence a title or some text."
    if len(title.strip()) > 300:
        errors["title"] = "Too long: at most 300 characters."
    if len(source.strip()) > 500:
        errors["source"] = "Too long: at most 500 characters."
    if kind == "survey_result" and (survey_id is None or question is None):
        errors["question"] = "Choose the survey question whose result this is."
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        if session.get(Demand, demand_id) is None:
            raise StaleEdit("This demand has been deleted by someone else.")
        last = session.scalar(
            select(func.max(Evidence.position)).where(Evidence.demand_id == demand_id)
        )
        row = Evidence(
            demand_id=demand_id,
            position=(last or 0) + 1,
            kind=kind,
            title=title.strip(),
            detail=detail.strip(),
            source=source.strip(),
            survey_id=survey_id,
            question=question,
        )
        session.add(row)
        session.flush()
        return row.id


@dataclass
class MeetingForm:
    held_on: date | None = None
    union_side: str = ""
    employer_side: str = ""
    notes: str = ""
    union_proposals: str = ""
    employer_proposals: str = ""
    actions: str = ""
    version: int | None = None


def add_meeting(db: Database, claim_id: int, form: MeetingForm) -> int:
    if form.held_on is None:
        raise ValidationError({"held_on": "Enter the date of the meeting."})
    values = {k: v for k, v in _stripped(form).items() if k != "version"}
    with db.write() as session:
        if session.get(Claim, claim_id) is None:
            raise StaleEdit("This claim has been deleted by someone else.")
        row = Meeting(claim_id=claim_id, **values)
        session.add(row)
        session.flush()
        return row.id


def claim_id_by_reference(db: Database, reference: str) -> int | None:
    with db.read() as session:
        return session.scalar(select(Claim.id).where(Claim.reference == reference.strip().upper()))


def store_survey(
    db: Database, claim_id: int, name: str, survey: SurveyFile, today: date | None = None
) -> int:
    """Keep a checked survey with the claim: its questions and every response, all or none."""
    if not survey.ok:
        raise SurveyRefused(survey)
    name = name.strip() or survey.file.stem
    with db.write() as session:
        if session.get(Claim, claim_id) is None:
            raise StaleEdit("This claim has been deleted by someone else.")
        row = Survey(
            claim_id=claim_id,
            name=name[:300],
            imported_on=today or date.today(),
            respondents=survey.respondents,
        )
        session.add(row)
        session.flush()
        session.execute(
            insert(SurveyQuestion),
            [
                {"survey_id": row.id, "position": q.position, "text": q.text, "kind": q.kind}
                for q in survey.questions
            ],
        )
        session.execute(
            insert(SurveyResponse),
            [
                {"survey_id": row.id, "line": r.line, "answers": json.dumps(list(r.answers))}
                for r in survey.responses
            ],
        )
        return row.id


def load_survey(db: Database, survey_id: int) -> SurveyFile:
    """A stored survey back as the file it was read from (for its summary and charts)."""
    with db.read() as session:
        row = session.get(Survey, survey_id)
        if row is None:
            raise KeyError(survey_id)
        questions = [
            Question(position=q.position, text=q.text, kind=q.kind, forced=False)  # type: ignore[arg-type]
            for q in session.scalars(
                select(SurveyQuestion)
                .where(SurveyQuestion.survey_id == survey_id)
                .order_by(SurveyQuestion.position)
            )
        ]
        responses = [
            Response(line=line, respondent="", answers=tuple(json.loads(answers)))
            for line, answers in session.execute(
                select(SurveyResponse.line, SurveyResponse.answers)
                .where(SurveyResponse.survey_id == survey_id)
                .order_by(SurveyResponse.line)
            )
        ]
    return SurveyFile(file=Path(row.name), questions=questions, responses=responses)
