"""Cases as CSV rows, for `list cases`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from branchdesk.casework.listing import CaseFilter, CaseListing
from branchdesk.members.csvformat import cell_out
from branchdesk.store.listing import rows_in_order

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


def case_rows(listing: CaseListing, search: str = "") -> Iterator[tuple[Any, ...]]:
    """Every case the listing's filter lets through, newest first."""
    return rows_in_order(listing, listing.ids(search))


def write_cases_csv(out: IO[str], listing: CaseListing, search: str = "") -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    count = 0
    for row in case_rows(listing, search):
        writer.writerow([cell_out(value) for value in row])
        count += 1
    return count


__all__ = ["CaseFilter", "case_rows", "write_cases_csv"]
