"""The Hardship fund tab: a treasurer runs a strike fund through a dispute from here.

At the top, the fund chosen (with New fund… and Edit fund…, where its payment rules and strike
days are kept) and its balance. Below, its pages: the claims queue with the panel's decisions,
the payment run, donations, the ledger with its running balance and exports, and the
reconciliation with the bank. With no fund yet, the tab says what to do first, with a link to
the guide.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.hardship.funds import fund_names
from branchdesk.ui.context import MEMBERS, AppContext
from branchdesk.ui.hardship.claims_page import ClaimsPage
from branchdesk.ui.hardship.data import HARDSHIP, FundSummary, fund_facts, read_fund_summary
from branchdesk.ui.hardship.donations_page import DonationsPage
from branchdesk.ui.hardship.fund_dialog import FundDialog
from branchdesk.ui.hardship.ledger_page import LedgerPage
from branchdesk.ui.hardship.payments_page import PaymentsPage
from branchdesk.ui.hardship.reconcile_page import ReconcilePage
from branchdesk.ui.hardship.widgets import button, guide_link, row, run_dialog
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.tab_base import TabBase

EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "hardship.hardship_tab",
    "No hardship fund yet.\n\n"
    "A fund holds the money for one dispute: the donations that come in, the members' claims "
    "the panel decides and the payments out, in a ledger that adds up to the penny and can be "
    "checked against the bank.\n\n"
    "Set up a fund first with New fund…: give it a name and its bank account, the payment "
    "rules the branch agreed, and the strike days.",
)


class HardshipTab(TabBase):
    # The main window shows the title (translated there, in this context).
    title = QT_TRANSLATE_NOOP("hardship.hardship_tab", "Hardship fund")
    registers = frozenset({HARDSHIP, MEMBERS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("hardshipTab")
        self.fund_id: int | None = None
        self.summary: FundSummary | None = None
        self._filling = False

        # -- the fund ----------------------------------------------------------------------------
        self.fund_box = QComboBox()
        self.fund_box.setObjectName("fundChooser")
        self.fund_box.setMinimumContentsLength(28)
        self.fund_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.fund_box.setToolTip(
            translate("hardship.hardship_tab", "The fund shown on the pages below")
        )
        self.fund_box.currentIndexChanged.connect(self._fund_chosen)
        fund_label = QLabel(translate("hardship.hardship_tab", "Fund"))
        fund_label.setObjectName("tabHeading")
        fund_label.setBuddy(self.fund_box)
        self.new_fund_button = button(
            translate("hardship.hardship_tab", "New fund…"),
            "newFund",
            translate(
                "hardship.hardship_tab",
                "Set up a fund for a dispute: its bank account, payment rules and strike days",
            ),
        )
        self.new_fund_button.clicked.connect(lambda _c=False: self.new_fund())
        self.edit_fund_button = button(
            translate("hardship.hardship_tab", "Edit fund…"),
            "editFund",
            translate(
                "hardship.hardship_tab",
                "Change the fund's details, its payment rules, its strike days and who took part",
            ),
        )
        self.edit_fund_button.clicked.connect(lambda _c=False: self.edit_fund())
        self.balance_label = QLabel()
        self.balance_label.setObjectName("fundBalance")
        self.balance_label.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.balance_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.facts_label = QLabel()
        self.facts_label.setObjectName("tabSubheading")
        self.facts_label.setWordWrap(True)
        header = QWidget()
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(14, 8, 14, 2)
        header_layout.setSpacing(2)
        header_layout.addLayout(
            row(
                fund_label,
                8,
                self.fund_box,
                self.edit_fund_button,
                self.new_fund_button,
                None,
                self.balance_label,
            )
        )
        header_layout.addWidget(self.facts_label)

        # -- the pages ---------------------------------------------------------------------------
        self.claims_page = ClaimsPage(ctx)
        self.payments_page = PaymentsPage(ctx)
        self.donations_page = DonationsPage(ctx)
        self.ledger_page = LedgerPage(ctx)
        self.reconcile_page = ReconcilePage(ctx)
        self.pages = QTabWidget()
        self.pages.setObjectName("hardshipPages")
        self.pages.addTab(self.claims_page, translate("hardship.hardship_tab", "Claims"))
        self.pages.addTab(self.payments_page, translate("hardship.hardship_tab", "Payments"))
        self.pages.addTab(self.donations_page, translate("hardship.hardship_tab", "Donations"))
        self.pages.addTab(self.ledger_page, translate("hardship.hardship_tab", "Ledger"))
        self.pages.addTab(self.reconcile_page, translate("hardship.hardship_tab", "Reconciliation"))
        for page in self._pages():
            page.changed.connect(self._page_changed)

        empty_title = QLabel(translate("hardship.hardship_tab", self.title))
        empty_title.setObjectName("placeholderTitle")
        empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label = QLabel(translate("hardship.hardship_tab", EMPTY_TEXT))
        self.empty_label.setObjectName("placeholderText")
        self.empty_label.setAccessibleName(translate("hardship.hardship_tab", "No fund yet"))
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_new_button = button(
            translate("hardship.hardship_tab", "New fund…"),
            "emptyNewFund",
            translate("hardship.hardship_tab", "Set up the first fund"),
            primary=True,
        )
        self.empty_new_button.clicked.connect(lambda _c=False: self.new_fund())
        column = QWidget()
        column.setMaximumWidth(640)
        inner = QVBoxLayout(column)
        inner.setSpacing(14)
        inner.addWidget(empty_title)
        inner.addWidget(self.empty_label)
        inner.addLayout(row(None, self.empty_new_button, None))
        self.guide_link = guide_link(self)
        inner.addWidget(self.guide_link)
        # Stretches either side centre the column (alignment flags would starve the wrapped
        # text of the height it needs), as on the "coming soon" pages.
        across = QHBoxLayout()
        across.addStretch(1)
        across.addWidget(column, 4)
        across.addStretch(1)
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.setContentsMargins(24, 24, 24, 24)
        empty_layout.addStretch(1)
        empty_layout.addLayout(across)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget()
        self.stack.addWidget(empty)
        self.stack.addWidget(self.pages)
        self.header = header

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        self.refresh()

    def _pages(self) -> tuple[ClaimsPage, PaymentsPage, DonationsPage, LedgerPage, ReconcilePage]:
        return (
            self.claims_page,
            self.payments_page,
            self.donations_page,
            self.ledger_page,
            self.reconcile_page,
        )

    # -- reading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        funds = fund_names(self.ctx.db)
        ids = [fund_id for fund_id, _name in funds]
        if self.fund_id not in ids:
            self.fund_id = ids[0] if ids else None
        self._filling = True
        try:
            self.fund_box.clear()
            for fund_id, name in funds:
                self.fund_box.addItem(name, fund_id)
            if self.fund_id is not None:
                self.fund_box.setCurrentIndex(self.fund_box.findData(self.fund_id))
        finally:
            self._filling = False
        self._show_fund()

    def database_changed(self) -> None:
        self.fund_id = None
        self.refresh()

    def _fund_chosen(self, _index: int) -> None:
        if self._filling:
            return
        data = self.fund_box.currentData()
        self.fund_id = int(data) if data is not None else None
        self._show_fund()

    def choose_fund(self, fund_id: int) -> None:
        self.fund_id = fund_id
        self.refresh()

    def _show_fund(self) -> None:
        summary = read_fund_summary(self.ctx.db, self.fund_id) if self.fund_id else None
        self.summary = summary
        has_fund = summary is not None
        self.stack.setCurrentIndex(1 if has_fund else 0)
        self.fund_box.setEnabled(has_fund)
        self.edit_fund_button.setEnabled(has_fund)
        self.header.setVisible(has_fund)
        if summary is None:
            self.balance_label.clear()
            self.facts_label.setText("")
            self.facts_label.hide()
        else:
            balance = translate("hardship.hardship_tab", "Balance {amount}")
            self.balance_label.setText(balance.format(amount=summary.balance))
            self.balance_label.setToolTip(
                translate(
                    "hardship.hardship_tab",
                    "What the fund holds by its ledger: every donation and payment recorded",
                )
            )
            self.facts_label.setText(fund_facts(summary))
            self.facts_label.show()
        for page in self._pages():
            page.set_fund(summary)
            if has_fund:
                page.refresh()

    # -- changes -----------------------------------------------------------------------------------

    def _page_changed(self) -> None:
        self.ctx.changed(HARDSHIP)
        if not self.isVisible() and shiboken6.isValid(self):
            self.refresh()  # changed() refreshes only a tab on screen; be sure

    def new_fund(self) -> None:
        dialog = FundDialog(self.ctx, parent=self)
        run_dialog(self.ctx, dialog)
        if dialog.wrote and dialog.fund_id is not None:  # saved, or in part before a problem
            self.fund_id = dialog.fund_id
            self._page_changed()

    def edit_fund(self) -> None:
        if self.fund_id is None:
            return
        dialog = FundDialog(self.ctx, self.fund_id, parent=self)
        saved = run_dialog(self.ctx, dialog)
        if saved or dialog.stale:
            self._page_changed()
