"""Contracts as CSV rows, for `list contracts`."""

from __future__ import annotations

import csv
from datetime import date
from typing import IO

from branchdesk.members.csvformat import cell_out
from branchdesk.outsourcing.codes import STATUSES
from branchdesk.outsourcing.queries import contract_lines
from branchdesk.store.database import Database

HEADERS = (
    "Service",
    "Authority",
    "Contractors",
    "Status",
    "Value",
    "Currency",
    "Start",
    "End",
    "End with extensions",
    "Decision point",
    "TUPE staff",
    "OCID",
)


def write_contracts_csv(
    out: IO[str],
    db: Database,
    notice_months: int,
    within_months: int | None = None,
    today: date | None = None,
) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    lines = contract_lines(db, today or date.today(), notice_months, within_months)
    for line in lines:
        writer.writerow(
            [
                cell_out(line.service or line.title),
                cell_out(line.authority),
                cell_out("; ".join(line.contractors)),
                STATUSES.get(line.status, line.status),
                f"{line.value.to_decimal():.2f}" if line.value is not None else "",
                line.currency,
                cell_out(line.start_on),
                cell_out(line.end_on),
                cell_out(line.max_end_on),
                cell_out(line.decision_on),
                "" if line.tupe_staff is None else line.tupe_staff,
                cell_out(line.ocid),
            ]
        )
    return len(lines)
