"""Officers and roles: every action a role may not take is refused in the service layer and
recorded in the audit log, on SQLite and PostgreSQL; a caseworker sees only their own cases."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from branchdesk.access import officers
from branchdesk.access.roles import READ, WRITE, Area, Role, can
from branchdesk.casework.listing import CaseListing
from branchdesk.casework.models import Case, TimelineEntry
from branchdesk.casework.service import EntryForm, add_entry
from branchdesk.demands.models import Claim as DemandClaim
from branchdesk.demands.service import ClaimForm, create_claim
from branchdesk.demo import fill_demo
from branchdesk.hardship.donations import DonationForm, record_donation
from branchdesk.hardship.listing import LedgerListing
from branchdesk.hardship.models import Fund
from branchdesk.members.listing import MemberListing
from branchdesk.members.models import Member
from branchdesk.members.service import get_member, update_member
from branchdesk.money import Money
from branchdesk.outsourcing.models import Contract
from branchdesk.outsourcing.service import add_event
from branchdesk.store.audit import AuditEntry
from branchdesk.store.backup import copy_sqlite
from branchdesk.store.database import Database, open_database
from branchdesk.store.errors import AccessDenied, SignInRequired, StaleEdit

PASSWORD = "correct horse battery"
REP = "Ash Rowan (demo rep)"  # a rep of the demo branch's cases
NAMES = {
    Role.SECRETARY: "Sam Secretary",
    Role.CASEWORKER: REP,
    Role.TREASURER: "Tia Treasurer",
    Role.NEGOTIATOR: "Ned Negotiator",
    Role.AUDITOR: "Ada Auditor",
}


def _staff(db: Database) -> None:
    officers.create_first_officer(db, NAMES[Role.SECRETARY], PASSWORD)
    for role, name in NAMES.items():
        if role is not Role.SECRETARY:
            officers.add_officer(db, name, role, PASSWORD)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("access") / "branch.sqlite3"
    db = open_database(path, officer="Set-up")
    fill_demo(db, "small", 1)
    _staff(db)
    db.dispose()
    return path


@pytest.fixture
def staffed(template: Path, tmp_path: Path) -> Iterator[Database]:
    """The demo branch with one officer of each role, nobody signed in."""
    path = tmp_path / "branch.sqlite3"
    copy_sqlite(template, path)
    db = open_database(path)
    yield db
    db.dispose()


def _first(db: Database, model: type) -> int:
    with db.read(system=True) as session:
        found = session.scalar(select(model.id).order_by(model.id).limit(1))  # type: ignore[attr-defined]
    assert found is not None
    return found


def _foreign_case(db: Database) -> int:
    """A case the caseworker neither represents nor is assigned to."""
    with db.read(system=True) as session:
        found = session.scalar(
            select(Case.id).where(Case.rep != REP, Case.second_rep != REP).limit(1)
        )
    assert found is not None
    return found


def _touch_member(db: Database) -> None:
    member_id = _first(db, Member)
    form = get_member(db, member_id)
    update_member(db, member_id, dataclasses.replace(form, notes=form.notes + " (checked)"))


def _note(db: Database, case_id: int) -> None:
    add_entry(db, case_id, EntryForm(happened_on=date.today(), kind="note", title="Called"))


# Each action: the area it needs, read or write, and a real call through the service layer.
ACTIONS: dict[str, tuple[Area, str, Callable[[Database], object]]] = {
    "list members": (Area.MEMBERS, READ, lambda db: MemberListing(db).ids()),
    "change a member": (Area.MEMBERS, WRITE, _touch_member),
    "list cases": (Area.CASEWORK, READ, lambda db: CaseListing(db).ids()),
    "add a note to a case": (
        Area.CASEWORK,
        WRITE,
        lambda db: _note(db, _own_case(db)),
    ),
    "read claims": (
        Area.DEMANDS,
        READ,
        lambda db: _read_all(db, DemandClaim),
    ),
    "open a claim": (
        Area.DEMANDS,
        WRITE,
        lambda db: create_claim(db, ClaimForm(title="Access test claim", employer="Test Council")),
    ),
    "read contracts": (Area.OUTSOURCING, READ, lambda db: _read_all(db, Contract)),
    "log a contract event": (
        Area.OUTSOURCING,
        WRITE,
        lambda db: add_event(db, _first(db, Contract), date.today(), "campaign", "Leafleting"),
    ),
    "open the ledger": (Area.HARDSHIP, READ, lambda db: LedgerListing(db, _first(db, Fund)).ids()),
    "record a donation": (
        Area.HARDSHIP,
        WRITE,
        lambda db: record_donation(
            db,
            _first(db, Fund),
            DonationForm(
                received_on=date.today(), donor_name="A test branch", amount=Money.parse("10.00")
            ),
        ),
    ),
    "read the audit log": (Area.AUDIT, READ, lambda db: _read_all(db, AuditEntry)),
    "add an officer": (
        Area.OFFICERS,
        WRITE,
        lambda db: officers.add_officer(db, "New Officer", "auditor", PASSWORD),
    ),
}


def _read_all(db: Database, model: type) -> int:
    with db.read() as session:
        return len(session.scalars(select(model).limit(50)).all())


def _own_case(db: Database) -> int:
    with db.read(system=True) as session:
        found = session.scalar(select(Case.id).where(Case.rep == REP).limit(1))
    assert found is not None
    return found


def _denials(db: Database) -> list[AuditEntry]:
    with db.read(system=True) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "denied")))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_role_is_allowed_or_refused_as_its_permissions_say(
    staffed: Database, role: Role, action: str
) -> None:
    area, verb, call = ACTIONS[action]
    officers.sign_in(staffed, NAMES[role], PASSWORD)
    before = len(_denials(staffed))
    if can(role, area, verb):
        call(staffed)
        assert len(_denials(staffed)) == before
        return
    with pytest.raises(AccessDenied) as refused:
        call(staffed)
    assert NAMES[role] in str(refused.value)
    denials = _denials(staffed)
    assert len(denials) == before + 1
    assert denials[-1].officer == NAMES[role]
    # A change to an area the role may not even see is refused at the first look.
    expected = verb if can(role, area, READ) else READ
    assert denials[-1].field_list() == [expected]


def test_nobody_signed_in_is_refused_once_officers_exist(staffed: Database) -> None:
    with pytest.raises(SignInRequired):
        MemberListing(staffed).ids()
    assert _denials(staffed)[-1].officer == "unknown"


def test_a_caseworker_sees_and_changes_only_their_own_cases(staffed: Database) -> None:
    with staffed.read(system=True) as session:
        own = session.scalar(
            select(func.count(Case.id)).where((Case.rep == REP) | (Case.second_rep == REP))
        )
        everyone = session.scalar(select(func.count(Case.id)))
    assert 0 < own < everyone
    officers.sign_in(staffed, REP, PASSWORD)
    assert len(CaseListing(staffed).ids()) == own
    with staffed.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == own
        notes = session.scalars(select(TimelineEntry)).all()
        assert {n.case_id for n in notes} <= set(CaseListing(staffed).ids())
        assert session.get(Case, _foreign_case(staffed)) is None
    _note(staffed, _own_case(staffed))
    foreign = _foreign_case(staffed)
    # To the service, another rep's case is not there at all.
    with pytest.raises(StaleEdit):
        _note(staffed, foreign)
    # A note put straight onto it is refused when it is written, and the refusal recorded.
    with (
        pytest.raises(AccessDenied, match="only the cases they represent"),
        staffed.write() as session,
    ):
        session.add(
            TimelineEntry(case_id=foreign, happened_on=date.today(), kind="note", title="x")
        )
    assert _denials(staffed)[-1].row_id is None
    assert _denials(staffed)[-1].table_name == "case_events"
    # The secretary sees every case again.
    officers.sign_in(staffed, NAMES[Role.SECRETARY], PASSWORD)
    assert len(CaseListing(staffed).ids()) == everyone


def test_a_refused_write_leaves_nothing_behind(staffed: Database) -> None:
    officers.sign_in(staffed, NAMES[Role.AUDITOR], PASSWORD)
    fund_id = _first(staffed, Fund)
    with staffed.read() as session:
        count = len(session.scalars(select(Fund)).all())
    with pytest.raises(AccessDenied):
        record_donation(
            staffed,
            fund_id,
            DonationForm(
                received_on=date.today(), donor_name="A test branch", amount=Money.parse("5.00")
            ),
        )
    with staffed.read() as session:
        assert len(session.scalars(select(Fund)).all()) == count
    from branchdesk.hardship.models import Donation

    with staffed.read(system=True) as session:
        assert all(
            d.amount != Money.parse("5.00") or d.received_on != date.today()
            for d in session.scalars(select(Donation))
        )


def test_wrong_passwords_slow_the_account_down_and_are_recorded(staffed: Database) -> None:
    name = NAMES[Role.TREASURER]
    start = officers.utcnow()
    for attempt in range(officers.FREE_ATTEMPTS):
        with pytest.raises(officers.SignInFailed, match="not right"):
            officers.sign_in(
                staffed, name, "wrong password", now=start + timedelta(seconds=attempt)
            )
    # The next attempt, even with the right password, has to wait.
    soon = start + timedelta(seconds=officers.FREE_ATTEMPTS)
    with pytest.raises(officers.SignInFailed, match="try again in") as waiting:
        officers.sign_in(staffed, name, PASSWORD, now=soon)
    assert waiting.value.wait_seconds > 0
    later = soon + timedelta(seconds=officers.MAX_WAIT_SECONDS)
    assert officers.sign_in(staffed, name, PASSWORD, now=later).role is Role.TREASURER
    with staffed.read(system=True) as session:
        actions = [
            (e.officer, e.action)
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action.like("sign_in%")).order_by(AuditEntry.id)
            )
        ][-5:]
    assert actions == [(name, "sign_in_failed")] * 4 + [(name, "sign_in")]


def test_an_unknown_name_is_refused_like_a_wrong_password(staffed: Database) -> None:
    with pytest.raises(officers.SignInFailed, match="not right"):
        officers.sign_in(staffed, "Nobody Here", PASSWORD)
    with staffed.read(system=True) as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.officer, last.action) == ("unknown name", "sign_in_failed")


def test_role_changes_are_recorded_and_the_last_secretary_stays(staffed: Database) -> None:
    officers.sign_in(staffed, NAMES[Role.SECRETARY], PASSWORD)
    rows = {r.name: r for r in officers.list_officers(staffed)}
    officers.set_role(staffed, rows[NAMES[Role.AUDITOR]].id, "treasurer")
    with staffed.read() as session:
        change = session.scalars(select(AuditEntry).where(AuditEntry.action == "role_change")).one()
    assert change.change_map() == {"role": ["auditor", "treasurer"]}
    with pytest.raises(officers.OfficerError, match="at least one active secretary"):
        officers.set_role(staffed, rows[NAMES[Role.SECRETARY]].id, "auditor")
    with pytest.raises(officers.OfficerError, match="at least one active secretary"):
        officers.set_active(staffed, rows[NAMES[Role.SECRETARY]].id, False)


def test_a_switched_off_account_cannot_sign_in(staffed: Database) -> None:
    officers.sign_in(staffed, NAMES[Role.SECRETARY], PASSWORD)
    rows = {r.name: r for r in officers.list_officers(staffed)}
    officers.set_active(staffed, rows[NAMES[Role.NEGOTIATOR]].id, False)
    with pytest.raises(officers.SignInFailed, match="switched off"):
        officers.sign_in(staffed, NAMES[Role.NEGOTIATOR], PASSWORD)


def test_passwords_are_argon2id_hashes_and_rehashed_when_parameters_change(
    staffed: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argon2 import PasswordHasher

    from branchdesk.access.models import Officer

    def stored() -> str:
        with staffed.read(system=True) as session:
            return session.scalars(
                select(Officer.password_hash).where(Officer.role == "auditor")
            ).one()

    assert stored().startswith("$argon2id$")
    assert PASSWORD not in stored()
    monkeypatch.setattr(officers, "_hasher", PasswordHasher(time_cost=4))
    old = stored()
    officers.sign_in(staffed, NAMES[Role.AUDITOR], PASSWORD)
    assert stored() != old and "t=4" in stored()


def test_new_officers_need_a_proper_password_and_a_unique_name(staffed: Database) -> None:
    officers.sign_in(staffed, NAMES[Role.SECRETARY], PASSWORD)
    with pytest.raises(officers.OfficerError, match="at least 10 characters"):
        officers.add_officer(staffed, "Short Pass", "auditor", "abc")
    with pytest.raises(officers.OfficerError, match="already an officer"):
        officers.add_officer(staffed, NAMES[Role.AUDITOR].upper(), "auditor", PASSWORD)
    with pytest.raises(officers.OfficerError, match="not a role"):
        officers.add_officer(staffed, "Odd Role", "treasurer-general", PASSWORD)


def test_the_first_account_is_the_secretary_and_made_once(db: Database) -> None:
    assert not db.sign_in_required
    with pytest.raises(officers.OfficerError, match="first account"):
        officers.add_officer(db, "Not First", "auditor", PASSWORD)
    principal = officers.create_first_officer(db, "First Secretary", PASSWORD)
    assert principal.role is Role.SECRETARY and db.sign_in_required
    with pytest.raises(officers.OfficerError, match="already has officers"):
        officers.create_first_officer(db, "Second Secretary", PASSWORD)


@pytest.mark.postgres
def test_roles_bind_on_postgresql(pg_server: object, request: pytest.FixtureRequest) -> None:
    import pgserver

    assert isinstance(pg_server, pgserver.PgServer)
    pg_server.drop_database("access_roles")
    db = open_database(pg_server.create_database("access_roles"), officer="Set-up")
    try:
        fill_demo(db, "small", 1)
        _staff(db)
        officers.sign_in(db, REP, PASSWORD)
        with db.read(system=True) as session:
            own = session.scalar(
                select(func.count(Case.id)).where((Case.rep == REP) | (Case.second_rep == REP))
            )
        assert len(CaseListing(db).ids()) == own
        with pytest.raises(StaleEdit):
            _note(db, _foreign_case(db))
        officers.sign_in(db, NAMES[Role.TREASURER], PASSWORD)
        with pytest.raises(AccessDenied):
            CaseListing(db).ids()
        assert _denials(db)[-1].officer == NAMES[Role.TREASURER]
    finally:
        db.dispose()
        pg_server.drop_database("access_roles")


def test_the_notes_search_is_bound_by_the_role_and_skips_health_and_discipline(
    staffed: Database,
) -> None:
    from sqlalchemy import text

    from branchdesk.casework.queries import search_timeline
    from branchdesk.casework.sensitive import SENSITIVE_TYPES

    word = "Zqnotesword"
    with staffed.read(system=True) as session:
        cases = session.execute(select(Case.id, Case.case_type, Case.rep, Case.second_rep)).all()
    mine = next(c for c in cases if c.rep == REP and c.case_type not in SENSITIVE_TYPES)
    others = next(c for c in cases if REP not in (c.rep, c.second_rep))
    sensitive = next(c for c in cases if c.case_type in SENSITIVE_TYPES)
    officers.sign_in(staffed, NAMES[Role.SECRETARY], PASSWORD)
    for case in (mine, others, sensitive):
        add_entry(staffed, case.id, EntryForm(date(2026, 11, 2), "note", title=word, body=""))
    found = {case_id for _, case_id, _ in search_timeline(staffed, word.lower())}
    # The secretary finds the note in both ordinary cases, and not in the health case.
    assert found == {mine.id, others.id}
    officers.sign_out(staffed)
    officers.sign_in(staffed, REP, PASSWORD)
    assert {case_id for _, case_id, _ in search_timeline(staffed, word)} == {mine.id}
    officers.sign_out(staffed)
    officers.sign_in(staffed, NAMES[Role.TREASURER], PASSWORD)
    with pytest.raises(AccessDenied, match="may not see"):
        search_timeline(staffed, word)
    # Raw SQL, whose tables cannot be checked, is refused in an officer's session.
    with pytest.raises(AccessDenied, match="raw SQL"), staffed.read() as session:
        session.execute(text("SELECT count(*) FROM case_events")).scalar()
    with staffed.read(system=True) as session:
        denied = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "denied")
        )
    assert denied == 2
