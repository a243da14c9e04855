"""The retention schedule: its defaults, its rules on dates on both sides of each boundary, how
it is stored and who may change it, and what the review lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from branchdesk.access import officers
from branchdesk.access.roles import Role
from branchdesk.casework.models import Case
from branchdesk.casework.service import (
    CaseForm,
    case_id_by_reference,
    close_case,
    open_case,
    reopen_case,
)
from branchdesk.hardship.claims import ClaimForm, create_claim, decide
from branchdesk.hardship.funds import FundForm, add_strike_day, create_fund, set_taking_part
from branchdesk.hardship.models import Claim
from branchdesk.hardship.rules import PaymentRules
from branchdesk.members.models import Member
from branchdesk.members.service import MemberForm, create_member, get_member, update_member
from branchdesk.money import Money
from branchdesk.privacy.retention import (
    DEFAULT_SCHEDULE,
    KEY,
    REASONS,
    RecordType,
    Schedule,
    ScheduleError,
    add_years,
    due,
    load_schedule,
    save_schedule,
)
from branchdesk.store.database import Database
from branchdesk.store.errors import AccessDenied, StaleEdit
from branchdesk.store.types import utcnow

PASSWORD = "a long test password"
TODAY = utcnow().date()  # the day the audit log dates a status change made in a test


def _case(db: Database, number: str, closed_on: date | None) -> int:
    opened = date(2016, 1, 11)
    reference = open_case(
        db,
        CaseForm(membership_number=number, case_type="grievance", opened_on=opened),
        today=opened,
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    if closed_on is not None:
        close_case(db, case_id, "won", closed_on, _version(db, case_id), today=closed_on)
    return case_id


def _version(db: Database, case_id: int) -> int:
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.version


def _member(db: Database, number: str, status: str = "current") -> int:
    return create_member(
        db, MemberForm(membership_number=number, first_name="Test", last_name=number, status=status)
    )


def _keys(db: Database, today: date, schedule: Schedule | None = None) -> set[tuple[str, int]]:
    return {item.key for item in due(db, today, schedule)}


# --------------------------------------------------------------------------------------------
# The schedule itself


def test_defaults_and_their_reasons() -> None:
    assert (
        DEFAULT_SCHEDULE.closed_case_years,
        DEFAULT_SCHEDULE.member_years,
        DEFAULT_SCHEDULE.hardship_claim_years,
    ) == (6, 2, 6)
    assert (DEFAULT_SCHEDULE.financial_year_end_month, DEFAULT_SCHEDULE.financial_year_end_day) == (
        12,
        31,
    )
    for name in ("closed_case_years", "member_years", "hardship_claim_years", "financial_year_end"):
        assert len(REASONS[name]) > 40


def test_the_rules_on_dates() -> None:
    s = DEFAULT_SCHEDULE
    assert s.case_due_on(date(2018, 6, 1)) == date(2024, 6, 1)
    assert s.member_due_on(date(2023, 1, 31)) == date(2025, 1, 31)
    # 29 February: a year later is 1 March, never the day before.
    assert add_years(date(2020, 2, 29), 1) == date(2021, 3, 1)
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)
    # A claim: six years after the end of the financial year it was settled in, from the day after.
    assert s.claim_due_on(date(2019, 1, 1)) == date(2026, 1, 1)
    assert s.claim_due_on(date(2019, 12, 31)) == date(2026, 1, 1)
    assert s.claim_due_on(date(2020, 1, 1)) == date(2027, 1, 1)
    april = Schedule(financial_year_end_month=3, financial_year_end_day=31)
    assert april.financial_year_end_after(date(2019, 3, 31)) == date(2019, 3, 31)
    assert april.financial_year_end_after(date(2019, 4, 1)) == date(2020, 3, 31)
    assert april.claim_due_on(date(2019, 3, 31)) == date(2025, 4, 1)
    assert april.claim_due_on(date(2019, 4, 1)) == date(2026, 4, 1)


def test_a_schedule_is_checked_and_stored_whole() -> None:
    assert Schedule(member_years=0).problems() == [
        "the period for lapsed and left members must be from 1 to 100 years"
    ]
    assert Schedule(financial_year_end_month=2, financial_year_end_day=29).problems() == [
        "the financial year's end is not a day of the year"
    ]
    with pytest.raises(ScheduleError, match="closed cases"):
        Schedule(closed_case_years=101).checked()
    edited = Schedule(closed_case_years=7, financial_year_end_month=4, financial_year_end_day=5)
    assert Schedule.from_json(edited.to_json()) == edited
    # A key from a later version is ignored; one missing takes its default.
    assert Schedule.from_json('{"member_years": 3, "later": 1}') == Schedule(member_years=3)
    with pytest.raises(ScheduleError):
        Schedule.from_json("[1]")


def test_saving_the_schedule(db: Database) -> None:
    assert load_schedule(db) == (DEFAULT_SCHEDULE, None)
    version = save_schedule(db, Schedule(closed_case_years=7), None)
    assert load_schedule(db) == (Schedule(closed_case_years=7), version)
    with pytest.raises(StaleEdit, match="changed by someone else"):
        save_schedule(db, Schedule(closed_case_years=8), None)
    with pytest.raises(ScheduleError):
        save_schedule(db, Schedule(member_years=-1), version)
    newer = save_schedule(db, Schedule(closed_case_years=8), version)
    assert newer > version
    assert load_schedule(db)[0].closed_case_years == 8


def test_only_the_secretary_changes_or_reads_the_review(db: Database) -> None:
    officers.create_first_officer(db, "Sam Secretary (test)", PASSWORD)
    officers.add_officer(db, "Ada Auditor (test)", Role.AUDITOR, PASSWORD)
    save_schedule(db, Schedule(member_years=3), None)
    officers.sign_in(db, "Ada Auditor (test)", PASSWORD)
    with pytest.raises(AccessDenied):
        save_schedule(db, Schedule(member_years=4), load_schedule(db)[1])
    with pytest.raises(AccessDenied):
        due(db, TODAY)
    assert load_schedule(db)[0].member_years == 3  # everyone may read the branch's schedule


# --------------------------------------------------------------------------------------------
# What is due, either side of each boundary


def test_closed_cases_fall_due_on_the_anniversary(db: Database) -> None:
    _member(db, "R1")
    closed = _case(db, "R1", date(2018, 6, 1))
    leap = _case(db, "R1", date(2016, 2, 29))
    still_open = _case(db, "R1", None)
    assert ("case", closed) not in _keys(db, date(2024, 5, 31))
    assert ("case", closed) in _keys(db, date(2024, 6, 1))
    assert ("case", leap) not in _keys(db, date(2022, 2, 28))
    assert ("case", leap) in _keys(db, date(2022, 3, 1))
    assert ("case", still_open) not in _keys(db, date(2100, 1, 1))
    item = next(i for i in due(db, date(2024, 6, 1)) if i.key == ("case", closed))
    assert item.due_since == date(2024, 6, 1)
    assert item.reason == "closed 1 Jun 2018; kept 6 years after closing"
    assert item.label.startswith("Case C-2016-") and item.action == "erase"
    # A longer period, stored for the branch, moves the date.
    assert ("case", closed) not in _keys(db, date(2024, 6, 1), Schedule(closed_case_years=7))
    save_schedule(db, Schedule(closed_case_years=7), None)
    assert ("case", closed) not in _keys(db, date(2025, 5, 31))
    assert ("case", closed) in _keys(db, date(2025, 6, 1))


def test_a_reopened_case_is_not_due(db: Database) -> None:
    _member(db, "R1")
    case_id = _case(db, "R1", date(2018, 6, 1))
    reopen_case(
        db, case_id, "appeal", date(2018, 7, 1), _version(db, case_id), today=date(2018, 7, 1)
    )
    assert ("case", case_id) not in _keys(db, date(2030, 1, 1))


def _settled_claim(db: Database, number: str, status: str, settled: date) -> int:
    with db.read() as session:
        fund_id = session.scalar(select(Claim.fund_id).limit(1))
    if fund_id is None:
        fund_id = create_fund(
            db,
            FundForm(name="Retention test fund", starts_on=date(2019, 1, 1)),
            PaymentRules(effective_from=date(2019, 1, 1), per_day=Money(5000)),
        )
        day_id = add_strike_day(db, fund_id, date(2019, 1, 10), "Strike")
        set_taking_part(db, day_id, [number])
    claim_id = create_claim(
        db,
        fund_id,
        ClaimForm(
            member_number=number,
            received_on=date(2019, 1, 11),
            days=[date(2019, 1, 10)],
            requested=Money(5000),
            circumstances="Fictional circumstances",
        ),
    )
    decide(db, claim_id, False, None, "Fictional reasons")
    with db.write() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        claim.status, claim.decided_on = status, settled
    return claim_id


def test_settled_claims_fall_due_after_the_financial_year(db: Database) -> None:
    _member(db, "R1")
    declined = _settled_claim(db, "R1", "declined", date(2019, 12, 31))
    assert ("hardship_claim", declined) not in _keys(db, date(2025, 12, 31))
    assert ("hardship_claim", declined) in _keys(db, date(2026, 1, 1))
    april = Schedule(financial_year_end_month=3, financial_year_end_day=31)
    assert ("hardship_claim", declined) not in _keys(db, date(2026, 3, 31), april)
    assert ("hardship_claim", declined) in _keys(db, date(2026, 4, 1), april)
    item = next(i for i in due(db, date(2026, 1, 1)) if i.key == ("hardship_claim", declined))
    assert item.reason == ("settled 31 Dec 2019; kept 6 years after the year ending 31 Dec 2019")
    assert item.action == "anonymise" and "Fictional" not in repr(item)


def test_an_unsettled_claim_is_never_due(db: Database) -> None:
    _member(db, "R1")
    approved = _settled_claim(db, "R1", "approved", date(2019, 2, 1))
    assert ("hardship_claim", approved) not in _keys(db, date(2100, 1, 1))


def test_lapsed_members_fall_due_after_leaving(db: Database) -> None:
    lapsed = _member(db, "R1", status="lapsed")
    left = _member(db, "R2")
    _member(db, "R3")  # current: never due
    form = get_member(db, left)
    form.status = "left"
    update_member(db, left, form)
    before, on = add_years(TODAY, 2) - timedelta(days=1), add_years(TODAY, 2)
    assert _keys(db, before) == set()
    assert _keys(db, on) == {("member", lapsed), ("member", left)}
    assert _keys(db, add_years(TODAY, 50)) == {("member", lapsed), ("member", left)}
    item = next(i for i in due(db, on) if i.key == ("member", lapsed))
    assert (item.reference, item.member_name, item.action) == ("R1", "Test R1", "anonymise")
    assert item.reason.startswith("lapsed or left ")


def test_rejoining_and_lapsing_again_starts_the_period_again(db: Database) -> None:
    member_id = _member(db, "R1", status="lapsed")
    form = get_member(db, member_id)
    form.status = "current"
    update_member(db, member_id, form)
    assert _keys(db, add_years(TODAY, 10)) == set()


def test_a_member_without_a_leaving_record_counts_from_the_last_change(db: Database) -> None:
    member_id = _member(db, "R1")
    with db.write() as session:
        # As an import does it: no row of the audit log names this member's new status.
        session.execute(
            update(Member)
            .where(Member.id == member_id)
            .values(status="left", updated_at=datetime(2020, 1, 15, 12, tzinfo=UTC))
        )
    assert ("member", member_id) not in _keys(db, date(2022, 1, 14))
    assert ("member", member_id) in _keys(db, date(2022, 1, 15))


def test_a_member_is_kept_while_their_cases_and_claims_are(db: Database) -> None:
    with_open_case = _member(db, "R1", status="lapsed")
    _case(db, "R1", None)
    with_recent_case = _member(db, "R2", status="lapsed")
    recent = add_years(TODAY, -1)
    _case(db, "R2", recent)
    with_unsettled = _member(db, "R3", status="lapsed")
    _settled_claim(db, "R3", "part_approved", date(2019, 2, 1))
    with_collective = _member(db, "R4", status="lapsed")
    _member(db, "R5")
    reference = open_case(
        db,
        CaseForm(
            membership_number="R5",
            case_type="redundancy",
            opened_on=date(2017, 1, 9),
            other_members=["R4"],
        ),
        today=date(2017, 1, 9),
    )
    assert reference
    far = add_years(TODAY, 50)
    assert ("member", with_open_case) not in _keys(db, far)
    assert ("member", with_unsettled) not in _keys(db, far)
    assert ("member", with_collective) not in _keys(db, far)  # the collective case is open
    # Two years after lapsing is not enough: their case is kept six years after closing.
    assert ("member", with_recent_case) not in _keys(db, add_years(TODAY, 2))
    case_due = add_years(recent, 6)
    assert ("member", with_recent_case) not in _keys(db, case_due - timedelta(days=1))
    assert ("member", with_recent_case) in _keys(db, case_due)
    item = next(i for i in due(db, case_due) if i.key == ("member", with_recent_case))
    assert item.due_since == case_due
    assert "until their cases and hardship claims were due" in item.reason


def test_the_list_is_oldest_first(db: Database) -> None:
    _member(db, "R1")
    newer = _case(db, "R1", date(2018, 6, 1))
    older = _case(db, "R1", date(2017, 6, 1))
    assert [i.record_id for i in due(db, date(2030, 1, 1))] == [older, newer]
    assert {i.kind for i in due(db, date(2030, 1, 1))} == {RecordType.CASE}


def test_the_schedule_is_a_branch_setting(db: Database, tmp_path: Path) -> None:
    from branchdesk.casework.models import BranchSetting

    save_schedule(db, Schedule(member_years=5), None)
    with db.read() as session:
        stored = session.scalar(select(BranchSetting.value).where(BranchSetting.key == KEY))
    assert stored is not None and '"member_years": 5' in stored


def test_the_latest_settlement_due() -> None:
    s = DEFAULT_SCHEDULE
    assert s.latest_claim_settled_on(date(2026, 1, 1)) == date(2019, 12, 31)
    assert s.latest_claim_settled_on(date(2025, 12, 31)) == date(2018, 12, 31)
    april = Schedule(financial_year_end_month=3, financial_year_end_day=31)
    assert april.latest_claim_settled_on(date(2026, 4, 1)) == date(2020, 3, 31)
    assert april.latest_claim_settled_on(date(2026, 3, 31)) == date(2019, 3, 31)


def test_a_member_is_kept_while_their_subject_access_request_is_answered(db: Database) -> None:
    from branchdesk.privacy.models import SarRequest

    member_id = _member(db, "R1", status="lapsed")
    with db.write() as session:
        session.add(SarRequest(member_id=member_id, received_on=TODAY, status="in_progress"))
    assert ("member", member_id) not in _keys(db, add_years(TODAY, 5))
    with db.write() as session:
        request = session.scalar(select(SarRequest))
        assert request is not None
        request.status = "sent"
    assert ("member", member_id) in _keys(db, add_years(TODAY, 5))
