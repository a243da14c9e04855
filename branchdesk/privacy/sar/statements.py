"""The fixed texts of the export: why the branch holds the data, what kinds, where it comes
from, who sees it, how long it is kept (the retention schedule in words) and the member's
rights; and the notes on surveys, documents, the audit log and mentions.
"""

from __future__ import annotations

from datetime import date

from branchdesk.casework.deadlines import format_date
from branchdesk.exports.text import plural
from branchdesk.privacy.sar.model import SarData
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError

PURPOSES = (
    "To keep your membership record: who you are, where you work, and whether your "
    "subscriptions are up to date, so the branch can contact and organise its members.",
    "To represent you, if you asked for help: in grievances, disciplinary, capability, sickness "
    "absence, redundancy and other cases with your employer, and at an employment tribunal.",
    "To negotiate with employers for members as a whole (claims, surveys and meetings).",
    "To watch services that are outsourced or at risk of it, and the members whose jobs they "
    "affect, including transfers under TUPE.",
    "To run the strike hardship fund: to assess claims, pay them, and account for the money.",
    "To keep the records secure and show who looked at or changed them (the audit log).",
)

CATEGORIES = (
    "Your name, membership number, employer, workplace, department, job title and contact "
    "details; the date you joined and your membership status.",
    "Trade union membership, which the law treats as special category data.",
    "In cases: what happened at work, meetings, letters and outcomes. Sickness absence and "
    "capability cases can hold health information, and disciplinary cases allegations; both "
    "are given extra protection.",
    "In hardship claims: the strike days you claimed, pay deducted, your circumstances, the "
    "panel's decisions and the payments made to you.",
)

SOURCES = (
    "You: when you joined, and when you asked the branch for help or made a claim.",
    "The union's membership records, which the branch imports.",
    "The branch officers and reps who worked with you, who record notes, meetings and letters.",
    "Your employer: letters, meeting notes and outcomes in your cases.",
    "The bank, for payments from the hardship fund; published contract data, for the "
    "outsourcing watch.",
)

RECIPIENTS = (
    "Branch officers, each only as their role allows: the branch secretary; the caseworkers "
    "and reps on your cases; the treasurer and the hardship panel for the fund.",
    "The union's regional officers and legal service, if your case is referred to them.",
    "Your employer, ACAS or an employment tribunal: only what a case needs, and with your "
    "agreement where a step needs it (the consents in your cases say which).",
    "The fund's auditors, who check the hardship fund's accounts.",
)

RIGHTS = (
    "to have anything wrong corrected (rectification);",
    "to have your data erased, or its use restricted, in some circumstances;",
    "to object to how your data is used;",
    "to receive your data in a form a computer can read (the spreadsheet with this "
    "document) and to have it passed to someone else;",
    "to complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113) if you "
    "are unhappy with how the branch has handled your data or this request.",
)

# The branch's periods when no schedule can be read: those `privacy.retention` starts with.
DEFAULT_YEARS = {"member": 2, "case": 6, "claim": 6}
DEFAULT_YEAR_END = (12, 31)


def _years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


def retention_periods(db: Database) -> list[tuple[str, str]]:
    """How long each kind of record is kept: the branch's retention schedule, in words.

    The schedule the secretary keeps (`privacy.retention`), or its defaults when none can be
    read.
    """
    years = dict(DEFAULT_YEARS)
    month, day = DEFAULT_YEAR_END
    try:
        from branchdesk.privacy.retention import load_schedule

        schedule, _version = load_schedule(db)
        years = {
            "member": int(schedule.member_years),
            "case": int(schedule.closed_case_years),
            "claim": int(schedule.hardship_claim_years),
        }
        month, day = schedule.financial_year_end_month, schedule.financial_year_end_day
    except (ImportError, AttributeError, StoreError):
        pass  # the defaults, stated plainly
    year_end = format_date(date(2001, month, day)).rsplit(" ", 1)[0]
    return [
        (
            "Your membership record",
            f"While you are a member. {_years(years['member'])} after you lapse or leave, your "
            "record is anonymised, but not while a case or hardship claim of yours is still "
            "kept.",
        ),
        (
            "Your cases",
            "While a case is open. A closed case is deleted, with its timeline and documents, "
            f"{_years(years['case'])} after it was closed (the time limit for most legal "
            "claims).",
        ),
        (
            "Hardship fund claims and payments",
            "The amounts and the fund's ledger are kept for good, as the fund's accounts. Your "
            "circumstances, evidence notes and the panel's reasons are removed "
            f"{_years(years['claim'])} after the end of the financial year (which ends on "
            f"{year_end}) in which the claim was settled.",
        ),
        (
            "Audit log",
            "Kept as the branch's record of who did what. It names records and fields, never "
            "their content.",
        ),
        (
            "Your subject access requests",
            "The register (dates and status) is kept as the branch's record of answering them.",
        ),
    ]


def surveys_text(data: SarData) -> str:
    if data.surveys == 0:
        return "The branch holds no member surveys."
    return (
        f"The branch holds {plural(data.surveys, 'member survey')} with "
        f"{plural(data.survey_responses, 'response')} in all. Responses are kept without names, "
        "membership numbers or respondent ids, so none of them can be identified as yours, and "
        "none is included here."
    )


DOCUMENTS_NOTE = (
    "Documents kept on your case files (letters, emails, forms) are listed here by name and "
    "date. Copies of the files themselves are supplied separately."
)
AUDIT_NOTE = (
    "Every time an officer creates, changes, deletes, opens (for health or disciplinary "
    "detail) or exports one of your records, BranchDesk writes it to an audit log: when, who, "
    "what they did and which fields. The log never keeps the content itself. Exports of whole "
    "lists (such as the member list) are recorded without naming each member, so they do not "
    "appear here."
)
MENTIONS_NOTE = (
    "Records about other people that mention you by name are not reproduced here, because "
    "they also hold those people's personal data. The branch secretary reviews them and will "
    "send you what can be disclosed, with other people's details removed."
)
