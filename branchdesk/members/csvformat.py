"""The member CSV layout: what `list members` writes and `import members` reads back.

A list printed by BranchDesk can be edited in a spreadsheet and imported again. Text that a
spreadsheet would run as a formula (starting with = + - @, tab or CR) is written with a leading
apostrophe, which the importer removes again.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO, Any

# (field, header) in the order `list members` prints them.
FIELDS: tuple[tuple[str, str], ...] = (
    ("membership_number", "Membership number"),
    ("last_name", "Last name"),
    ("first_name", "First name"),
    ("employer", "Employer"),
    ("workplace", "Workplace"),
    ("department", "Department"),
    ("job_title", "Job title"),
    ("work_email", "Work email"),
    ("work_phone", "Work phone"),
    ("personal_email", "Personal email"),
    ("personal_phone", "Personal phone"),
    ("home_address", "Home address"),
    ("date_joined", "Date joined"),
    ("status", "Status"),
    ("subs_up_to_date", "Subs up to date"),
    ("notes", "Notes"),
)
HEADERS = dict(FIELDS)

# Other names people give these columns in their own spreadsheets.
_ALIASES = {
    "membership_no": "membership_number",
    "member_number": "membership_number",
    "member_no": "membership_number",
    "number": "membership_number",
    "surname": "last_name",
    "family_name": "last_name",
    "forename": "first_name",
    "forenames": "first_name",
    "given_name": "first_name",
    "email": "work_email",
    "phone": "work_phone",
    "mobile": "personal_phone",
    "home_email": "personal_email",
    "home_phone": "personal_phone",
    "address": "home_address",
    "joined": "date_joined",
    "date_of_joining": "date_joined",
    "membership_status": "status",
    "subs_paid": "subs_up_to_date",
    "subscriptions_up_to_date": "subs_up_to_date",
    "job": "job_title",
    "role": "job_title",
}

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def header_key(header: str) -> str | None:
    """The field a column header names, or None if it names none."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    if key in HEADERS:
        return key
    return _ALIASES.get(key)


def cell_out(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = str(value)
    # Text that already starts with an apostrophe gets one more, so `cell_in` can tell a
    # protective apostrophe from one that belongs to the text.
    if text.startswith((*_RISKY_START, "'")):
        return "'" + text
    return text


def cell_in(text: str) -> str:
    """Undo `cell_out`'s protective apostrophe."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith((*_RISKY_START, "'")):
        return text[1:]
    return text


def write_csv(out: IO[str], rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header for _, header in FIELDS])
    count = 0
    for row in rows:
        writer.writerow([cell_out(row.get(field)) for field, _ in FIELDS])
        count += 1
    return count


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def parse_date(text: str) -> date:
    """ISO dates and UK day-first dates; a two-digit year is refused as ambiguous."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        # The common case (BranchDesk's own lists), without strptime: YYYY-MM-DD in digits.
        year, month, day = text[:4], text[5:7], text[8:]
        if year.isdigit() and month.isdigit() and day.isdigit() and text.isascii():
            try:
                return date(int(year), int(month), int(day))
            except ValueError:
                pass  # no such day: the formats below say so in the usual words
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.date()
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", text):
        raise ValueError(f"'{text}' has a two-digit year: write the year in full, e.g. 03/04/2021")
    raise ValueError(f"'{text}' is not a date: use 2021-04-03 or 03/04/2021 (day first)")


_TRUE = {"yes", "y", "true", "1", "paid", "up to date"}
_FALSE = {"no", "n", "false", "0", "unpaid", "arrears", "in arrears"}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"'{text}' is not yes or no")


def delimiter_of(header_line: str) -> str:
    """Comma, semicolon (spreadsheets in many European locales) or tab: whichever the header uses
    most. The quote character is always '"'; guessing it from the data goes wrong on notes that
    end in an apostrophe."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def iter_rows(handle: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line each starts on (a quoted cell may hold line breaks).

    Strict: a quote in the wrong place raises csv.Error instead of silently swallowing the rows
    after it into one cell.
    """
    header_line = handle.readline()
    handle.seek(0)
    reader = csv.reader(handle, delimiter=delimiter_of(header_line), quotechar='"', strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RowError(start, str(exc)) from exc
        yield start, row
        start = reader.line_num + 1


class RowError(ValueError):
    """A row the CSV reader cannot make sense of, with the line it starts on."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
