"""The member list as a spreadsheet or a PDF, for whatever search is in force."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from branchdesk.exports.lists import check_suffix, export_list
from branchdesk.members.listing import MemberListing
from branchdesk.progress import Progress


def export_members(
    db: Any,
    path: str | os.PathLike[str],
    *,
    search: str = "",
    branch_name: str,
    progress: Progress | None = None,
) -> int:
    """Write the members matching `search` to .xlsx or .pdf; returns the number written."""
    check_suffix(Path(path))
    listing = MemberListing(db)
    return export_list(
        path,
        listing,
        listing.ids(search),
        branch_name=branch_name,
        title="Member list",
        sheet_name="Members",
        subtitle=f"Members matching “{search}”" if search.strip() else "All members",
        confidential=True,
        progress=progress,
    )
