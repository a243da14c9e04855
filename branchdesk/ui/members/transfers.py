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
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.members.import_dialog import ImportPreviewDialog
from branchdesk.ui.worker import report_unhandled

EXPORT_FILTER = QT_TRANSLATE_NOOP(
    "members.transfers", "Excel workbook (*.xlsx);;PDF document (*.pdf)"
)
CSV_FILTER = QT_TRANSLATE_NOOP("members.transfers", "CSV files (*.csv);;All files (*)")
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
                # The reason comes from the importer or the store, in its own words.
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
                self.parent,
                translate("members.transfers", "Import members from a CSV file"),
                translate("members.transfers", CSV_FILTER),
                self._folder(),
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
            title=translate("members.transfers", "Import members"),
            label=translate("members.transfers", "Checking {name}…").format(name=path.name),
            on_done=self._ended(self._show_import_preview),
            on_error=self._failed(translate("members.transfers", "Could not read the file")),
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
            title=translate("members.transfers", "Import members"),
            label=translate("members.transfers", "Importing {count} members from {name}…").format(
                count=f"{len(plan.rows):,}", name=plan.file.name
            ),
            on_done=self._ended(self._imported),
            on_error=self._failed(
                translate("members.transfers", "Import failed"),
                "\n\n" + translate("members.transfers", "Nothing was imported."),
            ),
            on_cancelled=self._ended(
                lambda: self.ctx.dialogs.info(
                    self.parent,
                    translate("members.transfers", "Import cancelled"),
                    translate(
                        "members.transfers", "The import was cancelled. Nothing was imported."
                    ),
                )
            ),
        )

    def _imported(self, result: ImportResult) -> None:
        self.ctx.changed(MEMBERS)
        self.ctx.dialogs.info(
            self.parent,
            translate("members.transfers", "Import finished"),
            translate(
                "members.transfers", "{new} new, {updated} updated, {unchanged} unchanged."
            ).format(
                new=f"{result.created:,}",
                updated=f"{result.updated:,}",
                unchanged=f"{result.unchanged:,}",
            ),
        )

    # -- exporting -----------------------------------------------------------------------------

    def export(self, path: Path | None = None) -> None:
        if path is None:
            suggested = self._folder() / f"members-{date.today():%Y-%m-%d}.xlsx"
            path = self.ctx.dialogs.save_file(
                self.parent,
                translate("members.transfers", "Export members"),
                suggested,
                translate("members.transfers", EXPORT_FILTER),
            )
        if path is None:
            return
        if path.suffix.lower() not in (".xlsx", ".pdf"):
            self.ctx.dialogs.error(
                self.parent,
                translate("members.transfers", "Export"),
                translate(
                    "members.transfers", "Choose a file name ending in .xlsx (Excel) or .pdf."
                ),
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
            n = f"{count:,}"
            # Each of the four sentences whole, so a translation can order its words freely.
            if search and count == 1:
                text = translate(
                    "members.transfers", "1 member matching “{search}” written to\n{path}"
                )
            elif search:
                text = translate(
                    "members.transfers", "{n} members matching “{search}” written to\n{path}"
                )
            elif count == 1:
                text = translate("members.transfers", "1 member written to\n{path}")
            else:
                text = translate("members.transfers", "{n} members written to\n{path}")
            self.ctx.dialogs.info(
                self.parent,
                translate("members.transfers", "Export finished"),
                text.format(n=n, search=search, path=path),
            )

        self._busy(1)
        self.ctx.worker.run_with_progress(
            run,
            parent=self.parent,
            title=translate("members.transfers", "Export members"),
            label=translate("members.transfers", "Writing {name}…").format(name=path.name),
            on_done=self._ended(done),
            on_error=self._failed(translate("members.transfers", "Export failed")),
            on_cancelled=self._ended(),
        )
