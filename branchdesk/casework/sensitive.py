"""Health and disciplinary detail: hidden until an officer asks for it, and each opening recorded.

A sickness absence or capability case's timeline holds health details, a disciplinary case's
holds allegations (special category and criminal-offence data under UK GDPR). The window shows
such a case's heading and deadlines at once, but its timeline and documents only when the officer
asks; `open_sensitive` reads them and records the opening ("view") in the audit log, in the
same transaction, so there is no way to see them without the record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import select

from branchdesk.casework.codes import CaseType
from branchdesk.casework.models import Case, Document, TimelineEntry
from branchdesk.casework.queries import CaseDetail
from branchdesk.store.audit import record_event
from branchdesk.store.database import Database

SENSITIVE_TYPES: frozenset[str] = frozenset(
    {CaseType.SICKNESS.value, CaseType.DISCIPLINARY.value, CaseType.CAPABILITY.value}
)
# What an opening discloses, as the audit row names it.
OPENED_FIELDS = ("timeline", "documents")


def is_sensitive(case_type: str) -> bool:
    return case_type in SENSITIVE_TYPES


@dataclass(frozen=True)
class SensitiveDetail:
    """What stays hidden until asked for: the timeline (oldest first) and the documents."""

    case_id: int
    timeline: tuple[TimelineEntry, ...]
    documents: tuple[Document, ...]


def sealed(case: CaseDetail) -> CaseDetail:
    """The case as shown before anyone asks: a sensitive case without its timeline and documents."""
    if not is_sensitive(case.case_type):
        return case
    return dataclasses.replace(case, timeline=(), documents=())


def with_detail(case: CaseDetail, detail: SensitiveDetail) -> CaseDetail:
    """The case with the detail `open_sensitive` returned put back."""
    if detail.case_id != case.id:
        raise ValueError("the detail is of another case")
    return dataclasses.replace(case, timeline=detail.timeline, documents=detail.documents)


def open_sensitive(db: Database, case_id: int) -> SensitiveDetail:
    """Read a case's timeline and documents, recording the opening in the audit log.

    Bound by the officer's role like any read (a caseworker only their own cases); KeyError if
    the case is gone or not theirs to see. The record names the case and what was opened, never
    what it says.
    """
    with db.write() as session:
        if session.get(Case, case_id) is None:
            raise KeyError(case_id)
        timeline = session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.case_id == case_id)
            .order_by(TimelineEntry.happened_on, TimelineEntry.id)
        ).all()
        documents = session.scalars(
            select(Document).where(Document.case_id == case_id).order_by(Document.id)
        ).all()
        record_event(session, db.officer, "view", Case.__tablename__, case_id, OPENED_FIELDS)
        return SensitiveDetail(case_id, tuple(timeline), tuple(documents))
