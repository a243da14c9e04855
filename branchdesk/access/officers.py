"""Officers' accounts: the first one, the rest, signing in and out, roles and passwords.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile) and
hashed again with the current parameters at the next sign-in after they change. After a few
wrong passwords an account makes each further attempt wait, doubling up to five minutes; the
wait is kept in the database, so a new window or a script does not start it afresh.

In an encrypted database each officer's password also unwraps the data key, from the key file
beside it (branchdesk.store.keys): every change of password here rewraps it, inside the same
transaction, so a key file that cannot be written leaves the password as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from branchdesk.access.models import Officer
from branchdesk.access.principal import Principal, name_key
from branchdesk.access.roles import ROLE_LABELS, Role
from branchdesk.store import keys
from branchdesk.store.audit import entry, record
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError
from branchdesk.store.types import utcnow

MIN_PASSWORD_LENGTH = 10
FREE_ATTEMPTS = 3
MAX_WAIT_SECONDS = 300

_hasher = PasswordHasher()
# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone's")


class OfficerError(StoreError):
    """An officer's account could not be created or changed as asked."""


class SignInFailed(StoreError):
    """Wrong name or password (the message does not say which), or the account is off."""

    def __init__(self, message: str, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class OfficerRow:
    id: int
    name: str
    role: Role
    active: bool
    last_signed_in_at: datetime | None
    version: int

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def _event(officer: str, action: str, row_id: int | None, fields: list[str]) -> dict[str, object]:
    return entry(officer, action, "officers", row_id, fields)


def password_problems(password: str, name: str = "") -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if name and name_key(password) == name_key(name):
        problems.append("a password must not be the officer's name")
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _give_key(db: Database, session: Session, name: str, password: str) -> None:
    """Wrap an encrypted database's key for an officer's new password, as part of the
    session's transaction (nothing if the database is plain)."""
    if db.key is not None and db.path is not None:
        key = db.key
        keys.change_with(session, db.path, lambda held: held.give(key, name, password))


def _take_key(db: Database, session: Session, name: str) -> None:
    if db.key is not None and db.path is not None:
        keys.change_with(session, db.path, lambda held: held.take_away(name))


def _check_new(name: str, role: str, password: str) -> tuple[str, Role]:
    name = " ".join(name.split())
    if not name:
        raise OfficerError("an officer needs a name")
    if len(name) > 200:
        raise OfficerError("an officer's name can be at most 200 characters")
    try:
        checked_role = Role(role)
    except ValueError:
        raise OfficerError(
            f"'{role}' is not a role: choose one of {', '.join(r.value for r in Role)}"
        ) from None
    problems = password_problems(password, name)
    if problems:
        raise OfficerError("; ".join(problems).capitalize())
    return name, checked_role


def has_officers(db: Database) -> bool:
    with db.read(system=True) as session:
        return session.scalar(select(Officer.id).limit(1)) is not None


def create_first_officer(db: Database, name: str, password: str) -> Principal:
    """The branch's first account, a secretary, made at set-up and signed in at once."""
    name, role = _check_new(name, Role.SECRETARY, password)
    with db.write(system=True) as session:
        if session.scalar(select(Officer.id).limit(1)) is not None:
            raise OfficerError("this database already has officers: sign in instead")
        officer = Officer(
            name=name,
            name_key=name_key(name),
            role=role,
            password_hash=_hasher.hash(password),
            last_signed_in_at=utcnow(),  # signed in at once, below
        )
        session.add(officer)
        session.flush()
        principal = Principal(officer.id, officer.name, role)
    db.sign_in_required = True
    db.principal = principal
    with db.write(system=True) as session:
        record(session, [_event(principal.name, "sign_in", principal.officer_id, [])])
    return principal


def add_officer(db: Database, name: str, role: str, password: str) -> OfficerRow:
    """A new account (the secretary's to make: the role check refuses anyone else)."""
    name, checked_role = _check_new(name, role, password)
    with db.write() as session:
        if session.scalar(select(Officer.id).limit(1)) is None:
            raise OfficerError("the first account must be the branch secretary's (set-up)")
        if session.scalar(select(Officer.id).where(Officer.name_key == name_key(name))):
            raise OfficerError(f"there is already an officer called {name}")
        officer = Officer(
            name=name,
            name_key=name_key(name),
            role=checked_role,
            password_hash=_hasher.hash(password),
        )
        session.add(officer)
        session.flush()
        _give_key(db, session, name, password)
        return _row(officer)


def _row(officer: Officer) -> OfficerRow:
    return OfficerRow(
        officer.id,
        officer.name,
        Role(officer.role),
        officer.active,
        officer.last_signed_in_at,
        officer.version,
    )


def list_officers(db: Database) -> list[OfficerRow]:
    with db.read() as session:
        officers = session.scalars(select(Officer).order_by(func.lower(Officer.name)))
        return [_row(o) for o in officers]


def wait_after(failed_attempts: int) -> int:
    """Seconds an account waits before the next attempt, after this many wrong passwords."""
    if failed_attempts < FREE_ATTEMPTS:
        return 0
    return min(2 ** (failed_attempts - FREE_ATTEMPTS + 1), MAX_WAIT_SECONDS)


_WRONG = "The name or the password is not right."


def sign_in(db: Database, name: str, password: str, now: datetime | None = None) -> Principal:
    """Check an officer's password and make them the database's signed-in officer.

    Every attempt, good or bad, is in the audit log (a wrong name under "unknown name", since
    what was typed could be anything, even a password).
    """
    principal = authenticate(db, name, password, now)
    db.sign_in_required = True
    db.principal = principal
    return principal


def authenticate(
    db: Database,
    name: str,
    password: str,
    now: datetime | None = None,
    *,
    confirming: str = "",
) -> Principal:
    """Check an officer's password; raises SignInFailed. Nobody is signed in by this alone.

    `confirming` names what another officer's password confirms (e.g. "second" for a second
    officer's approval of a bulk erasure): the attempt is recorded with it rather than as a
    sign-in, and wrong passwords count against the account with the same waits.
    """
    now = now or utcnow()
    key = name_key(name)
    tag = [confirming] if confirming else []
    with db.write(system=True) as session:
        officer = session.scalar(select(Officer).where(Officer.name_key == key))
        if officer is None:
            _verify(_DUMMY_HASH, password)
            record(session, [_event("unknown name", "sign_in_failed", None, ["name", *tag])])
            failure: SignInFailed | None = SignInFailed(_WRONG)
        else:
            failure = _attempt(session, officer, password, now, tag)
            principal = Principal(officer.id, officer.name, Role(officer.role))
    if failure is not None:
        raise failure
    return principal


def _attempt(
    session: Session, officer: Officer, password: str, now: datetime, tag: list[str]
) -> SignInFailed | None:
    """Check one attempt on a known account, recording it; the failure to raise, if any."""

    def failed(reason: str) -> None:
        record(session, [_event(officer.name, "sign_in_failed", officer.id, [reason, *tag])])

    if officer.last_failed_at is not None:
        ready = officer.last_failed_at + timedelta(seconds=wait_after(officer.failed_attempts))
        if now < ready:
            wait = int((ready - now).total_seconds()) + 1
            failed("too_soon")
            return SignInFailed(
                f"Too many wrong passwords for this account: try again in {wait} seconds.", wait
            )
    if not _verify(officer.password_hash, password):
        officer.failed_attempts += 1
        officer.last_failed_at = now
        failed("password")
        return SignInFailed(_WRONG, wait_after(officer.failed_attempts))
    if not officer.active:
        failed("active")
        return SignInFailed(
            f"{officer.name}'s account is switched off: the branch secretary can switch it on."
        )
    if _hasher.check_needs_rehash(officer.password_hash):
        officer.password_hash = _hasher.hash(password)
    officer.failed_attempts = 0
    officer.last_failed_at = None
    if not tag:
        officer.last_signed_in_at = now
        record(session, [_event(officer.name, "sign_in", officer.id, [])])
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_out(db: Database) -> None:
    if db.principal is not None:
        with db.write(system=True) as session:
            record(session, [_event(db.principal.name, "sign_out", db.principal.officer_id, [])])
    db.principal = None


def confirm_password(db: Database, password: str) -> None:
    """Check the signed-in officer's password again (unlocking after idle); raises if wrong."""
    if db.principal is None:
        raise SignInFailed("Nobody is signed in.")
    sign_in(db, db.principal.name, password)


def change_own_password(db: Database, old: str, new: str) -> None:
    principal = db.principal
    if principal is None:
        raise OfficerError("sign in to change your password")
    problems = password_problems(new, principal.name)
    if problems:
        raise OfficerError("; ".join(problems).capitalize())
    confirm_password(db, old)
    with db.write(system=True) as session:
        officer = session.get(Officer, principal.officer_id)
        assert officer is not None
        officer.password_hash = _hasher.hash(new)
        session.flush()
        _give_key(db, session, officer.name, new)


def reset_password(db: Database, officer_id: int, new: str) -> None:
    """A new password for another officer's account (the secretary's to give)."""
    with db.write() as session:
        officer = _get(session, officer_id)
        problems = password_problems(new, officer.name)
        if problems:
            raise OfficerError("; ".join(problems).capitalize())
        officer.password_hash = _hasher.hash(new)
        officer.failed_attempts = 0
        officer.last_failed_at = None
        session.flush()
        _give_key(db, session, officer.name, new)


def set_role(db: Database, officer_id: int, role: str) -> None:
    try:
        new_role = Role(role)
    except ValueError:
        raise OfficerError(f"'{role}' is not a role") from None
    with db.write() as session:
        officer = _get(session, officer_id)
        if officer.role == new_role:
            return
        if officer.role == Role.SECRETARY:
            _keep_a_secretary(session, officer)
        old = officer.role
        officer.role = new_role
        record(
            session,
            [
                entry(
                    db.officer,
                    "role_change",
                    "officers",
                    officer.id,
                    ["role"],
                    {"role": (old, new_role.value)},
                )
            ],
        )


def set_active(db: Database, officer_id: int, active: bool) -> None:
    with db.write() as session:
        officer = _get(session, officer_id)
        if not active and officer.role == Role.SECRETARY:
            _keep_a_secretary(session, officer)
        officer.active = active
        session.flush()
        if not active:
            # An account switched off no longer unlocks the file; switched on again, it needs a
            # new password from the secretary to get a key.
            _take_key(db, session, officer.name)


def _get(session: Session, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise OfficerError(f"no officer with id {officer_id}")
    return officer


def _keep_a_secretary(session: Session, leaving: Officer) -> None:
    others = session.scalar(
        select(func.count(Officer.id)).where(
            Officer.role == Role.SECRETARY, Officer.active.is_(True), Officer.id != leaving.id
        )
    )
    if not others:
        raise OfficerError(
            "the branch needs at least one active secretary: make another officer secretary first"
        )
