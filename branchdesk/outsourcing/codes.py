"""The codes stored for a contract's status and its events, with their words."""

from __future__ import annotations

STATUSES: dict[str, str] = {
    "in_house_at_risk": "In-house, at risk",
    "out_to_tender": "Out to tender",
    "awarded": "Awarded",
    "outsourced": "Outsourced and running",
    "extended": "Extended",
    "insourcing_campaign": "Insourcing campaign",
    "returned_in_house": "Returned in-house",
    "terminated": "Terminated",
}

EVENT_KINDS: dict[str, str] = {
    "performance_failure": "Performance failure",
    "notice": "Performance or termination notice",
    "complaint": "Complaint",
    "campaign": "Campaign action",
    "council_decision": "Council decision",
    "other": "Other",
}

# Statuses where the service is still outside the council, so its decision point matters.
WATCHED: tuple[str, ...] = (
    "in_house_at_risk",
    "out_to_tender",
    "awarded",
    "outsourced",
    "extended",
    "insourcing_campaign",
)
