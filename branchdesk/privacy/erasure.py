"""Erasing and anonymising what the retention schedule says is due, leaving nothing behind.

Each record is erased in a transaction of its own, after checking again, inside it, that the
record is still due (someone may have reopened the case or the member may have rejoined since
the list was read). What each type of record loses:

- a closed case: deleted, with its timeline, deadlines, consents, stage changes, other members
  and documents; the documents' files are overwritten and removed from the documents folder
  once the transaction has committed;
- a settled hardship claim: the member's circumstances, the evidence notes and the panel's
  reasons are blanked; its amounts, days, payments and ledger entries stay;
- a lapsed or left member: anonymised, not deleted, because ledger entries, payments, strike
  days and contracts point at them (and the ledger can never change). Their names become
  "Erased member <id>", their membership number "ERASED-<id>"; contacts, address, department,
  job, employer, joining date and notes are cleared. Their closed cases (those they lead) are
  deleted as above and their claims' personal text blanked, in the same transaction, and the
  bank statement lines matched to payments to them lose the bank's description (which names
  the payee). Their subject access requests keep their dates and status, the branch's evidence
  of answering in time, but lose their notes. Survey responses are not linked to members, so
  there is nothing of theirs there.

Every record erased gets one "erase" event in the audit log naming the table, the id, which
fields went and how many related rows: never a value. The signed-in officer is the event's
officer; a second officer, when there is one, is named in it too.

Erasing several records at once needs a second officer: another active officer's name and
password, checked here without signing anyone in or out (a wrong password counts against that
account as a wrong sign-in would). Only the secretary may erase (`retention.require_privacy`).

Afterwards, on SQLite, the case notes' full-text index is optimised (merged into one segment,
so deleted words do not linger in old ones) and the WAL is checkpointed and truncated; with
`secure_delete` on, the freed pages are already zeros. On PostgreSQL the touched tables are
vacuumed where the account may; the server's own write-ahead log and its backups are the
server's to manage (see the README).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from branchdesk.access.officers import SignInFailed, authenticate
from branchdesk.access.principal import name_key
from branchdesk.access.roles import WRITE
from branchdesk.casework.documents import NoSharedFolder, documents_folder
from branchdesk.casework.models import (
    Case,
    CaseMember,
    Consent,
    Deadline,
    Document,
    StageChange,
    TimelineEntry,
)
from branchdesk.hardship.models import BankLine, Claim, LedgerEntry, PanelDecision
from branchdesk.members.models import Member, search_text_for
from branchdesk.privacy.models import SarRequest
from branchdesk.privacy.retention import (
    ERASED_NUMBER_PREFIX,
    DueItem,
    RecordType,
    Schedule,
    due_again,
    load_schedule,
    require_privacy,
)
from branchdesk.progress import Cancelled, Progress
from branchdesk.store.audit import record_event
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError

log = logging.getLogger(__name__)

# The rows that hang off a case, deleted before it (documents are RESTRICT, not CASCADE).
CASE_PARTS: tuple[type[Any], ...] = (
    TimelineEntry,
    Deadline,
    Consent,
    StageChange,
    CaseMember,
    Document,
)
CLAIM_TEXT = ("circumstances", "evidence", "decision_reasons")
MEMBER_CLEARED = (
    "membership_number",
    "first_name",
    "last_name",
    "department",
    "job_title",
    "work_email",
    "work_phone",
    "personal_email",
    "personal_phone",
    "home_address",
    "notes",
    "date_joined",
    "employer_id",
    "workplace_id",
)


class ErasureRefused(StoreError):
    """An erasure that may not go ahead as asked; nothing was erased."""


class SecondOfficerRefused(ErasureRefused):
    """No second officer, or their name or password is not right."""

    def __init__(self, message: str, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


def erased_name(member_id: int) -> str:
    return f"Erased member {member_id}"


# --------------------------------------------------------------------------------------------
# The second officer


def verify_second_officer(
    db: Database, name: str, password: str, now: datetime | None = None
) -> str:
    """Check another active officer's password without signing them in; their name as stored.

    A wrong password is recorded and counts against the account, and the account's wait after
    wrong passwords applies, exactly as at sign-in, so this is no way round it.
    """
    if not db.sign_in_required:
        raise SecondOfficerRefused(
            "Erasing several records at once needs a second officer to confirm it, and this "
            "database has no officers' accounts: erase the records one at a time."
        )
    if not name_key(name) or not password:
        raise SecondOfficerRefused(
            "Erasing several records at once needs a second officer: give another officer's "
            "name and password. Nothing was erased."
        )
    principal = db.principal
    if principal is not None and name_key(name) == principal.key:
        raise SecondOfficerRefused(
            "The second officer must be someone other than the officer signed in. "
            "Nothing was erased."
        )
    try:
        second = authenticate(db, name, password, now, confirming="second")
    except SignInFailed as exc:
        raise SecondOfficerRefused(
            f"Second officer: {exc} Nothing was erased.", exc.wait_seconds
        ) from None
    return second.name


# --------------------------------------------------------------------------------------------
# Erasing


@dataclass
class ErasureResult:
    erased: list[DueItem] = field(default_factory=list)
    # Records asked for that were no longer due when their turn came, with why.
    skipped: list[tuple[DueItem, str]] = field(default_factory=list)
    files_removed: int = 0
    # Documents' files that could not be removed (their place in the documents folder).
    files_left: list[str] = field(default_factory=list)
    # The WAL checkpointed and the full-text index optimised (SQLite), or vacuumed (PostgreSQL).
    storage_tidied: bool = False
    problems: list[str] = field(default_factory=list)
    second_officer: str | None = None
    cancelled: bool = False

    def summary(self) -> str:
        lines = []
        erased = [i for i in self.erased if i.action == "erase"]
        anonymised = [i for i in self.erased if i.action == "anonymise"]
        if erased:
            lines.append(f"{_count(len(erased), 'record')} erased.")
        if anonymised:
            lines.append(f"{_count(len(anonymised), 'record')} anonymised.")
        if not self.erased:
            lines.append("Nothing was erased.")
        if self.files_removed:
            lines.append(f"{_count(self.files_removed, 'document file')} removed.")
        for item, why in self.skipped:
            lines.append(f"{item.label} was left as it is: {why}.")
        if self.files_left:
            lines.append(
                f"{_count(len(self.files_left), 'document file')} could not be removed from the "
                "documents folder: " + ", ".join(self.files_left)
            )
        if self.cancelled:
            lines.append("Stopped before the end: the rest were not erased.")
        lines.extend(self.problems)
        if self.second_officer:
            lines.append(f"Confirmed by {self.second_officer}.")
        return "\n".join(lines)


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")


def erase(
    db: Database,
    items: Sequence[DueItem],
    today: date | None = None,
    *,
    second_officer: str = "",
    second_password: str = "",
    progress: Progress | None = None,
    schedule: Schedule | None = None,
) -> ErasureResult:
    """Erase or anonymise `items` (as `retention.due` gave them), one transaction each.

    More than one record needs a second officer (`second_officer`, `second_password`).
    Cancelling (through `progress`) stops before the next record; those done stay done.
    """
    today = today or date.today()
    require_privacy(db, WRITE)
    unique = list({item.key: item for item in items}.values())
    if not unique:
        return ErasureResult()
    result = ErasureResult()
    if len(unique) > 1:
        result.second_officer = verify_second_officer(db, second_officer, second_password)
    if schedule is None:
        schedule, _ = load_schedule(db)
    folder = _documents_folder(db)
    touched: set[str] = set()
    try:
        for done, item in enumerate(unique):
            if progress is not None:
                try:
                    progress.update(done, len(unique))
                except Cancelled:
                    result.cancelled = True
                    break
            files = _erase_one(db, item, today, schedule, result, touched)
            _remove_files(folder, files, result)
        if progress is not None and not result.cancelled:
            with contextlib.suppress(Cancelled):  # too late to stop: everything is done
                progress.update(len(unique), len(unique))
    finally:
        # Even when a later record failed: what was erased must not linger in the files.
        if result.erased:
            result.storage_tidied = tidy_storage(db, touched, result.problems)
    return result


def erase_all_due(
    db: Database,
    today: date | None = None,
    *,
    second_officer: str = "",
    second_password: str = "",
    progress: Progress | None = None,
) -> ErasureResult:
    """Everything `retention.due` lists today."""
    from branchdesk.privacy.retention import due

    today = today or date.today()
    schedule, _ = load_schedule(db)
    items = due(db, today, schedule)
    return erase(
        db,
        items,
        today,
        second_officer=second_officer,
        second_password=second_password,
        progress=progress,
        schedule=schedule,
    )


def _documents_folder(db: Database) -> Path | None:
    try:
        return documents_folder(db)
    except NoSharedFolder:
        return None  # a shared database with no folder set: it can hold no documents' files


def _lock(session: Session, model: type[Any], record_id: int) -> None:
    # PostgreSQL: the row waits for us (someone reopening the case, say). SQLite: the write
    # transaction already holds the only write lock.
    session.execute(select(model.id).where(model.id == record_id).with_for_update())


_MODELS: dict[RecordType, type[Any]] = {
    RecordType.CASE: Case,
    RecordType.MEMBER: Member,
    RecordType.HARDSHIP_CLAIM: Claim,
}


def _erase_one(
    db: Database,
    item: DueItem,
    today: date,
    schedule: Schedule,
    result: ErasureResult,
    touched: set[str],
) -> list[str]:
    """One record in one transaction; the documents' files to remove once it has committed."""
    officer = db.officer
    extra = {"second_officer": result.second_officer} if result.second_officer else {}
    with db.write() as session:
        _lock(session, _MODELS[item.kind], item.record_id)
        current = due_again(session, item, today, schedule)
        if current is None:
            result.skipped.append((item, "it is no longer due (changed or erased meanwhile)"))
            return []
        if item.kind is RecordType.CASE:
            files, counts = _delete_case(session, item.record_id)
            _event(session, officer, current, ["case", *counts], counts, "deleted", extra)
            touched.update(m.__tablename__ for m in (Case, *CASE_PARTS))
        elif item.kind is RecordType.HARDSHIP_CLAIM:
            files = []
            fields, reasons = _blank_claim(session, item.record_id)
            _event(session, officer, current, fields, {"panel_decisions": reasons}, "", extra)
            touched.update(("hardship_claims", "hardship_panel_decisions"))
        else:
            files = _anonymise_member(session, officer, current, extra)
            touched.update(
                m.__tablename__ for m in (Member, Case, *CASE_PARTS, Claim, BankLine, SarRequest)
            )
            touched.add("hardship_panel_decisions")
    result.erased.append(current)
    return files


