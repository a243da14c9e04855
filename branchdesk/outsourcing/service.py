"""Keeping the contract register: imports from published data, the branch's own edits, events,
and the insourcing window.

An import writes only what published data says (title, authority, suppliers, value, dates,
identifiers). The branch's own fields (service, status, notes, pay and conditions, TUPE, break
date, members affected) are set by the branch and never overwritten by an import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from branchdesk.casework.deadlines import add_months
from branchdesk.members.models import Employer
from branchdesk.members.service import ValidationError
from branchdesk.money import Money
from branchdesk.outsourcing.codes import EVENT_KINDS, STATUSES
from branchdesk.outsourcing.models import Contract, ContractEvent, ContractSupplier
from branchdesk.outsourcing.ocds import ContractRecord
from branchdesk.progress import Progress
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit
from branchdesk.store.types import utcnow

DEFAULT_NOTICE_MONTHS = 12


def critical_date(end_on: date | None, break_on: date | None) -> date | None:
    """The earliest date the contract can end: its end, or an earlier break or notice date."""
    dates = [d for d in (end_on, break_on) if d is not None]
    return min(dates) if dates else None


def decision_point(critical_on: date | None, notice_months: int) -> date | None:
    """When the council must decide to re-tender or bring the service back in-house."""
    if critical_on is None:
        return None
    if notice_months < 0:
        raise ValueError("the notice period cannot be negative")
    return add_months(critical_on, -notice_months)


def window_end(today: date, within_months: int, notice_months: int) -> date:
    """The latest critical date whose decision point falls within `within_months` of today."""
    return add_months(today, within_months + notice_months)


def _authority(session: Session, name: str) -> int | None:
    name = name.strip()
    if not name:
        return None
    employer = session.scalar(select(Employer).where(Employer.name == name[:200]))
    if employer is None:
        employer = Employer(name=name[:200])
        session.add(employer)
        session.flush()
    return employer.id


def set_suppliers(session: Session, contract_id: int, names: Iterable[str]) -> None:
    session.execute(delete(ContractSupplier).where(ContractSupplier.contract_id == contract_id))
    for position, name in enumerate(names, start=1):
        session.add(ContractSupplier(contract_id=contract_id, position=position, name=name[:300]))


def _suppliers(session: Session, contract_id: int) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(ContractSupplier.name)
            .where(ContractSupplier.contract_id == contract_id)
            .order_by(ContractSupplier.position)
        )
    )


def _match(session: Session, record: ContractRecord) -> tuple[Contract | None, bool]:
    """The row a published record updates, and whether the record is an earlier stage of it.

    Rows are keyed by ocid, award id and contract id. A process moves from tender to award to
    contract, so a record with an award (or contract) also takes over the row its earlier stage
    made, rather than adding a second row for the same service.
    """
    ocid, award, contract_id = record.ocid[:200], record.award_id[:200], record.contract_id[:200]
    rows = session.scalars(select(Contract).where(Contract.ocid == ocid)).all()
    for row in rows:
        if (row.award_id, row.contract_id) == (award, contract_id):
            return row, False
    if award or contract_id:
        for row in rows:
            earlier = (row.award_id, row.contract_id) == ("", "") or (
                row.award_id == award and not row.contract_id
            )
            if earlier:
                row.award_id, row.contract_id = award, contract_id
                return row, False
        for row in rows:
            if award and row.award_id == award:
                return row, True  # the award, re-imported after its contract
        return None, False
    return None, bool(rows)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def _published(session: Session, record: ContractRecord) -> dict[str, object]:
    gbp = record.currency in ("", "GBP")
    return {
        "authority_id": _authority(session, record.buyer),
        "title": record.title[:500],
        "description": record.description,
        "value": Money(record.value_pence) if record.value_pence is not None else None,
        "currency": (record.currency or "GBP")[:3] if not gbp else "GBP",
        "start_on": record.start,
        "end_on": record.end,
        "max_end_on": record.max_extent,
        "ocid": record.ocid[:200],
        "release_id": record.release_id[:200],
        "award_id": record.award_id[:200],
        "contract_id": record.contract_id[:200],
        "source_url": record.source[:1000],
        "ocds_status": record.status[:50],
        "import_warnings": "\n".join(record.warnings),
    }


def import_records(
    db: Database,
    records: Iterable[ContractRecord],
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Write published contracts in one transaction: new ones added, known ones (matched by
    ocid, award and contract id) updated with what was published; the branch's fields kept."""
    records = list(records)
    today = today or date.today()
    result = ImportResult()
    with db.write() as session:
        for n, record in enumerate(records, start=1):
            contract, older = _match(session, record)
            if older:
                # An earlier stage of a process already held at a later one (a tender notice
                # re-imported after the award): it has nothing newer to say.
                result.unchanged += 1
                continue
            values = _published(session, record)
            if contract is None:
                ended = record.end is not None and record.end < today
                contract = Contract(
                    status="terminated" if ended else "outsourced",
                    service=record.title[:300],
                    **values,
                )
                contract.critical_on = critical_date(record.end, None)
                session.add(contract)
                session.flush()
                set_suppliers(session, contract.id, record.suppliers)
                result.created += 1
            else:
                changed = {k: v for k, v in values.items() if getattr(contract, k) != v}
                for name, value in changed.items():
                    setattr(contract, name, value)
                critical = critical_date(contract.end_on, contract.break_on)
                if contract.critical_on != critical:
                    contract.critical_on = critical
                    changed["critical_on"] = critical
                if _suppliers(session, contract.id) != tuple(n[:300] for n in record.suppliers):
                    set_suppliers(session, contract.id, record.suppliers)
                    changed["suppliers"] = True
                if changed:
                    result.updated += 1
                else:
                    result.unchanged += 1
            for warning in record.warnings:
                result.warnings.append(f"{record.ocid}: {warning}")
            if progress is not None and n % 200 == 0:
                progress.update(n, len(records))
    return result


