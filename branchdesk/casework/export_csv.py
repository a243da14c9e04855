"""Cases as CSV rows, for `list cases`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from branchdesk.casework.listing import CaseFilter, CaseListing
from branchdesk.members.csvformat import cell_out

HEADERS = (
    "Reference",
    "Member",
    "Membership number",
    "Type",
    "Employer",
    "Rep",
    "Stage",
    "Opened",
    "Next deadline",
)
_PAGE = 1000


def case_rows(listing: CaseListing, search: str = "") -> Iterator[tuple[Any, ...]]:
    """Every case the listing's filter lets through, newest first, a page at a time."""
    ids = listing.ids(search)
    for start in range(0, len(ids), _PAGE):
        page = ids[start : start + _PAGE]
        rows = listing.rows(page)
        for case_id in page:
            if case_id in rows:
                yield rows[case_id]


def write_cases_csv(out: IO[str], listing: CaseListing, search: str = "") -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    count = 0
    for row in case_rows(listing, search):
        writer.writerow([cell_out(value) for value in row])
        count += 1
    return count


__all__ = ["CaseFilter", "case_rows", "write_cases_csv"]