def _event(
    session: Session,
    officer: str,
    item: DueItem,
    fields: Sequence[str],
    counts: dict[str, int],
    how: str,
    extra: dict[str, Any],
) -> None:
    """The audit log's record of an erasure: which record, which fields, how many rows."""
    changes: dict[str, Any] = {"erasure": how or item.action + "d", "rule": item.kind.value}
    changes.update({k: v for k, v in counts.items() if v})
    changes.update(extra)
    record_event(session, officer, "erase", item.table, item.record_id, fields, changes)


def _delete_case(session: Session, case_id: int) -> tuple[list[str], dict[str, int]]:
    files = list(session.scalars(select(Document.stored_as).where(Document.case_id == case_id)))
    counts: dict[str, int] = {}
    for model in CASE_PARTS:
        # Statements, not ORM deletes: the flush hook would log each row's values one by one,
        # where the erasure is logged once, without them. The FTS triggers still fire.
        gone = session.execute(
            delete(model)
            .where(model.case_id == case_id)
            .execution_options(synchronize_session=False)
        )
        counts[model.__tablename__] = int(gone.rowcount or 0)
    session.execute(
        delete(Case).where(Case.id == case_id).execution_options(synchronize_session=False)
    )
    return files, counts


def _blank_claim(session: Session, claim_id: int) -> tuple[list[str], int]:
    """Blank a claim's personal text and its panel's reasons: the fields that held some, and
    how many panel decisions had reasons."""
    held = session.execute(
        select(*(getattr(Claim, f) for f in CLAIM_TEXT)).where(Claim.id == claim_id)
    ).first()
    fields = [name for name, value in zip(CLAIM_TEXT, held or (), strict=False) if value]
    if fields:
        session.execute(
            update(Claim)
            .where(Claim.id == claim_id)
            # A new version, so a form opened before the erasure cannot save the text back.
            .values({**dict.fromkeys(CLAIM_TEXT, ""), "version": Claim.version + 1})
            .execution_options(synchronize_session=False)
        )
    blanked = session.execute(
        update(PanelDecision)
        .where(PanelDecision.claim_id == claim_id, PanelDecision.reasons != "")
        .values(reasons="")
        .execution_options(synchronize_session=False)
    )
    reasons = int(blanked.rowcount or 0)
    return fields + (["panel_reasons"] if reasons else []), reasons