@dataclass
class ContractForm:
    """The branch's own view of a contract, as the contract form edits it."""

    service: str = ""
    authority: str = ""
    contractors: list[str] = field(default_factory=list)
    title: str = ""
    status: str = "outsourced"
    value: Money | None = None
    annual_value: Money | None = None
    start_on: date | None = None
    end_on: date | None = None
    max_end_on: date | None = None
    break_on: date | None = None
    tupe_staff: int | None = None
    transfer_on: date | None = None
    recognises_union: bool | None = None
    pay_notes: str = ""
    notes: str = ""
    version: int | None = None


def validate_contract(form: ContractForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.service.strip() and not form.title.strip():
        errors["service"] = "Say what the service is (as staff know it)."
    if len(form.service.strip()) > 300:
        errors["service"] = "Too long: at most 300 characters."
    if len(form.authority.strip()) > 200:
        errors["authority"] = "Too long: at most 200 characters."
    if form.status not in STATUSES:
        errors["status"] = "Choose the contract's status."
    for name in ("value", "annual_value"):
        money = getattr(form, name)
        if money is not None and money < Money(0):
            errors[name] = "An amount cannot be negative."
    if form.start_on and form.end_on and form.end_on < form.start_on:
        errors["end_on"] = "The contract ends before it starts."
    if form.end_on and form.max_end_on and form.max_end_on < form.end_on:
        errors["max_end_on"] = "The end with every extension is before the first end date."
    if form.tupe_staff is not None and form.tupe_staff < 0:
        errors["tupe_staff"] = "The number of staff cannot be negative."
    return errors


def apply_form(session: Session, contract: Contract, form: ContractForm) -> None:
    values: dict[str, object] = {
        "service": form.service.strip(),
        "authority_id": _authority(session, form.authority),
        "title": form.title.strip(),
        "status": form.status,
        "value": form.value,
        "annual_value": form.annual_value,
        "start_on": form.start_on,
        "end_on": form.end_on,
        "max_end_on": form.max_end_on,
        "break_on": form.break_on,
        "critical_on": critical_date(form.end_on, form.break_on),
        "tupe_staff": form.tupe_staff,
        "transfer_on": form.transfer_on,
        "recognises_union": form.recognises_union,
        "pay_notes": form.pay_notes.strip(),
        "notes": form.notes.strip(),
    }
    for name, value in values.items():
        if getattr(contract, name) != value:
            setattr(contract, name, value)


def create_contract(db: Database, form: ContractForm) -> int:
    errors = validate_contract(form)
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        contract = Contract()
        apply_form(session, contract, form)
        session.add(contract)
        session.flush()
        set_suppliers(session, contract.id, [c.strip() for c in form.contractors if c.strip()])
        return contract.id


def update_contract(db: Database, contract_id: int, form: ContractForm) -> None:
    errors = validate_contract(form)
    if errors:
        raise ValidationError(errors)
    if form.version is None:
        raise ValueError("an edit needs the version the contract was read at")
    with db.write() as session:
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise StaleEdit("This contract has been deleted by someone else.")
        if contract.version != form.version:
            raise StaleEdit(
                "This contract was changed by someone else after you opened it (or by an "
                "import). Nothing was saved: open it again and make your change again."
            )
        apply_form(session, contract, form)
        names = tuple(c.strip() for c in form.contractors if c.strip())
        if _suppliers(session, contract_id) != names:
            set_suppliers(session, contract_id, names)
            contract.updated_at = utcnow()  # saved with a new version, so a stale copy fails
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit(
                "This contract was changed by someone else at the same moment."
            ) from exc


def add_event(
    db: Database, contract_id: int, happened_on: date, kind: str, title: str, detail: str = ""
) -> int:
    errors = {}
    if kind not in EVENT_KINDS:
        errors["kind"] = "Choose what kind of event this is."
    if not title.strip():
        errors["title"] = "Say what happened."
    elif len(title.strip()) > 300:
        errors["title"] = "Too long: at most 300 characters."
    if errors:
        raise ValidationError(errors)
    with db.write() as session:
        if session.get(Contract, contract_id) is None:
            raise StaleEdit("This contract has been deleted by someone else.")
        row = ContractEvent(
            contract_id=contract_id,
            happened_on=happened_on,
            kind=kind,
            title=title.strip(),
            detail=detail.strip(),
        )
        session.add(row)
        session.flush()
        return row.id


def set_contract_members(
    db: Database, contract_id: int, membership_numbers: list[str], version: int
) -> None:
    """Link exactly these members to the contract (the members it affects), in one transaction.

    Unknown numbers are refused, each named, and nothing is written; the same number twice
    counts once. The contract must still be at `version`; it gets a new one if the set changes.
    """
    from branchdesk.members.models import Member
    from branchdesk.outsourcing.models import ContractMember

    numbers = list(dict.fromkeys(n.strip() for n in membership_numbers if n.strip()))
    with db.write() as session:
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise StaleEdit("This contract has been deleted by someone else.")
        if contract.version != version:
            raise StaleEdit(
                "This contract was changed by someone else after you opened it (or by an "
                "import). Nothing was saved: open it again and make your change again."
            )
        found: dict[str, int] = {}
        if numbers:
            found = {
                number: member_id
                for number, member_id in session.execute(
                    select(Member.membership_number, Member.id).where(
                        Member.membership_number.in_(numbers)
                    )
                )
            }
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise ValidationError(
                {"members": " ".join(f"No member has the membership number {n}." for n in unknown)}
            )
        wanted = {found[n] for n in numbers}
        held = set(
            session.scalars(
                select(ContractMember.member_id).where(ContractMember.contract_id == contract_id)
            )
        )
        if wanted == held:
            return
        gone = held - wanted
        if gone:
            session.execute(
                delete(ContractMember).where(
                    ContractMember.contract_id == contract_id,
                    ContractMember.member_id.in_(gone),
                )
            )
        for member_id in sorted(wanted - held):
            session.add(ContractMember(contract_id=contract_id, member_id=member_id))
        contract.updated_at = utcnow()  # saved with a new version, so a stale copy fails
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleEdit(
                "This contract was changed by someone else at the same moment."
            ) from exc


def contract_members(db: Database, contract_id: int) -> list[tuple[int, str, str]]:
    """(member id, membership number, "Last, First") for the members a contract affects."""
    from branchdesk.members.models import Member
    from branchdesk.outsourcing.models import ContractMember

    query = (
        select(Member.id, Member.membership_number, Member.last_name, Member.first_name)
        .join(ContractMember, ContractMember.member_id == Member.id)
        .where(ContractMember.contract_id == contract_id)
        .order_by(Member.last_name, Member.first_name, Member.membership_number)
    )
    with db.read() as session:
        return [
            (member_id, number, ", ".join(p for p in (last, first) if p))
            for member_id, number, last, first in session.execute(query)
        ]
