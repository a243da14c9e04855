"""Demo contracts: plainly fictional outsourced services of the demo councils, with dates laid
out around the day the demo is made so the insourcing window always has something in it."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from branchdesk.members.models import Employer
from branchdesk.money import Money
from branchdesk.outsourcing.models import Contract, ContractEvent, ContractSupplier
from branchdesk.outsourcing.service import critical_date

SIZES = {"small": 40, "large": 5_000}
_AUTHORITIES = ["Northmoor Borough Council (demo)", "Eastvale District Council (demo)"]
_CONTRACTORS = [
    "Greystone Facilities Ltd (demo)",
    "Kestrel Care Services Ltd (demo)",
    "Brightpath Outsourcing plc (demo)",
    "Cedarline Waste Services Ltd (demo)",
    "Harbourgate IT Solutions Ltd (demo)",
    "Meadowbank Leisure Trust (demo)",
]
_SERVICES = [
    ("Refuse and recycling collection", 3_000_000_00),
    ("School catering", 900_000_00),
    ("Office cleaning", 250_000_00),
    ("Home care, north area", 1_800_000_00),
    ("Leisure centre management", 600_000_00),
    ("Revenues and benefits processing", 1_200_000_00),
    ("Street lighting maintenance", 400_000_00),
    ("IT service desk", 700_000_00),
    ("Grounds maintenance", 350_000_00),
    ("Parking enforcement", 500_000_00),
]
_EVENTS = [
    ("performance_failure", "Missed collections reported in three wards"),
    ("complaint", "Staff complaint about unpaid travel time"),
    ("council_decision", "Cabinet asks for an options appraisal before re-tendering"),
    ("campaign", "Branch petition handed to the council leader"),
]


def fill_contracts(session: Session, rng: random.Random, size: str, today: date) -> int:
    """Add the demo contracts; returns how many."""
    authorities = {
        name: employer_id
        for employer_id, name in session.execute(
            select(Employer.id, Employer.name).where(Employer.name.in_(_AUTHORITIES))
        )
    }
    rows: list[dict[str, Any]] = []
    for n in range(SIZES[size]):
        service, typical = _SERVICES[n % len(_SERVICES)]
        authority = _AUTHORITIES[n % len(_AUTHORITIES)]
        start = today - timedelta(days=rng.randrange(200, 3000))
        years = rng.choice((3, 5, 7, 10))
        end = start + timedelta(days=365 * years)
        extended = end + timedelta(days=365 * rng.choice((0, 1, 2)))
        value = typical * years * rng.randrange(70, 130) // 100
        status = "outsourced" if end >= today else rng.choice(("extended", "returned_in_house"))
        rows.append(
            {
                "service": f"{service} (demo)"
                if n < len(_SERVICES)
                else f"{service}, lot {n // len(_SERVICES) + 1} (demo)",
                "status": status,
                "authority_id": authorities.get(authority),
                "title": f"{service} contract (fictional demo)",
                "description": "A fictional contract for the demo branch.",
                "value": Money(value),
                "currency": "GBP",
                "annual_value": Money(value // years),
                "start_on": start,
                "end_on": end,
                "max_end_on": extended if extended != end else None,
                "critical_on": critical_date(end, None),
                "tupe_staff": rng.randrange(5, 180),
                "transfer_on": start,
                "recognises_union": rng.random() < 0.6,
                "pay_notes": "Two-tier workforce: new starters on lower rates (demo)."
                if rng.random() < 0.3
                else "",
                "ocid": f"ocds-demo-{n:06d}",
                "release_id": f"ocds-demo-{n:06d}-award",
                "award_id": f"award-{n:06d}",
                "contract_id": "",
                "version": 1,
            }
        )
    table = Contract.__table__
    ids = []
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),  # type: ignore[arg-type]
            chunk,
        )
        ids.extend(result.scalars().all())
    suppliers = []
    events = []
    for contract_id, n in zip(ids, range(len(rows)), strict=True):
        suppliers.append(
            {"contract_id": contract_id, "position": 1, "name": rng.choice(_CONTRACTORS)}
        )
        if n % 25 == 0:
            kind, title = rng.choice(_EVENTS)
            events.append(
                {
                    "contract_id": contract_id,
                    "happened_on": today - timedelta(days=rng.randrange(10, 300)),
                    "kind": kind,
                    "title": f"{title} (demo)",
                    "detail": "",
                    "version": 1,
                }
            )
    session.execute(insert(ContractSupplier), suppliers)
    if events:
        session.execute(insert(ContractEvent), events)
    return len(rows)