def _anonymise_member(
    session: Session,
    officer: str,
    item: DueItem,
    extra: dict[str, Any],
) -> list[str]:
    member_id = item.record_id
    files: list[str] = []
    # Their closed cases go with them (each is past its own period, or the member would not be
    # due); each is logged as its own erasure.
    for case_id, reference in session.execute(
        select(Case.id, Case.reference).where(Case.member_id == member_id)
    ).all():
        case_files, counts = _delete_case(session, case_id)
        files += case_files
        case_item = DueItem(
            RecordType.CASE, case_id, reference, item.member_number, "", "", item.due_since
        )
        _event(session, officer, case_item, ["case", *counts], counts, "deleted", extra)
    claims = list(session.scalars(select(Claim.id).where(Claim.member_id == member_id)))
    for claim_id in claims:
        fields, reasons = _blank_claim(session, claim_id)
        if not fields:
            continue  # nothing personal left on it: nothing to record
        claim_item = DueItem(
            RecordType.HARDSHIP_CLAIM, claim_id, "", item.member_number, "", "", item.due_since
        )
        _event(session, officer, claim_item, fields, {"panel_decisions": reasons}, "", extra)
    number = f"{ERASED_NUMBER_PREFIX}{member_id}"
    values: dict[str, Any] = {
        "membership_number": number,
        "first_name": "Erased",
        "last_name": f"member {member_id}",
        "department": "",
        "job_title": "",
        "work_email": "",
        "work_phone": "",
        "personal_email": "",
        "personal_phone": "",
        "home_address": "",
        "notes": "",
        "date_joined": None,
        "employer_id": None,
        "workplace_id": None,
    }
    values["search_text"] = search_text_for(values, "", "")
    session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values({**values, "version": Member.version + 1})
        .execution_options(synchronize_session=False)
    )
    # The bank's words for a payment to them name them; the amount and date stay.
    lines = session.execute(
        update(BankLine)
        .where(
            BankLine.entry_id.in_(select(LedgerEntry.id).where(LedgerEntry.member_id == member_id))
        )
        .values(description=erased_name(member_id), reference="", version=BankLine.version + 1)
        .execution_options(synchronize_session=False)
    )
    # Their subject access requests stay as the branch's evidence of answering in time (dates
    # and status); the notes about them, and where the export went, do not.
    requests = session.execute(
        update(SarRequest)
        .where(SarRequest.member_id == member_id)
        .values(notes="", extension_reason="", export_folder="", version=SarRequest.version + 1)
        .execution_options(synchronize_session=False)
    )
    counts = {
        "bank_lines": int(lines.rowcount or 0),
        "hardship_claims": len(claims),
        "sar_requests": int(requests.rowcount or 0),
    }
    _event(session, officer, item, MEMBER_CLEARED, counts, "anonymised", extra)
    return files


