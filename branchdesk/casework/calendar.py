"""Deadlines as calendar entries (.ics) a rep can import into a phone or an online calendar.

Calendars sync to phones and cloud services, so an entry carries only the case reference and
the deadline's title: never the member's name or what the case is about.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from branchdesk.casework.queries import deadlines_due
from branchdesk.store.atomic import atomic_write_bytes
from branchdesk.store.database import Database

PRODID = "-//BranchDesk//Casework deadlines//EN"
REMINDER_DAYS = 3


def deadline_uid(deadline_id: int) -> str:
    """The same deadline keeps the same UID, so importing again updates rather than duplicates."""
    return f"deadline-{deadline_id}@branchdesk"


def export_deadlines_ics(
    db: Database, out: str | os.PathLike[str], today: date, rep: str = ""
) -> int:
    """Write every deadline not yet met on an open case (only `rep`'s, if given) as an all-day
    event with a reminder three days before; returns the number of events."""
    from icalendar import Alarm, Calendar, Event

    path = Path(out)
    if path.suffix.lower() != ".ics":
        raise ValueError(f"{path.name}: choose a file ending in .ics")
    lines = deadlines_due(db, today, within_days=None, rep=rep, open_cases_only=True)
    stamp = datetime.now(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "BranchDesk deadlines")
    for line in lines:
        summary = f"{line.reference}: {line.title}"
        event = Event()
        event.add("uid", deadline_uid(line.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", line.due_on)
        event.add("dtend", line.due_on + timedelta(days=1))
        event.add("summary", summary)
        event.add("transp", "TRANSPARENT")
        event.add("sequence", line.version)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(days=-REMINDER_DAYS))
        event.add_component(alarm)
        calendar.add_component(event)
    atomic_write_bytes(path, calendar.to_ical())
    return len(lines)
