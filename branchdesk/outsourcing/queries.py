"""Reading the contract register: the watch list, the insourcing window, totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select

from branchdesk.members.models import Employer
from branchdesk.money import Money
from branchdesk.outsourcing.codes import WATCHED
from branchdesk.outsourcing.models import Contract, ContractSupplier
from branchdesk.outsourcing.service import decision_point, window_end
from branchdesk.store.database import Database


@dataclass(frozen=True)
class ContractLine:
    id: int
    service: str
    title: str
    authority: str
    contractors: tuple[str, ...]
    status: str
    value: Money | None
    currency: str
    start_on: date | None
    end_on: date | None
    max_end_on: date | None
    critical_on: date | None
    decision_on: date | None
    tupe_staff: int | None
    ocid: str


def contract_lines(
    db: Database,
    today: date,
    notice_months: int,
    within_months: int | None = None,
    authority: str = "",
    contractor: str = "",
    status: str = "",
) -> list[ContractLine]:
    """Contracts by how soon their decision point comes: those still to decide first, then
    those with no end date, then those ended or returned in-house.

    `within_months`: only those still outside the council whose decision point falls before
    that many months from today (overdue ones included: their decision is late, not gone).
    """
    query = (
        select(
            Contract.id,
            Contract.service,
            Contract.title,
            func.coalesce(Employer.name, ""),
            Contract.status,
            Contract.value,
            Contract.currency,
            Contract.start_on,
            Contract.end_on,
            Contract.max_end_on,
            Contract.critical_on,
            Contract.tupe_staff,
            Contract.ocid,
        )
        .outerjoin(Employer, Contract.authority_id == Employer.id)
        # Contracts still to be decided first, soonest decision first; then those with no
        # date; then the ended and the returned, which are history.
        .order_by(
            case(
                (and_(Contract.status.in_(WATCHED), Contract.critical_on >= today), 0),
                (Contract.critical_on.is_(None), 1),
                else_=2,
            ),
            Contract.critical_on,
            Contract.id,
        )
    )
    if within_months is not None:
        query = query.where(
            Contract.status.in_(WATCHED),
            Contract.critical_on <= window_end(today, within_months, notice_months),
            Contract.critical_on >= today,  # ended already: nothing left to decide
        )
    if authority:
        query = query.where(Employer.name == authority)
    if status:
        query = query.where(Contract.status == status)
    if contractor:
        query = query.where(
            Contract.id.in_(
                select(ContractSupplier.contract_id).where(ContractSupplier.name == contractor)
            )
        )
    with db.read() as session:
        rows = session.execute(query).all()
        suppliers: dict[int, list[str]] = defaultdict(list)
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for contract_id, name in session.execute(
                select(ContractSupplier.contract_id, ContractSupplier.name)
                .where(ContractSupplier.contract_id.in_(chunk))
                .order_by(ContractSupplier.contract_id, ContractSupplier.position)
            ):
                suppliers[contract_id].append(name)
    return [
        ContractLine(
            id=row[0],
            service=row[1],
            title=row[2],
            authority=row[3],
            contractors=tuple(suppliers[row[0]]),
            status=row[4],
            value=row[5],
            currency=row[6],
            start_on=row[7],
            end_on=row[8],
            max_end_on=row[9],
            critical_on=row[10],
            decision_on=decision_point(row[10], notice_months),
            tupe_staff=row[11],
            ocid=row[12],
        )
        for row in rows
    ]


def totals(lines: list[ContractLine]) -> dict[str, dict[str, tuple[int, Money]]]:
    """(count, total value in pounds sterling) by contractor and by authority.

    A framework shared by several contractors counts its whole value against each of them:
    published data gives one value for the lot, not a share each.
    """
    out: dict[str, dict[str, tuple[int, Money]]] = {"contractor": {}, "authority": {}}

    def add(group: str, name: str, value: Money | None) -> None:
        count, total = out[group].get(name, (0, Money(0)))
        out[group][name] = (count + 1, total + (value or Money(0)))

    for line in lines:
        value = line.value if line.currency == "GBP" else None
        for name in line.contractors or ("(no contractor named)",):
            add("contractor", name, value)
        add("authority", line.authority or "(no authority named)", value)
    return out
