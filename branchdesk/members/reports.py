"""The member list as a spreadsheet or a PDF, for whatever search is in force."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from branchdesk.members.listing import COLUMNS, MemberListing
from branchdesk.progress import Progress
from branchdesk.store.listing import rows_in_order


def export_members(
    db: Any,
    path: str | os.PathLike[str],
    *,
    search: str = "",
    branch_name: str,
    progress: Progress | None = None,
) -> int:
    """Write the members matching `search` to .xlsx or .pdf; returns the number written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise ValueError(f"{path.name}: choose a file ending in .xlsx or .pdf")
    listing = MemberListing(db)
    ids = listing.ids(search)
    produced = datetime.now()
    subtitle = f"Members matching “{search}”" if search.strip() else "All members"
    title = f"Member list — {branch_name}"
    if suffix == ".xlsx":
        from branchdesk.exports.xlsx import write_xlsx

        return write_xlsx(
            path,
            title=title,
            columns=COLUMNS,
            rows=rows_in_order(listing, ids),
            sheet_name="Members",
            produced=produced,
            subtitle=subtitle,
            total_rows=len(ids),
            progress=progress,
        )
    from branchdesk.exports.pdf import write_pdf_table

    return write_pdf_table(
        path,
        branch_name=branch_name,
        title="Member list",
        columns=COLUMNS,
        rows=rows_in_order(listing, ids),
        confidential=True,
        subtitle=subtitle,
        produced=produced,
        total_rows=len(ids),
        progress=progress,
        landscape=True,
    )
