"""The Casework tab's Export menu: the case list, one case's summary, the caseload, deadlines.

Each export asks for a file name, then writes through the casework report functions in the
background worker with a progress dialog, and ends with a short message naming the file. A
failure is shown as a message; nothing here ends the program.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget
from sqlalchemy.exc import SQLAlchemyError

from branchdesk.casework.calendar import export_deadlines_ics
from branchdesk.casework.reports import (
    Caseload,
    describe_filter,
    export_case_summary,
    export_caseload,
    export_cases,
)
from branchdesk.progress import Progress
from branchdesk.store.audit import record_export
from branchdesk.store.errors import StoreError
from branchdesk.ui.casework.cases_page import CasesPage
from branchdesk.ui.casework.deadlines_page import DeadlinesPage
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.table_model import read_error_text

XLSX = QT_TRANSLATE_NOOP("casework.exports", "Excel workbook (*.xlsx)")
PDF = QT_TRANSLATE_NOOP("casework.exports", "PDF document (*.pdf)")
ICS = QT_TRANSLATE_NOOP("casework.exports", "iCalendar file (*.ics)")


def _filters(*names: str) -> str:
    """File-dialog filters, each in the user's language, in the order given."""
    return ";;".join(translate("casework.exports", name) for name in names)


def _default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def error_text(exc: BaseException) -> str:
    """What went wrong, for the user: the message of an error they can act on."""
    if isinstance(exc, KeyError):
        return translate("casework.exports", "The case is no longer in the register.")
    if isinstance(exc, SQLAlchemyError):
        return translate("casework.exports", "The database could not be read: {error}.").format(
            error=read_error_text(exc)
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or error_kind(exc)
        if exc.filename:
            return translate(
                "casework.exports", "The file could not be written: {reason} ({file})."
            ).format(reason=reason, file=exc.filename)
        return translate("casework.exports", "The file could not be written: {reason}.").format(
            reason=reason
        )
    if isinstance(exc, (ValueError, StoreError)):
        return str(exc)
    return translate(
        "casework.exports", "Something went wrong ({kind}). Details are in the log."
    ).format(kind=error_kind(exc))


class CaseworkExports(QObject):
    """The Export button, its menu and the work behind each item."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget,
        cases_page: CasesPage,
        deadlines_page: DeadlinesPage,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.cases_page = cases_page
        self.deadlines_page = deadlines_page
        self._last_folder: Path | None = None
        self._running = 0

        self.menu = QMenu(parent)
        self.menu.setObjectName("caseworkExportMenu")
        self.menu.setToolTipsVisible(True)
        self.case_list_action = self.menu.addAction(
            translate("casework.exports", "Case list (current filter)…")
        )
        _explain(
            self.case_list_action,
            translate(
                "casework.exports",
                "The cases the Cases page shows, with its filters and search, as .xlsx or .pdf",
            ),
        )
        self.case_list_action.triggered.connect(lambda _c=False: self.export_case_list())
        self.summary_action = self.menu.addAction(translate("casework.exports", "Case summary…"))
        _explain(
            self.summary_action,
            translate("casework.exports", "The selected case in full, as a PDF for a hearing"),
        )
        self.summary_action.triggered.connect(lambda _c=False: self.export_case_summary())
        self.full_summary_action = self.menu.addAction(
            translate("casework.exports", "Case summary with confidential entries…")
        )
        _explain(
            self.full_summary_action,
            translate(
                "casework.exports",
                "The same, with the timeline entries marked confidential (left out of the other)",
            ),
        )
        self.full_summary_action.triggered.connect(
            lambda _c=False: self.export_case_summary(include_confidential=True)
        )
        self.menu.addSeparator()
        self.caseload_action = self.menu.addAction(
            translate("casework.exports", "Caseload report…")
        )
        _explain(
            self.caseload_action,
            translate("casework.exports", "The branch caseload, with a chart, as .pdf or .xlsx"),
        )
        self.caseload_action.triggered.connect(lambda _c=False: self.export_caseload())
        self.calendar_action = self.menu.addAction(
            translate("casework.exports", "Deadlines calendar…")
        )
        _explain(
            self.calendar_action,
            translate(
                "casework.exports",
                "Open deadlines as calendar entries (.ics) for a phone or an online calendar",
            ),
        )
        self.calendar_action.triggered.connect(lambda _c=False: self.export_calendar())
        self.menu.aboutToShow.connect(self.update_actions)

        self.button = QToolButton()
        self.button.setObjectName("caseworkExportButton")
        self.button.setText(translate("casework.exports", "Export ▾"))
        # The arrow is in the text: Fusion's own indicator sits on top of the last letter.
        self.button.setStyleSheet(
            "QToolButton { padding: 3px 10px; }"
            " QToolButton::menu-indicator { image: none; width: 0px; }"
        )
        self.button.setToolTip(
            translate(
                "casework.exports",
                "Export the case list, a case summary, the caseload or deadlines",
            )
        )
        self.button.setMenu(self.menu)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        cases_page.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.update_actions()
        )
        cases_page.model.modelReset.connect(self.update_actions)
        deadlines_page.rep.currentIndexChanged.connect(lambda _i: self.update_actions())
        self.update_actions()

    # -- state ---------------------------------------------------------------------------------

    def selected_case(self) -> Any:
        """The case the Cases page shows in full (a `CaseDetail`), if any."""
        return self.cases_page.detail.case

    def calendar_rep(self) -> str:
        return str(self.deadlines_page.rep.currentData() or "")

    def update_actions(self) -> None:
        idle = self._running == 0
        case = self.selected_case()
        self.summary_action.setText(
            translate("casework.exports", "Case summary for {reference}…").format(
                reference=case.reference
            )
            if case is not None
            else translate("casework.exports", "Case summary…")
        )
        self.summary_action.setEnabled(idle and case is not None)
        confidential = case is not None and any(e.confidential for e in case.timeline)
        self.full_summary_action.setVisible(confidential)
        self.full_summary_action.setEnabled(idle and confidential)
        rep = self.calendar_rep()
        self.calendar_action.setText(
            translate("casework.exports", "Deadlines calendar for {rep}…").format(rep=rep)
            if rep
            else translate("casework.exports", "Deadlines calendar (all reps)…")
        )
        for action in (self.case_list_action, self.caseload_action, self.calendar_action):
            action.setEnabled(idle)

    # -- the four exports ----------------------------------------------------------------------

    def export_case_list(self, path: Path | None = None) -> None:
        case_filter = self.cases_page.case_filter()
        search = self.cases_page.model.search
        path = self._choose(
            path,
            translate("casework.exports", "Export the case list"),
            f"cases-{date.today():%Y-%m-%d}.xlsx",
            _filters(XLSX, PDF),
            (".xlsx", ".pdf"),
        )
        if path is None:
            return
        db, branch = self.ctx.db, self.ctx.preferences.branch_name
        which = describe_filter(case_filter, search)
        if getattr(case_filter, "case_ids", None) is not None:  # the notes were searched
            which = translate("casework.exports", "{which}, notes matching “{words}”").format(
                which=which, words=self.cases_page.filter_bar.text().strip()
            )

        def run(progress: Progress) -> int:
            count = export_cases(db, path, case_filter, branch, search, progress=progress)
            record_export(db, "cases", path, count)
            return count

        def done(count: int) -> None:
            if count == 1:
                text = translate("casework.exports", "1 case ({which}) written to\n{path}")
            else:
                text = translate("casework.exports", "{n} cases ({which}) written to\n{path}")
            self._finished(text.format(n=f"{count:,}", which=which, path=path))

        self._start(run, translate("casework.exports", "Export the case list"), path, done)

    def export_case_summary(
        self, path: Path | None = None, include_confidential: bool = False
    ) -> None:
        case = self.selected_case()
        if case is None:
            self.ctx.dialogs.info(
                self.parent_widget,
                translate("casework.exports", "Case summary"),
                translate("casework.exports", "Choose a case on the Cases page first."),
            )
            return
        path = self._choose(
            path,
            translate("casework.exports", "Export a summary of {reference}").format(
                reference=case.reference
            ),
            f"case-summary-{_slug(case.reference)}.pdf",
            _filters(PDF),
            (".pdf",),
        )
        if path is None:
            return
        db, branch = self.ctx.db, self.ctx.preferences.branch_name
        case_id, reference, today = case.id, case.reference, date.today()

        def run(_progress: Progress) -> Path:
            written = export_case_summary(db, case_id, path, branch, today, include_confidential)
            record_export(db, "case-summary", path, record_id=case_id)
            return written

        def done(_result: Path) -> None:
            self._finished(
                translate(
                    "casework.exports", "Summary of case {reference} written to\n{path}"
                ).format(reference=reference, path=path)
            )

        title = translate("casework.exports", "Export the summary of {reference}")
        self._start(run, title.format(reference=reference), path, done)

    def export_caseload(self, path: Path | None = None) -> None:
        path = self._choose(
            path,
            translate("casework.exports", "Export the caseload report"),
            f"caseload-{date.today():%Y-%m-%d}.pdf",
            _filters(PDF, XLSX),
            (".pdf", ".xlsx"),
        )
        if path is None:
            return
        db, branch, today = self.ctx.db, self.ctx.preferences.branch_name, date.today()

        def run(_progress: Progress) -> Caseload:
            load = export_caseload(db, path, branch, today)
            record_export(db, "caseload", path, load.open_total)
            return load

        def done(load: Caseload) -> None:
            n = load.open_total
            if n == 1:
                text = translate(
                    "casework.exports", "Caseload report (1 open case) written to\n{path}"
                )
            else:
                text = translate(
                    "casework.exports", "Caseload report ({n} open cases) written to\n{path}"
                )
            self._finished(text.format(n=f"{n:,}", path=path))

        self._start(run, translate("casework.exports", "Export the caseload report"), path, done)

    def export_calendar(self, path: Path | None = None) -> None:
        rep = self.calendar_rep()
        who = f"-{_slug(rep)}" if rep else ""
        path = self._choose(
            path,
            translate("casework.exports", "Export deadlines for {rep}").format(rep=rep)
            if rep
            else translate("casework.exports", "Export deadlines (all reps)"),
            f"deadlines{who}-{date.today():%Y-%m-%d}.ics",
            _filters(ICS),
            (".ics",),
        )
        if path is None:
            return
        db, today = self.ctx.db, date.today()

        def run(_progress: Progress) -> int:
            count = export_deadlines_ics(db, path, today, rep=rep)
            record_export(db, "deadlines", path, count)
            return count

        def done(count: int) -> None:
            self._finished(_calendar_written(count, rep).format(n=f"{count:,}", rep=rep, path=path))

        self._start(run, translate("casework.exports", "Export deadlines"), path, done)

    # -- shared steps --------------------------------------------------------------------------

    def _choose(
        self,
        path: Path | None,
        title: str,
        suggested: str,
        filters: str,
        allowed: tuple[str, ...],
    ) -> Path | None:
        """The file to write: the one given, or the user's choice; None if none (or a bad one)."""
        if path is None:
            folder = self._last_folder or _default_folder()
            path = self.ctx.dialogs.save_file(
                self.parent_widget, title, folder / suggested, filters
            )
        if path is None:
            return None
        if path.suffix.lower() not in allowed:
            if len(allowed) == 2:
                text = translate(
                    "casework.exports", "Choose a file name ending in {first} or {second}."
                ).format(first=allowed[0], second=allowed[1])
            else:
                text = translate(
                    "casework.exports", "Choose a file name ending in {names}."
                ).format(names=" / ".join(allowed))
            self.ctx.dialogs.error(
                self.parent_widget, translate("casework.exports", "Export"), text
            )
            return None
        self._last_folder = path.parent
        return path

    def _start(
        self,
        run: Callable[[Progress], Any],
        title: str,
        path: Path,
        done: Callable[[Any], None],
    ) -> None:
        self._set_running(+1)

        def ended(result: object) -> None:
            self._set_running(-1)
            done(result)

        self.ctx.worker.run_with_progress(
            run,
            parent=self.parent_widget,
            title=title,
            label=translate("casework.exports", "Writing {name}…").format(name=path.name),
            on_done=ended,
            on_error=self._failed,
            on_cancelled=lambda: self._set_running(-1),
        )

    def _set_running(self, delta: int) -> None:
        self._running += delta
        self.update_actions()

    def _finished(self, text: str) -> None:
        self.ctx.dialogs.info(
            self.parent_widget, translate("casework.exports", "Export finished"), text
        )

    def _failed(self, exc: BaseException) -> None:
        # The worker has logged it (by type and frames, never its message); the user is told
        # here, and the program goes on.
        self._set_running(-1)
        self.ctx.dialogs.error(
            self.parent_widget, translate("casework.exports", "Export failed"), error_text(exc)
        )


def _explain(action: QAction, text: str) -> None:
    """What a menu item does: on hover over the item, and in the status bar."""
    action.setToolTip(text)
    action.setStatusTip(text)


def _calendar_written(count: int, rep: str) -> str:
    """The message after writing a calendar, to be formatted with n, rep and path."""
    if count == 1 and rep:
        return translate("casework.exports", "1 open deadline for {rep} written to\n{path}")
    if count == 1:
        return translate("casework.exports", "1 open deadline written to\n{path}")
    if count and rep:
        return translate("casework.exports", "{n} open deadlines for {rep} written to\n{path}")
    if count:
        return translate("casework.exports", "{n} open deadlines written to\n{path}")
    if rep:
        return translate(
            "casework.exports",
            "No open deadlines for {rep}: an empty calendar was written to\n{path}",
        )
    return translate(
        "casework.exports", "No open deadlines: an empty calendar was written to\n{path}"
    )
