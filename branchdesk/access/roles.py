"""Roles and what each may do, area by area.

Every mapped table names its area (`__area__`); a role may read and/or write an area. The
checks are made on every database session (see `access.policy`), so the window, the command
line and any other caller are bound by them alike.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SECRETARY = "secretary"
    CASEWORKER = "caseworker"
    TREASURER = "treasurer"
    NEGOTIATOR = "negotiator"
    AUDITOR = "auditor"


ROLE_LABELS = {
    Role.SECRETARY: "Branch secretary",
    Role.CASEWORKER: "Caseworker / rep",
    Role.TREASURER: "Treasurer",
    Role.NEGOTIATOR: "Negotiator",
    Role.AUDITOR: "Auditor",
}

ROLE_DESCRIPTIONS = {
    Role.SECRETARY: "Everything, including officers' accounts and the audit log.",
    Role.CASEWORKER: "Members, and the cases they represent or are assigned to.",
    Role.TREASURER: "The hardship fund; members' names and numbers to read.",
    Role.NEGOTIATOR: "Negotiating demands and the outsourcing watch; members to read.",
    Role.AUDITOR: "The hardship fund's ledger and reports, and the audit log, read-only.",
}


class Area(StrEnum):
    MEMBERS = "members"
    EMPLOYERS = "employers"
    CASEWORK = "casework"
    DEMANDS = "demands"
    OUTSOURCING = "outsourcing"
    HARDSHIP = "hardship"
    AUDIT = "audit"
    OFFICERS = "officers"
    BRANCH = "branch"
    PRIVACY = "privacy"


AREA_LABELS = {
    Area.MEMBERS: "members",
    Area.EMPLOYERS: "employers and workplaces",
    Area.CASEWORK: "casework",
    Area.DEMANDS: "negotiating demands",
    Area.OUTSOURCING: "the outsourcing watch",
    Area.HARDSHIP: "the hardship fund",
    Area.AUDIT: "the audit log",
    Area.OFFICERS: "officers' accounts",
    Area.BRANCH: "the branch's settings",
    Area.PRIVACY: "subject access requests and retention",
}

READ, WRITE = "read", "write"
_RW = frozenset({READ, WRITE})
_R = frozenset({READ})

# Everyone may read the officers' names (to assign a case, to see who decided a claim) and the
# branch's settings; only the secretary changes them.
_COMMON = {Area.OFFICERS: _R, Area.BRANCH: _R}

PERMISSIONS: dict[Role, dict[Area, frozenset[str]]] = {
    Role.SECRETARY: {area: (_R if area is Area.AUDIT else _RW) for area in Area},
    Role.CASEWORKER: {
        **_COMMON,
        Area.MEMBERS: _RW,
        Area.EMPLOYERS: _RW,
        Area.CASEWORK: _RW,  # only their own cases: see casework.models
    },
    Role.TREASURER: {**_COMMON, Area.MEMBERS: _R, Area.EMPLOYERS: _R, Area.HARDSHIP: _RW},
    Role.NEGOTIATOR: {
        **_COMMON,
        Area.MEMBERS: _R,
        Area.EMPLOYERS: _RW,
        Area.DEMANDS: _RW,
        Area.OUTSOURCING: _RW,
    },
    Role.AUDITOR: {
        **_COMMON,
        Area.MEMBERS: _R,
        Area.EMPLOYERS: _R,
        Area.HARDSHIP: _R,
        Area.AUDIT: _R,
    },
}


# Areas where a role sees and changes only its own rows (see `__own_rows__` on the tables).
OWN_ROWS_ONLY: dict[Role, frozenset[Area]] = {Role.CASEWORKER: frozenset({Area.CASEWORK})}


def can(role: Role | str, area: Area | str, action: str = READ) -> bool:
    try:
        return action in PERMISSIONS[Role(role)].get(Area(area), frozenset())
    except ValueError:
        return False
