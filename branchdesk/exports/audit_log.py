"""The audit log, as filtered, to an Excel workbook (the viewer's button and the command line)."""

from __future__ import annotations

import os
from pathlib import Path

from branchdesk.exports.lists import export_list
from branchdesk.progress import Progress
from branchdesk.store.audit_view import AuditFilter, AuditListing
from branchdesk.store.database import Database


def export_audit(
    db: Database,
    out: str | os.PathLike[str],
    audit_filter: AuditFilter | None = None,
    *,
    branch_name: str,
    progress: Progress | None = None,
) -> int:
    """Write the entries the filter finds, newest first, to .xlsx; returns how many.

    The file appears only when complete (written beside it, then moved into place).
    """
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path.name}: choose a file ending in .xlsx")
    audit_filter = audit_filter or AuditFilter()
    problem = audit_filter.problem()
    if problem:
        raise ValueError(problem)
    listing = AuditListing(db, audit_filter)
    ids = listing.ids()
    return export_list(
        path,
        listing,
        ids,
        branch_name=branch_name,
        title="Audit log",
        sheet_name="Audit log",
        subtitle=audit_filter.describe(),
        # Who did what with members' records: not for passing round.
        confidential=True,
        progress=progress,
    )