# --------------------------------------------------------------------------------------------
# Files and storage


def _remove_files(folder: Path | None, stored: Sequence[str], result: ErasureResult) -> None:
    """Overwrite and remove documents' files whose rows are gone, and their emptied folders.

    Overwriting first is no guarantee on an SSD or a copy-on-write file system (encrypt the
    disk for that), but it costs little and helps on the rest.
    """
    if not stored:
        return
    if folder is None:
        result.files_left.extend(stored)
        return
    root = folder.resolve()
    for name in stored:
        path = (root / name).resolve()
        if not path.is_relative_to(root) or path == root:
            # Never outside the documents folder, whatever a row says.
            result.files_left.append(name)
            continue
        try:
            if path.exists():
                _overwrite(path)
                path.unlink()
            result.files_removed += 1
        except OSError as exc:
            log.warning("could not remove a document's file: %s", type(exc).__name__)
            result.files_left.append(name)
            continue
        parent = path.parent
        if parent != root:
            with contextlib.suppress(OSError):
                parent.rmdir()  # only when empty


def _overwrite(path: Path) -> None:
    size = path.stat().st_size
    block = b"\0" * (1 << 16)
    with path.open("r+b") as handle:
        left = size
        while left > 0:
            left -= handle.write(block[: min(left, len(block))])
        handle.flush()
        os.fsync(handle.fileno())


