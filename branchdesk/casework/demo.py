"""Demo cases: plainly fictional casework for the demo branch's fictional members.

Dates are laid out backwards from the day the demo is made, so its deadlines are always some
overdue, some due this fortnight and some later, whenever the demo is opened.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from branchdesk.casework.codes import CaseType, EntryKind, Outcome, Stage
from branchdesk.casework.deadlines import DeadlineRules, appeal_deadline, tribunal_deadline
from branchdesk.casework.labels import CASE_TYPES
from branchdesk.casework.models import Case, Deadline, StageChange, TimelineEntry
from branchdesk.members.models import Employer, Member
from branchdesk.progress import Progress

# Cases and timeline entries by demo size.
SIZES = {"small": (60, 600), "large": (4_000, 100_000)}
# Plainly invented reps, marked as such.
REPS = [
    "Ash Rowan (demo rep)",
    "Bea Hale (demo rep)",
    "Cal Moss (demo rep)",
    "Dee Fenwick (demo rep)",
    "Eli Stroud (demo rep)",
    "Fay Linden (demo rep)",
]
_SUB_TYPES: dict[str, list[str]] = {
    CaseType.GRIEVANCE: ["Workload", "Pay grading", "Shift patterns", "Management conduct"],
    CaseType.DISCIPLINARY: ["Timekeeping", "Misconduct allegation", "Use of IT"],
    CaseType.CAPABILITY: ["Performance", "Ill health capability"],
    CaseType.SICKNESS: ["Absence review", "Reasonable adjustments", "Phased return"],
    CaseType.REDUNDANCY: ["Service restructure", "Voluntary redundancy", "Redeployment"],
    CaseType.TUPE: ["Transfer to contractor", "Measures consultation"],
    CaseType.BULLYING: ["Bullying", "Harassment"],
    CaseType.DISCRIMINATION: ["Disability", "Sex", "Race", "Age"],
    CaseType.TRIBUNAL: ["Unfair dismissal", "Unlawful deduction of wages", "Equal pay"],
    CaseType.OTHER: ["Advice", "Pension query"],
}
_WEIGHTS = [18, 16, 6, 14, 8, 4, 10, 6, 4, 14]
_ENTRY_TEXT = {
    EntryKind.NOTE: [
        "Spoke to the member about the next steps and what to expect.",
        "Read the policy again: the procedure allows a companion at every formal meeting.",
        "Member sent over the rota for the last three months.",
    ],
    EntryKind.MEETING: [
        "Met the member before the meeting to go through the management statement.",
        "Informal meeting with the line manager; agreed to meet again in two weeks.",
    ],
    EntryKind.HEARING: [
        "Formal hearing held; the member was accompanied and put their case.",
        "Appeal hearing; panel of two managers and an HR adviser.",
    ],
    EntryKind.PHONE: [
        "Phone call with HR to confirm the date of the hearing.",
        "Member rang: worried about the outcome letter; talked it through.",
    ],
    EntryKind.LETTER_SENT: [
        "Letter to HR asking for the investigation report before the hearing.",
        "Grounds of appeal sent to the head of service.",
    ],
    EntryKind.LETTER_RECEIVED: [
        "Invitation to a formal hearing received.",
        "Outcome letter received.",
    ],
    EntryKind.OUTCOME: ["Outcome recorded after the hearing."],
}
_KINDS = list(_ENTRY_TEXT)
_KIND_WEIGHTS = [30, 14, 6, 20, 12, 14, 4]


def fill_cases(
    session: Session,
    rng: random.Random,
    size: str,
    officer: str,
    today: date,
    rules: DeadlineRules,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Add demo cases, their stages, timelines and deadlines to members already written."""
    case_count, entry_count = SIZES[size]
    members = session.execute(
        select(Member.id, Member.employer_id, Member.date_joined)
        .where(Member.status == "current")
        .order_by(Member.id)
    ).all()
    names = session.execute(select(Employer.id, Employer.name))
    employers: dict[int, str] = {i: n for i, n in names}
    case_count = min(case_count, len(members))
    chosen = rng.sample(members, case_count)
    types = rng.choices(list(CASE_TYPES), weights=_WEIGHTS, k=case_count)
    cases: list[dict[str, Any]] = []
    by_year: dict[int, int] = {}
    for (member_id, employer_id, joined), case_type in zip(chosen, types, strict=True):
        opened = today - timedelta(days=int(rng.triangular(0, 900, 60)))
        if joined is not None and opened < joined:
            opened = joined + timedelta(days=rng.randrange(35, 90))
            opened = min(opened, today)
        by_year[opened.year] = by_year.get(opened.year, 0) + 1
        closed = opened < today - timedelta(days=240) and rng.random() < 0.85
        cases.append(
            {
                "reference": "",
                "member_id": member_id,
                "employer_id": employer_id,
                "case_type": case_type,
                "sub_type": rng.choice(_SUB_TYPES[case_type]),
                "title": "",
                "rep": rng.choice(REPS),
                "second_rep": rng.choice(REPS) if rng.random() < 0.2 else "",
                "status": Stage.CLOSED.value if closed else "",
                "opened_on": opened,
                "problem_arose_on": opened - timedelta(days=rng.randrange(1, 40)),
                "companion": "certified_rep" if rng.random() < 0.7 else "union_official",
                "companion_name": "",
                "outcome": "",
                "remedy": "",
                "eligibility_note": "",
                "closed_on": None,
                "status_changed_on": opened,
                "version": 1,
            }
        )
    # References run in order of opening within each year, as they would have been issued.
    cases.sort(key=lambda c: c["opened_on"])
    counters: dict[int, int] = {}
    open_stages = [s.value for s in Stage if s != Stage.CLOSED]
    paths: list[list[tuple[str, date]]] = []
    for case in cases:
        year = case["opened_on"].year
        counters[year] = counters.get(year, 0) + 1
        case["reference"] = f"C-{year}-{counters[year]:04d}"
        case["title"] = f"{CASE_TYPES[case['case_type']]}: {case['sub_type'].lower()}"
        span = max((today - case["opened_on"]).days, 1)
        when = case["opened_on"]
        path = [(Stage.OPENED.value, when)]
        for stage in open_stages[1 : 1 + rng.randrange(0, 5)]:
            when = min(when + timedelta(days=rng.randrange(1, max(span // 6, 2))), today)
            path.append((stage, when))
        if case["status"] == Stage.CLOSED.value:
            when = min(when + timedelta(days=rng.randrange(7, 60)), today)
            path.append((Stage.CLOSED.value, when))
            case["closed_on"] = when
            case["outcome"] = rng.choice(list(Outcome)).value
            if case["outcome"] in (Outcome.WON, Outcome.SETTLED):
                case["remedy"] = "Warning withdrawn and the policy reviewed (demo)."
        case["status"], case["status_changed_on"] = path[-1]
        paths.append(path)
    inserted = session.execute(insert(Case).returning(Case.id, sort_by_parameter_order=True), cases)
    stages: list[dict[str, Any]] = []
    deadlines: list[dict[str, Any]] = []
    for case_id, case, path in zip(inserted.scalars().all(), cases, paths, strict=True):
        case["id"] = case_id
        previous = ""
        for stage, when in path:
            stages.append(
                {
                    "case_id": case_id,
                    "from_stage": previous,
                    "to_stage": stage,
                    "changed_on": when,
                    "officer": officer,
                    "note": "",
                }
            )
            previous = stage
        if case["status"] != Stage.CLOSED.value:
            deadlines.extend(_deadlines_for(rng, case, today, rules, employers))
    session.execute(insert(StageChange), stages)
    if deadlines:
        session.execute(insert(Deadline), deadlines)
    entries = _timeline(session, rng, cases, entry_count, today, officer, progress)
    return {"cases": len(cases), "case_events": entries, "case_deadlines": len(deadlines)}


def _deadlines_for(
    rng: random.Random,
    case: dict[str, Any],
    today: date,
    rules: DeadlineRules,
    employers: dict[int, str],
) -> list[dict[str, Any]]:
    out = []
    # An outcome letter somewhere around now: its appeal window falls either side of today.
    letter = today - timedelta(days=rng.randrange(-10, 12))
    letter = max(letter, case["opened_on"])
    while letter.weekday() >= 5:  # letters go out on weekdays
        letter -= timedelta(days=1)
    appeal = appeal_deadline(rules, employers.get(case["employer_id"], ""), letter)
    out.append(_deadline(case, "Lodge the appeal", appeal))
    if case["case_type"] in (CaseType.TRIBUNAL, CaseType.DISCRIMINATION, CaseType.REDUNDANCY):
        kind = "redundancy_pay" if case["case_type"] == CaseType.REDUNDANCY else "general"
        act = max(case["problem_arose_on"], today - timedelta(days=80))
        out.append(
            _deadline(case, "Employment tribunal claim", tribunal_deadline(rules, kind, act))
        )
    if rng.random() < 0.5:
        out.append(
            {
                "case_id": case["id"],
                "title": "Send the written statement to HR",
                "due_on": today + timedelta(days=rng.randrange(-5, 30)),
                "rule": "",
                "working": "",
                "done_on": None,
                "version": 1,
            }
        )
    return out


def _deadline(case: dict[str, Any], title: str, computed: Any) -> dict[str, Any]:
    return {
        "case_id": case["id"],
        "title": title,
        "due_on": computed.due,
        "rule": computed.rule,
        "working": "\n".join(computed.steps),
        "done_on": None,
        "version": 1,
    }


def _timeline(
    session: Session,
    rng: random.Random,
    cases: list[dict[str, Any]],
    total: int,
    today: date,
    officer: str,
    progress: Progress | None,
) -> int:
    # One long-running case with 500 entries (the benchmark opens it), the rest spread out.
    counts = [1] * len(cases)
    remaining = total - len(cases) - (499 if cases else 0)
    if cases:
        counts[0] += 499
    for _ in range(max(remaining, 0)):
        counts[rng.randrange(len(cases))] += 1
    batch: list[dict[str, Any]] = []
    written = 0
    for case, count in zip(cases, counts, strict=True):
        start = case["opened_on"]
        end = case["closed_on"] or today
        span = max((end - start).days, 1)
        for n in range(count):
            kind = rng.choices(_KINDS, weights=_KIND_WEIGHTS)[0] if n else EntryKind.NOTE
            text = rng.choice(_ENTRY_TEXT[kind])
            batch.append(
                {
                    "case_id": case["id"],
                    "happened_on": start + timedelta(days=rng.randrange(span + 1)),
                    "kind": kind.value,
                    "title": text.split(";")[0].split(":")[0][:80].rstrip("."),
                    "body": f"{text} (Fictional demo entry.)",
                    "confidential": rng.random() < 0.08,
                    "author": officer,
                    "version": 1,
                }
            )
            if len(batch) == 5000:
                written += _write_entries(session, batch, progress, written, total)
    written += _write_entries(session, batch, progress, written, total)
    return written


def _write_entries(
    session: Session,
    batch: list[dict[str, Any]],
    progress: Progress | None,
    written: int,
    total: int,
) -> int:
    count = len(batch)
    if count:
        session.execute(insert(TimelineEntry), batch)
        batch.clear()
        if progress is not None:
            progress.update(written + count, total)
    return count
