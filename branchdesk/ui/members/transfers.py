"""Importing members from CSV and exporting them to xlsx or PDF, from the member tab.

Each runs in the background worker with a progress dialog and a Cancel button. An import is
checked in full first and previewed; only the Import button in the preview writes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QWidget

from branchdesk.members.importer import (
    ImportPreview,
    ImportRefused,
    ImportResult,
    apply_plan,
    check_members_csv,
    preview_import,
)
from branchdesk.members.reports import export_members  # loads openpyxl/reportlab only when run
from branchdesk.progress import Progress
from branchdesk.store.audit import record_export
from branchdesk.store.errors import StoreError
from branchdesk.ui.context import MEMBERS, AppContext
from branchdesk.ui.members.import_dialog import ImportPreviewDialog
from branchdesk.ui.worker import report_unhandled

EXPORT_FILTER = "Excel workbook (*.xlsx);;PDF document (*.pdf)"
CSV_FILTER = "CSV files (*.csv);;All files (*)"
# Errors a user can do something about: shown as a message, not as a crash report.
_EXPECTED = (StoreError, OSError, ValueError, ImportRefused)


def _default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


class MemberTransfers:
    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget,
        current_search: Callable[[], str],
        busy: Callable[[int], None],
    ) -> None:
        self.ctx = ctx
        self.parent = parent
        self._current_search = current_search
        self._busy = busy  # +1 when a job starts, -1 when it ends, whichever way
        self._last_folder: Path | None = None
        # An import is writing to the database: other saves would only wait for it, then fail.
        self.writing = False

    def _folder(self) -> Path:
        return self._last_folder or _default_folder()

    def _failed(self, title: str, after: str = "") -> Callable[[BaseException], None]:
        def show(exc: BaseException) -> None:
            self.writing = False
            self._busy(-1)
            if isinstance(exc, _EXPECTED):
                self.ctx.dialogs.error(self.parent, title, f"{exc}{after}")
            else:
                report_unhandled(exc)

        return show

    def _ended(self, callback: Callable[..., None] | None = None) -> Callable[..., None]:
        def done(*args: object) -> None:
            self.writing = False
            self._busy(-1)
            if callback is not None:
                callback(*args)

        return done

    def import_csv(self, path: Path | None = None) -> None:
        if path is None:
            path = self.ctx.dialogs.open_file(
                self.parent, "Import members from a CSV file", CSV_FILTER, self._folder()
            )
        if path is None:
            return
        self._last_folder = path.parent
        db = self.ctx.db

        def check(progress: Progress) -> ImportPreview:
            return preview_import(db, check_members_csv(path), progress)

        self._busy(1)
        self.ctx.worker.run_with_progress(
            check,
            parent=self.parent,
            title="Import members",
            label=f"Checking {path.name}…",
            on_done=self._ended(self._show_import_preview),
            on_error=self._failed("Could not read the file"),
            on_cancelled=self._ended(),
            discard_if_cancelled=True,
        )

    def _show_import_preview(self, preview: ImportPreview) -> None:
        dialog = ImportPreviewDialog(preview, self.parent)
        try:
            accepted = self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()
        if not accepted or not preview.plan.ok:
            return
        plan = preview.plan
        db = self.ctx.db
        self.writing = True
        self._busy(1)
        self.ctx.worker.run_with_progress(
            lambda progress: apply_plan(db, plan, progress),
            parent=self.parent,
            title="Import members",
            label=f"Importing {len(plan.rows):,} members from {plan.file.name}…",
            on_done=self._ended(self._imported),
            on_error=self._failed("Import failed", "\n\nNothing was imported."),
            on_cancelled=self._ended(
                lambda: self.ctx.dialogs.info(
                    self.parent,
                    "Import cancelled",
                    "The import was cancelled. Nothing was imported.",
                )
            ),
        )

    def _imported(self, result: ImportResult) -> None:
        self.ctx.changed(MEMBERS)
        self.ctx.dialogs.info(
            self.parent,
            "Import finished",
            f"{result.created:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged.",
        )

    # -- exporting -----------------------------------------------------------------------------

    def export(self, path: Path | None = None) -> None:
        if path is None:
            suggested = self._folder() / f"members-{date.today():%Y-%m-%d}.xlsx"
            path = self.ctx.dialogs.save_file(
                self.parent, "Export members", suggested, EXPORT_FILTER
            )
        if path is None:
            return
        if path.suffix.lower() not in (".xlsx", ".pdf"):
            self.ctx.dialogs.error(
                self.parent, "Export", "Choose a file name ending in .xlsx (Excel) or .pdf."
            )
            return
        self._last_folder = path.parent
        db = self.ctx.db
        search = self._current_search()
        branch = self.ctx.preferences.branch_name

        def run(progress: Progress) -> int:
            count = export_members(db, path, search=search, branch_name=branch, progress=progress)
            record_export(db, "members", path, count)
            return count

        def done(count: int) -> None:
            which = f" matching “{search}”" if search else ""
            self.ctx.dialogs.info(
                self.parent,
                "Export finished",
                f"{count:,} member{'s' if count != 1 else ''}{which} written to\n{path}",
            )

        self._busy(1)
        self.ctx.worker.run_with_progress(
            run,
            parent=self.parent,
            title="Export members",
            label=f"Writing {path.name}…",
            on_done=self._ended(done),
            on_error=self._failed("Export failed"),
            on_cancelled=self._ended(),
        )