def tidy_storage(
    db: Database, tables: set[str] | None = None, problems: list[str] | None = None
) -> bool:
    """Leave no copy of erased text in the database's files; True if that is done.

    SQLite: the full-text index merged (old segments still hold deleted words), then the WAL
    checkpointed into the file and truncated. PostgreSQL: the touched tables vacuumed.
    """
    problems = problems if problems is not None else []
    try:
        if db.is_sqlite:
            return _tidy_sqlite(db, problems)
        return _vacuum_postgres(db, sorted(tables or ()), problems)
    except DBAPIError as exc:
        problems.append(f"The database could not be tidied after the erasure: {exc.orig}")
        return False


def _tidy_sqlite(db: Database, problems: list[str]) -> bool:
    with db.write(system=True) as session:
        has_fts = session.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'case_events_fts'")
        ).first()
        if has_fts:
            session.execute(
                text("INSERT INTO case_events_fts(case_events_fts) VALUES ('optimize')")
            )
    # Outside any transaction (the connection is in autocommit: see store.database).
    for attempt in range(20):
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
            cursor.close()
            if not busy:
                if _quick_check(raw):
                    return True
                problems.append("The database's quick check found a problem: run branchdesk check.")
                return False
        finally:
            raw.close()
        time.sleep(0.05 * (attempt + 1))  # a reader elsewhere: wait for it to finish
    problems.append(
        "The database was busy, so its write-ahead log could not be emptied: erased text stays "
        "in the -wal file until BranchDesk next closes it."
    )
    return False


def _quick_check(raw: Any) -> bool:
    """What is left is whole (the file's structure; `branchdesk check` does the rest)."""
    cursor = raw.cursor()
    try:
        cursor.execute("PRAGMA quick_check")
        return [row[0] for row in cursor.fetchall()] == ["ok"]
    finally:
        cursor.close()


def _vacuum_postgres(db: Database, tables: Sequence[str], problems: list[str]) -> bool:
    if not tables:
        return True
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        quoted = ", ".join(connection.dialect.identifier_preparer.quote(t) for t in tables)
        try:
            connection.exec_driver_sql(f"VACUUM {quoted}")
        except DBAPIError as exc:
            problems.append(
                "The server did not let BranchDesk vacuum the tables touched (ask its "
                f"administrator to): {exc.orig}"
            )
            return False
    return True
