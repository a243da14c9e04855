"""The claims queue: claims awaiting the panel, claims owed money, or all of them; the chosen
claim in full beside the list, with New claim…, Edit claim… and Decide…. A fund with no claim
yet says how to enter the first, with a link to the guide; a filter that hides every claim
says so."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from branchdesk.exports.text import short_date
from branchdesk.hardship.claims import ClaimDetail, get_claim
from branchdesk.hardship.codes import CLAIM_STATUSES, OPEN_STATUSES
from branchdesk.hardship.funds import strike_days
from branchdesk.hardship.listing import ClaimFilter, ClaimListing
from branchdesk.store.errors import StaleEdit
from branchdesk.ui import style
from branchdesk.ui.casework.common import warning_label
from branchdesk.ui.context import AppContext
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.filter_bar import FilterBar
from branchdesk.ui.hardship.claim_dialogs import ClaimDialog, DecideDialog, decisions_html
from branchdesk.ui.hardship.data import FundSummary, HardshipTableModel
from branchdesk.ui.hardship.widgets import (
    GUIDE_SECTION,
    button,
    empty_stack,
    guide_link_text,
    row,
    run_dialog,
    set_widths,
)
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.list_view import list_view

SHOWN = {
    "open": QT_TRANSLATE_NOOP("hardship.claims_page", "Awaiting decision"),
    "owed": QT_TRANSLATE_NOOP("hardship.claims_page", "Owed (approved, not yet paid)"),
    "": QT_TRANSLATE_NOOP("hardship.claims_page", "All claims"),
}
WIDTHS = {
    "reference": 11,
    "member": 15,
    "membership_number": 8,
    "received_on": 10,
    "requested": 10,
    "entitlement": 10,
    "approved": 10,
    "status": 12,
    "flags": 7,
}
HIDDEN = ("membership_number",)


def _muted(text: str) -> str:
    return f"<span style='color:{style.MUTED}'>{html.escape(text)}</span>"


def claim_html(c: ClaimDetail) -> str:
    e = html.escape

    def line(label: str, value: str) -> str:
        if not value:
            return ""
        return (
            f"<tr><td style='color:{style.MUTED}; padding-right:12px'>{e(label)}</td>"
            f"<td>{value}</td></tr>"
        )

    status = CLAIM_STATUSES.get(c.status, c.status)
    parts = [
        f"<h3 style='margin:0 0 2px 0; color:{style.ACCENT}'>{e(c.reference)} · "
        f"{e(c.member_name)}</h3>",
        f"<p style='margin:0 0 6px 0'>{_muted(c.member_number)} · <b>{e(status)}</b></p>",
        "<table cellspacing='0' cellpadding='2'>",
        line(translate("hardship.claims_page", "Received"), e(short_date(c.received_on))),
        line(
            translate("hardship.claims_page", "Strike days"),
            e(", ".join(short_date(d) for d in c.days))
            or _muted(translate("hardship.claims_page", "none")),
        ),
        line(
            translate("hardship.claims_page", "Fraction of full time"),
            e(format(c.fte.normalize(), "f")),
        ),
        line(
            translate("hardship.claims_page", "Pay deducted"),
            e(str(c.pay_deducted)) if c.pay_deducted is not None else "",
        ),
        line(
            translate("hardship.claims_page", "Payslip seen"),
            e(
                translate("hardship.claims_page", "Yes")
                if c.payslip_seen
                else translate("hardship.claims_page", "No")
            ),
        ),
        line(translate("hardship.claims_page", "Evidence"), e(c.evidence).replace("\n", "<br>")),
        line(translate("hardship.claims_page", "Requested"), e(str(c.requested))),
        line(translate("hardship.claims_page", "Entitlement"), f"<b>{e(str(c.entitlement))}</b>"),
        line(
            translate("hardship.claims_page", "Approved"),
            e(str(c.approved)) if c.approved is not None else "",
        ),
        line(translate("hardship.claims_page", "Paid"), e(str(c.paid)) if c.paid else ""),
        line(
            translate("hardship.claims_page", "Still owed"),
            f"<b>{e(str(c.owed))}</b>" if c.owed else "",
        ),
        line(translate("hardship.claims_page", "Decided"), e(short_date(c.decided_on))),
        "</table>",
    ]
    if c.circumstances:
        title = e(translate("hardship.claims_page", "Circumstances"))
        parts.append(
            f"<h4 style='margin:10px 0 2px 0'>{title}</h4>"
            f"<p style='margin:0'>{e(c.circumstances).replace(chr(10), '<br>')}</p>"
        )
    if c.working:
        title = e(translate("hardship.claims_page", "How the entitlement is worked out"))
        parts.append(f"<h4 style='margin:10px 0 2px 0'>{title}</h4>")
        parts.append("<br>".join(e(w) for w in c.working))
    if c.warnings:
        items = "".join(f"<li>{e(w)}</li>" for w in c.warnings)
        title = e(translate("hardship.claims_page", "For the panel to check"))
        parts.append(
            f"<h4 style='margin:10px 0 2px 0; color:{style.WARNING_TEXT}'>{title}"
            f"</h4><ul style='margin:0; color:{style.WARNING_TEXT}'>{items}</ul>"
        )
    title = e(translate("hardship.claims_page", "Panel"))
    parts.append(f"<h4 style='margin:10px 0 2px 0'>{title}</h4>")
    parts.append(decisions_html(c))
    return "".join(parts)


class ClaimsPage(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fund_id: int | None = None
        self.summary: FundSummary | None = None
        self.detail: ClaimDetail | None = None
        self._keep: int | None = None
        self.model = HardshipTableModel(
            ClaimListing(ctx.db, ClaimFilter(0, "open")), self, runner=self._run_quietly
        )

        self.status_box = QComboBox()
        self.status_box.setObjectName("claimStatusFilter")
        self.status_box.setAccessibleName(translate("hardship.claims_page", "Claims shown"))
        self.status_box.setToolTip(
            translate("hardship.claims_page", "Which claims the list shows, by where they stand")
        )
        for code, text in SHOWN.items():
            self.status_box.addItem(translate("hardship.claims_page", text), code)
        self.status_box.insertSeparator(len(SHOWN))
        for code, text in CLAIM_STATUSES.items():
            self.status_box.addItem(text, code)
        self.status_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.filter_bar = FilterBar(
            placeholder=translate("hardship.claims_page", "Search reference or member")
        )
        self.filter_bar.edit.setMinimumWidth(220)
        self.filter_bar.edit.setAccessibleName(translate("hardship.claims_page", "Search claims"))
        self.filter_bar.search_changed.connect(self.model.set_search)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.new_button = button(
            translate("hardship.claims_page", "New claim…"),
            "newClaim",
            translate("hardship.claims_page", "Enter a member's claim"),
            primary=True,
        )
        self.new_button.clicked.connect(lambda _c=False: self.new_claim())
        self.hint = warning_label()
        self.hint.setObjectName("claimsHint")

        self.table = QTableView()
        self.table.setObjectName("claimsTable")
        self.table.setAccessibleName(translate("hardship.claims_page", "Claims"))
        self.table.setModel(self.model)
        list_view(self.table)
        set_widths(self.table, WIDTHS, self.model.columns, stretch="member")
        for i, column in enumerate(self.model.columns):
            self.table.setColumnHidden(i, column.key in HIDDEN)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._chosen())
        self.table.doubleClicked.connect(lambda _i: self._open_chosen())
        self.model.modelAboutToBeReset.connect(self._remember)
        self.model.ids_loaded.connect(self._loaded)

        self.empty = EmptyState("claimsEmpty")
        self.table_stack = empty_stack(self.empty, self.table)
        self.table_stack.setCurrentIndex(1)

        self.details = QTextBrowser()
        self.details.setObjectName("claimDetails")
        self.details.setAccessibleName(translate("hardship.claims_page", "The chosen claim"))
        self.edit_button = button(
            translate("hardship.claims_page", "Edit claim…"),
            "editClaim",
            translate("hardship.claims_page", "Correct a claim not yet decided"),
        )
        self.edit_button.clicked.connect(lambda _c=False: self.edit_claim())
        self.decide_button = button(
            translate("hardship.claims_page", "Decide…"),
            "decideClaim",
            translate(
                "hardship.claims_page",
                "Record your decision as a panel officer: approve with an amount, or decline",
            ),
        )
        self.decide_button.clicked.connect(lambda _c=False: self.decide_claim())
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addLayout(row(self.edit_button, self.decide_button, None))
        right_layout.addWidget(self.details, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("claimsSplitter")
        split.setChildrenCollapsible(False)
        split.addWidget(self.table_stack)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([830, 410])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        show_label = QLabel(translate("hardship.claims_page", "Show"))
        show_label.setBuddy(self.status_box)
        layout.addLayout(
            row(
                show_label,
                self.status_box,
                8,
                self.filter_bar,
                None,
                self.count_label,
                8,
                self.new_button,
            )
        )
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        self.show_claim(None)

    def _run_quietly(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.ctx.worker.run(fn, on_done=on_done, on_error=on_error, quiet=True)

    # -- what is listed ----------------------------------------------------------------------------

    def set_fund(self, summary: FundSummary | None) -> None:
        changed = (summary.id if summary else None) != self.fund_id
        self.summary = summary
        self.fund_id = summary.id if summary else None
        if changed:
            self._keep = None
            self.show_claim(None)
        hints = []
        if summary is not None and not summary.strike_days:
            hints.append(
                translate(
                    "hardship.claims_page",
                    "This fund has no strike days yet: add them with Edit fund… first.",
                )
            )
        if summary is not None and not summary.has_rules:
            hints.append(
                translate(
                    "hardship.claims_page",
                    "The fund has no payment rules yet, so claims show no entitlement: set them "
                    "with Edit fund….",
                )
            )
        self.hint.setText(" ".join(hints))
        self.hint.setVisible(bool(hints))
        self.new_button.setEnabled(summary is not None and not summary.closed)
        self.new_button.setToolTip(
            translate("hardship.claims_page", "The fund is closed to new claims")
            if summary is not None and summary.closed
            else translate("hardship.claims_page", "Enter a member's claim")
        )

    def refresh(self) -> None:
        self.apply_filter()

    def apply_filter(self) -> None:
        self._keep = self.selected_id() or self._keep
        status = str(self.status_box.currentData() or "")
        self.model.set_listing(ClaimListing(self.ctx.db, ClaimFilter(self.fund_id or 0, status)))

    def show_status(self, code: str) -> None:
        self.status_box.setCurrentIndex(max(0, self.status_box.findData(code)))

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def _remember(self) -> None:
        self._keep = self.selected_id() or self._keep

    def _loaded(self) -> None:
        count = self.model.rowCount()
        self.count_label.setText(
            translate("hardship.claims_page", "1 claim")
            if count == 1
            else translate("hardship.claims_page", "{n} claims").format(n=f"{count:,}")
        )
        self._show_empty(count)
        keep, self._keep = self._keep, None
        row_number = self.model.row_of(keep) if keep is not None else None
        if row_number is not None:
            self.table.selectRow(row_number)
            self.show_claim(keep)
        elif keep is not None and self.detail is not None and self.detail.id == keep:
            self.show_claim(keep)  # filtered out of the list: its page stays, read again
        elif count == 0:
            self.show_claim(None)

    def _show_empty(self, count: int) -> None:
        """The list, or in its place what to do first (no claim at all) or that the filter
        hides every claim. The fund's count of claims comes with its summary: no extra query."""
        if count:
            self.table_stack.setCurrentIndex(1)
            return
        filtered = bool(self.model.search) or self.status_box.currentData() != ""
        none_yet = self.summary is not None and self.summary.claims == 0
        if none_yet:
            self.empty.show_text(
                translate(
                    "hardship.claims_page",
                    "No claims yet.\n\nEnter each member's claim with New claim…: the form "
                    "works out what the fund's rules entitle them to, and the panel decides it "
                    "here.",
                ),
                guide_link_text(),
                GUIDE_SECTION,
            )
        elif filtered:
            self.empty.show_text(
                translate(
                    "hardship.claims_page",
                    "No claims match the filter. Choose All claims, or clear the search.",
                )
            )
        else:
            self.empty.show_text(translate("hardship.claims_page", "No claims."))
        self.table_stack.setCurrentIndex(0)

    def select_claim(self, claim_id: int) -> None:
        self._keep = claim_id
        row_number = self.model.row_of(claim_id)
        if row_number is not None:
            self.table.selectRow(row_number)
        self.show_claim(claim_id)

    def _chosen(self) -> None:
        claim_id = self.selected_id()
        if claim_id is not None and (self.detail is None or self.detail.id != claim_id):
            self.show_claim(claim_id)

    def _open_chosen(self) -> None:
        if self.detail is not None and self.detail.status in OPEN_STATUSES:
            self.decide_claim()

    # -- the chosen claim --------------------------------------------------------------------------

    def show_claim(self, claim_id: int | None) -> None:
        self.detail = None
        if claim_id is not None:
            try:
                self.detail = get_claim(self.ctx.db, claim_id)
            except StaleEdit:
                self.detail = None
        detail = self.detail
        deciding = detail is not None and detail.status in OPEN_STATUSES
        # Once any panel officer has decided, the claim stays as they saw it.
        self.edit_button.setEnabled(deciding and detail is not None and not detail.decisions)
        self.decide_button.setEnabled(deciding)
        if detail is None:
            text = translate(
                "hardship.claims_page",
                "Choose a claim in the list to see it in full: the days claimed, how the "
                "entitlement is worked out, what the panel should check and its decisions."
                "<br><br>Enter a member's claim with <b>New claim…</b>.",
            )
            self.details.setHtml(f"<p style='color:{style.MUTED}'>{text}</p>")
            return
        self.details.setHtml(claim_html(detail))

    # -- changes ---------------------------------------------------------------------------------

    def _saved(self, claim_id: int | None) -> None:
        if claim_id is not None:
            self._keep = claim_id
        self.changed.emit()
        if claim_id is not None:
            self.show_claim(claim_id)

    def new_claim(self) -> None:
        if self.fund_id is None:
            return
        days = strike_days(self.ctx.db, self.fund_id)
        dialog = ClaimDialog(self.ctx, self.fund_id, days, parent=self)
        if run_dialog(self.ctx, dialog) and dialog.claim_id is not None:
            # Listed where the new claim shows: awaiting decision (or everything).
            if self.status_box.currentData() not in ("open", ""):
                self.show_status("open")
            self._saved(dialog.claim_id)

    def edit_claim(self) -> None:
        if self.detail is None or self.fund_id is None:
            return
        days = strike_days(self.ctx.db, self.fund_id)
        dialog = ClaimDialog(self.ctx, self.fund_id, days, self.detail, parent=self)
        saved = run_dialog(self.ctx, dialog)
        if saved or dialog.stale:
            self._saved(self.detail.id)

    def decide_claim(self) -> None:
        if self.detail is None:
            return
        claim_id = self.detail.id
        dialog = DecideDialog(self.ctx, self.detail, parent=self)
        saved = run_dialog(self.ctx, dialog)
        # What the officer was not shown already (the claim's own warnings were in the form).
        new = [w for w in dialog.warnings if w not in self.detail.warnings]
        if saved:
            self._saved(claim_id)
            if new:
                text = translate("hardship.claims_page", "Your decision is recorded.\n\n{notes}")
                self.ctx.dialogs.info(
                    self,
                    translate("hardship.claims_page", "Decision recorded"),
                    text.format(notes="\n".join(new)),
                )
        elif dialog.stale:
            self._saved(claim_id)
        else:  # cancelled, or refused (decided meanwhile by another officer): read it again
            self.show_claim(claim_id)
