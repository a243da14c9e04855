"""A demo branch: plainly fictional, generated data for trying BranchDesk out and for benchmarks.

Every employer is an invented council or company marked "(demo)", membership numbers start with
DEMO-, email addresses are at example.org (reserved for examples) and phone numbers are in the
07700 900xxx range Ofcom keeps for drama. The same seed always gives the same branch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from branchdesk.casework.deadlines import DeadlineRules
from branchdesk.casework.demo import fill_cases
from branchdesk.demands.demo import fill_claims
from branchdesk.members.models import Employer, Member, Workplace, search_text_for
from branchdesk.outsourcing.demo import fill_contracts
from branchdesk.progress import Progress
from branchdesk.store import audit
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError

SIZES = {"small": 300, "large": 20_000}

# Employer -> workplace -> the departments found there.
_EMPLOYERS: dict[str, dict[str, list[str]]] = {
    "Northmoor Borough Council (demo)": {
        "Town Hall": ["Revenues and Benefits", "Finance", "Human Resources", "Planning"],
        "Riverside Depot": ["Environmental Services", "Highways"],
        "Central Library": ["Libraries"],
        "Parkfield Leisure Centre": ["Leisure"],
        "Children's Services, Mill Lane": ["Children's Services"],
        "Adult Social Care, Orchard House": ["Adult Social Care"],
    },
    "Eastvale District Council (demo)": {
        "Civic Offices": ["Revenues and Benefits", "Finance", "Planning"],
        "Waste and Recycling Depot": ["Environmental Services"],
        "Housing Office, Market Street": ["Housing"],
        "Eastvale Crematorium": ["Bereavement Services"],
    },
    "Kestrel Care Services Ltd (demo)": {
        "Willow Court Care Home": ["Residential Care"],
        "Home Care Team North": ["Home Care"],
    },
    "Brightwater Academy Trust (demo)": {
        "Brightwater Primary": ["Schools", "Catering"],
        "Hollybank Secondary": ["Schools", "Catering"],
    },
    "Greystone Facilities Ltd (demo)": {
        "Cleaning Contract, Civic Offices": ["Cleaning"],
        "School Catering": ["Catering"],
    },
}
_JOBS: dict[str, list[str]] = {
    "Revenues and Benefits": ["Benefits Assessor", "Revenues Officer", "Customer Services Adviser"],
    "Finance": ["Finance Officer", "Payroll Assistant", "Accountant"],
    "Human Resources": ["HR Adviser", "Administrator"],
    "Planning": ["Planning Officer", "Planning Technician", "Administrator"],
    "Environmental Services": ["Refuse Collector", "Driver", "Street Cleansing Operative"],
    "Highways": ["Highways Operative", "Driver", "Team Leader"],
    "Libraries": ["Library Assistant", "Librarian"],
    "Leisure": ["Lifeguard", "Leisure Assistant", "Receptionist"],
    "Children's Services": ["Social Worker", "Family Support Worker", "Team Leader"],
    "Adult Social Care": ["Care Worker", "Occupational Therapist", "Social Worker"],
    "Housing": ["Housing Officer", "Caretaker", "Customer Services Adviser"],
    "Bereavement Services": ["Bereavement Officer", "Grounds Maintenance Operative"],
    "Residential Care": ["Care Worker", "Senior Care Worker", "Cook", "Domestic Assistant"],
    "Home Care": ["Home Carer", "Senior Home Carer", "Care Coordinator"],
    "Schools": ["Teaching Assistant", "School Administrator", "Caretaker"],
    "Catering": ["Cook", "Kitchen Assistant"],
    "Cleaning": ["Cleaner", "Cleaning Supervisor"],
}
_FIRST = [
    "Alex",
    "Amira",
    "Bea",
    "Callum",
    "Chidi",
    "Dana",
    "Dev",
    "Elif",
    "Ewan",
    "Fatima",
    "Finn",
    "Gita",
    "Hannah",
    "Hamza",
    "Imogen",
    "Isaac",
    "Jas",
    "Kai",
    "Kezia",
    "Leon",
    "Lena",
    "Marek",
    "Maya",
    "Nia",
    "Noah",
    "Olu",
    "Orla",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Sana",
    "Tomasz",
    "Tess",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
    "Zofia",
]
_LAST = [
    "Ashdown",
    "Barrowfield",
    "Birchall",
    "Cobbold",
    "Dunmore",
    "Elmsworth",
    "Fairclough",
    "Gatley",
    "Hartwell",
    "Ingleby",
    "Jessop",
    "Kettleby",
    "Larkin",
    "Marlow",
    "Netherby",
    "Oakhurst",
    "Penhallow",
    "Quarrie",
    "Redfern",
    "Stanway",
    "Thornbury",
    "Underhill",
    "Vickery",
    "Wetherall",
    "Yardley",
    "Okafor",
    "Haddad",
    "Nowak",
    "Kaur",
    "Mensah",
    "O'Connell",
    "Ferreira",
    "Demir",
    "Nguyen",
    "Rahman",
    "Kowalczyk",
    "Adeyemi",
    "Begum",
]
_STREETS = ["Example Street", "Sample Road", "Fictional Avenue", "Demo Lane", "Placeholder Way"]


@dataclass(frozen=True)
class _Place:
    employer_id: int
    workplace_id: int
    employer: str
    workplace: str
    departments: list[str]


def _members(rng: random.Random, count: int, places: list[_Place]) -> Any:
    today = date(2026, 11, 1)
    for n in range(1, count + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        place = rng.choice(places)
        department = rng.choice(place.departments)
        roll = rng.random()
        status = "current" if roll < 0.86 else ("lapsed" if roll < 0.95 else "left")
        handle = f"{first}.{last}".lower().replace("'", "")
        member = {
            "membership_number": f"DEMO-{n:06d}",
            "first_name": first,
            "last_name": last,
            "employer_id": place.employer_id,
            "workplace_id": place.workplace_id,
            "department": department,
            "job_title": rng.choice(_JOBS[department]),
            "work_email": f"{handle}{n}@work.example.org",
            "work_phone": f"07700 900{rng.randrange(1000):03d}",
            "personal_email": f"{handle}{n}@example.org" if rng.random() < 0.7 else "",
            "personal_phone": f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.8 else "",
            "home_address": f"{rng.randrange(1, 200)} {rng.choice(_STREETS)}, Demo Town",
            "date_joined": today - timedelta(days=rng.randrange(30, 30 * 365)),
            "status": status,
            "subs_up_to_date": status == "current" and rng.random() < 0.93,
            "notes": "Fictional demo member." if rng.random() < 0.1 else "",
        }
        member["search_text"] = search_text_for(member, place.employer, place.workplace)
        yield member


def fill_demo(
    db: Database,
    size: str = "small",
    seed: int = 1,
    progress: Progress | None = None,
    members: int | None = None,
    today: date | None = None,
) -> dict[str, int]:
    """Fill an empty database with a demo branch; returns how many rows of each kind.

    `members` overrides the size's member count (the benchmarks use it for very long lists).
    Cases are dated back from `today`, so the demo's deadlines always fall around now.
    """
    if size not in SIZES:
        raise ValueError(f"unknown demo size '{size}': choose small or large")
    progress = progress or Progress()
    rng = random.Random(seed)
    count = members if members is not None else SIZES[size]
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(Member)):
            raise StoreError("the database already holds members: the demo only fills an empty one")
        workplaces: list[_Place] = []
        for employer_name, places in _EMPLOYERS.items():
            employer_id = session.execute(
                insert(Employer).values(name=employer_name).returning(Employer.id)
            ).scalar_one()
            for place, departments in places.items():
                workplace_id = session.execute(
                    insert(Workplace)
                    .values(employer_id=employer_id, name=place)
                    .returning(Workplace.id)
                ).scalar_one()
                workplaces.append(
                    _Place(employer_id, workplace_id, employer_name, place, departments)
                )
        batch: list[dict[str, Any]] = []
        done = 0
        for member in _members(rng, count, workplaces):
            batch.append(member)
            if len(batch) == 2000:
                session.execute(insert(Member), batch)
                done += len(batch)
                batch.clear()
                progress.update(done, count)
        if batch:
            session.execute(insert(Member), batch)
            done += len(batch)
        progress.update(done, count)
        cases = fill_cases(
            session, rng, size, db.officer, today or date.today(), DeadlineRules.defaults(), None
        )
        cases["demands"] = fill_claims(session, rng, db.officer, today or date.today())
        cases["contracts"] = fill_contracts(session, rng, size, today or date.today())
        audit.record(
            session,
            [
                audit.entry(
                    db.officer,
                    "demo",
                    table,
                    None,
                    [],
                    {table: (None, number)},
                )
                for table, number in (("members", done), *cases.items())
            ],
        )
    # The hardship fund is made through the service functions, each its own transaction.
    from branchdesk.hardship.demo import fill_hardship

    hardship = fill_hardship(db, rng, size, today or date.today(), progress)
    return {
        "employers": len(_EMPLOYERS),
        "workplaces": len(workplaces),
        "members": done,
        **cases,
        **hardship,
    }


def ensure_demo(db: Database) -> None:
    """Fill the demo branch the first time it is opened."""
    with db.read() as session:
        empty = not session.scalar(select(func.count()).select_from(Member))
    if empty:
        fill_demo(db)
