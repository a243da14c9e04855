"""Claims as CSV rows, for `list claims`."""

from __future__ import annotations

import csv
from typing import IO

from branchdesk.demands.codes import CLAIM_STATUSES
from branchdesk.demands.queries import claim_costs, claim_lines
from branchdesk.members.csvformat import cell_out
from branchdesk.money import Money
from branchdesk.store.database import Database

HEADERS = (
    "Reference",
    "Title",
    "Employer",
    "Status",
    "Submitted",
    "Settle by",
    "Demands",
    "Annual cost",
)


def write_claims_csv(out: IO[str], db: Database, status: str = "") -> int:
    """Every claim (or those with `status`), newest first; the cost is the claim's total."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    lines = claim_lines(db, status)
    costs = claim_costs(db)
    for line in lines:
        total = costs.get(line.id, Money(0))
        writer.writerow(
            [
                cell_out(line.reference),
                cell_out(line.title),
                cell_out(line.employer),
                CLAIM_STATUSES.get(line.status, line.status),
                cell_out(line.submitted_on),
                cell_out(line.settle_by),
                line.demands,
                f"{total.to_decimal():.2f}",  # a plain number, which spreadsheets add up
            ]
        )
    return len(lines)
