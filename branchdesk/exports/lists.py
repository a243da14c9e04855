"""Any list (a `Listing` and the ids it found) as a spreadsheet or a PDF, by the file's suffix.

Every register's list export is this: the member list, the case list, and those to come.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from branchdesk.progress import Progress
from branchdesk.store.listing import Listing, rows_in_order

SUFFIXES = (".xlsx", ".pdf")


def check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path.name}: choose a file ending in .xlsx or .pdf")
    return suffix


def export_list(
    out: str | os.PathLike[str],
    listing: Listing,
    ids: Sequence[int],
    *,
    branch_name: str,
    title: str,
    sheet_name: str,
    subtitle: str,
    confidential: bool,
    progress: Progress | None = None,
) -> int:
    """Write the rows of `ids` to .xlsx or .pdf (landscape); returns the number written."""
    path = Path(out)
    suffix = check_suffix(path)
    produced = datetime.now()
    rows = rows_in_order(listing, ids)
    if suffix == ".xlsx":
        from branchdesk.exports.xlsx import write_xlsx

        marking = " — Confidential" if confidential else ""
        return write_xlsx(
            path,
            title=f"{title} — {branch_name}{marking}",
            columns=listing.columns,
            rows=rows,
            sheet_name=sheet_name,
            produced=produced,
            subtitle=subtitle,
            total_rows=len(ids),
            progress=progress,
        )
    from branchdesk.exports.pdf import write_pdf_table

    return write_pdf_table(
        path,
        branch_name=branch_name,
        title=title,
        columns=listing.columns,
        rows=rows,
        confidential=confidential,
        subtitle=subtitle,
        produced=produced,
        total_rows=len(ids),
        progress=progress,
        landscape=True,
    )
