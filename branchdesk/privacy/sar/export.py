"""The entry point: `export_sar` checks the folder, gathers, writes the PDF, the workbook and
the review list (removing them again if anything fails), and records the disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from branchdesk.access.roles import WRITE
from branchdesk.exports.text import safe_filename
from branchdesk.privacy.sar.collect import gather
from branchdesk.privacy.sar.model import SarData
from branchdesk.privacy.sar.pdf import write_sar_pdf
from branchdesk.privacy.sar.review import write_review_xlsx
from branchdesk.privacy.sar.xlsx import write_sar_xlsx
from branchdesk.privacy.sar_register import SarError, link_export
from branchdesk.privacy.sar_register import require_privacy as _require_privacy
from branchdesk.progress import Progress
from branchdesk.store.audit import record_event
from branchdesk.store.database import Database

# Files a file manager drops into any folder: an "empty" folder may hold them.
_SYSTEM_CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class SarExport:
    folder: Path
    pdf: Path
    xlsx: Path
    review: Path
    cases: int
    claims: int
    audit_entries: int
    named: int
    mentions: int

    @property
    def files(self) -> tuple[Path, Path, Path]:
        return (self.pdf, self.xlsx, self.review)


def check_folder(folder: Path) -> None:
    """Refuse a folder that is really a file, or that already holds files."""
    if folder.exists() and not folder.is_dir():
        raise SarError(f"{folder} is a file, not a folder: choose a folder for the export")
    if folder.is_dir():
        held = [p.name for p in folder.iterdir() if p.name.casefold() not in _SYSTEM_CLUTTER]
        if held:
            raise SarError(
                f"{folder} already holds files ({', '.join(sorted(held)[:3])}"
                f"{'…' if len(held) > 3 else ''}): choose a new or empty folder, so that the "
                "export is not mixed up with other files"
            )


def file_names(number: str, today: date) -> tuple[str, str, str]:
    stem = safe_filename(f"Subject access request {number} {today.isoformat()}", "Subject access")
    review = safe_filename(f"NOT FOR RELEASE - review list {number}", "NOT FOR RELEASE")
    return f"{stem}.pdf", f"{stem}.xlsx", f"{review}.xlsx"


def export_sar(
    db: Database,
    membership_number: str,
    folder: str | Path,
    branch_name: str,
    today: date | None = None,
    request_id: int | None = None,
    progress: Progress | None = None,
) -> SarExport:
    """Write a member's subject access export into `folder` (new or empty) and record it.

    If anything fails or is cancelled, the files written so far are removed again, so a folder
    never holds half an export.
    """
    _require_privacy(db, WRITE)
    folder = Path(folder).expanduser()
    check_folder(folder)
    today = today or date.today()
    progress = progress or Progress()
    steps = 5
    progress.update(0, steps)
    data = gather(db, membership_number, branch_name, today, request_id)
    progress.update(1, steps)
    pdf_name, xlsx_name, review_name = file_names(data.number, today)
    made_folder = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for step, (name, write) in enumerate(
            (
                (pdf_name, write_sar_pdf),
                (xlsx_name, write_sar_xlsx),
                (review_name, write_review_xlsx),
            ),
            start=2,
        ):
            path = folder / name
            write(data, path)
            written.append(path)
            progress.update(step, steps)
        _record(db, data, folder, request_id)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if made_folder and not any(folder.iterdir()):
            folder.rmdir()
        raise
    progress.update(steps, steps)
    return SarExport(
        folder=folder,
        pdf=folder / pdf_name,
        xlsx=folder / xlsx_name,
        review=folder / review_name,
        cases=len(data.cases),
        claims=len(data.claims),
        audit_entries=len(data.audit),
        named=len(data.named),
        mentions=len(data.mentions),
    )


def _record(db: Database, data: SarData, folder: Path, request_id: int | None) -> None:
    """The export is a disclosure: one event for the member's record and one for each case and
    claim it disclosed, with counts only (never content or the folder, which may name them)."""
    details = {"export": "sar", "format": "pdf+xlsx"}
    with db.write() as session:
        record_event(
            session,
            db.officer,
            "export",
            "members",
            data.member.id,
            changes={**details, "cases": len(data.cases), "claims": len(data.claims)},
        )
        for record in data.cases:
            record_event(session, db.officer, "export", "cases", record.case.id, changes=details)
        for claim in data.claims:
            record_event(
                session, db.officer, "export", "hardship_claims", claim.claim.id, changes=details
            )
        if request_id is not None:
            link_export(session, request_id, folder)
