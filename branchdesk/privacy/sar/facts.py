"""Values as the export shows them: dates and values as printed, and the member's, a case's
and a claim's details as (label, value) pairs for the PDF and the workbook.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from branchdesk.casework.labels import CASE_TYPES, COMPANIONS, OUTCOMES, STAGES, label
from branchdesk.exports.text import local_time
from branchdesk.hardship.codes import CLAIM_STATUSES
from branchdesk.members.service import STATUSES
from branchdesk.money import Money
from branchdesk.privacy.sar.model import CaseRecord, ClaimRecord, SarData


def _dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _show(value: Any) -> str:
    """A value as the PDF prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, datetime):
        return f"{local_time(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return _dmy(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def member_facts(data: SarData) -> list[tuple[str, Any]]:
    m = data.member
    return [
        ("Membership number", m.membership_number),
        ("First name", m.first_name),
        ("Last name", m.last_name),
        ("Employer", data.employer),
        ("Workplace", data.workplace),
        ("Department", m.department),
        ("Job title", m.job_title),
        ("Work email", m.work_email),
        ("Work phone", m.work_phone),
        ("Personal email", m.personal_email),
        ("Personal phone", m.personal_phone),
        ("Home address", m.home_address),
        ("Date joined", m.date_joined),
        ("Membership status", dict(STATUSES).get(m.status, m.status)),
        ("Subscriptions up to date", m.subs_up_to_date),
        ("Notes", m.notes),
        ("Record created", m.created_at),
        ("Record last changed", m.updated_at),
    ]


def case_facts(record: CaseRecord) -> list[tuple[str, Any]]:
    case = record.case
    companion = label(COMPANIONS, case.companion) if case.companion else "None"
    return [
        ("Reference", case.reference),
        ("Your part", record.part),
        ("Type", label(CASE_TYPES, case.case_type)),
        ("Sub-type", case.sub_type),
        ("Title", case.title),
        ("Employer", record.employer),
        ("Rep", case.rep),
        ("Second rep", case.second_rep),
        ("Stage", label(STAGES, case.status)),
        ("Stage since", case.status_changed_on),
        ("Opened", case.opened_on),
        ("Problem arose", case.problem_arose_on),
        ("Closed", case.closed_on),
        ("Outcome", label(OUTCOMES, case.outcome) if case.outcome else ""),
        ("Remedy", case.remedy),
        ("Companion", companion),
        ("Companion's name", case.companion_name),
        ("Eligibility note", case.eligibility_note),
    ]


def claim_facts(record: ClaimRecord) -> list[tuple[str, Any]]:
    c = record.claim
    return [
        ("Reference", c.reference),
        ("Fund", record.fund),
        ("Received", c.received_on),
        ("Strike days claimed", ", ".join(_dmy(d) for d in record.days)),
        ("Fraction of full time", c.fte),
        ("Pay deducted", c.pay_deducted),
        ("Payslip seen", c.payslip_seen),
        ("Evidence", c.evidence),
        ("Circumstances", c.circumstances),
        ("Amount requested", c.requested),
        ("Entitlement under the fund's rules", c.entitlement),
        ("How the entitlement was worked out", c.working),
        ("Warnings", c.warnings),
        ("Status", CLAIM_STATUSES.get(c.status, c.status)),
        ("Amount approved", c.approved),
        ("Decided on", c.decided_on),
        ("Reasons for the decision", c.decision_reasons),
    ]
