"""The Casework tab: an overview strip above the Cases, Deadlines and Members pages.

The pages' bar carries, at its right, the overview's Hide/Show toggle and the Export menu.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from branchdesk.ui.casework.cases_page import CasesPage
from branchdesk.ui.casework.deadlines_page import DeadlinesPage
from branchdesk.ui.casework.exports import CaseworkExports
from branchdesk.ui.casework.overview import CaseworkOverview
from branchdesk.ui.context import AppContext
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.members.members_tab import MembersTab
from branchdesk.ui.tab_base import TabBase


class CaseworkTab(TabBase):
    # Translated where the window shows it; the English also names the tab's place there.
    title = QT_TRANSLATE_NOOP("casework.casework_tab", "Casework")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.overview = CaseworkOverview(ctx)
        self.pages = QTabWidget()
        self.pages.setObjectName("caseworkPages")
        self.cases_page = CasesPage(ctx)
        self.deadlines_page = DeadlinesPage(ctx)
        self.members_tab = MembersTab(ctx)
        self.pages.addTab(self.cases_page, translate("casework.casework_tab", "Cases"))
        self.pages.addTab(self.deadlines_page, translate("casework.casework_tab", "Deadlines"))
        self.pages.addTab(self.members_tab, translate("casework.casework_tab", "Members"))
        self.deadlines_page.case_requested.connect(self.show_case)
        # A case chosen on a member's page opens on the Cases page.
        self.members_tab.case_requested.connect(self.show_case)
        self.overview.case_requested.connect(self.show_case)
        # A shortcut for the member register (Ctrl+F, Ctrl+N) brings its page forward first.
        self.members_tab.activate_requested.connect(self.show_members)
        self.exports = CaseworkExports(ctx, self, self.cases_page, self.deadlines_page)

        corner = QWidget()
        corner.setObjectName("caseworkCorner")
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 14, 0)
        row.setSpacing(6)
        row.addWidget(self.overview.toggle_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.exports.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.pages.setCornerWidget(corner, Qt.Corner.TopRightCorner)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.overview)
        layout.addWidget(self.pages, 1)

    def show_members(self) -> None:
        self.pages.setCurrentWidget(self.members_tab)
        self.activate_requested.emit()

    def show_case(self, case_id: int) -> None:
        self.pages.setCurrentWidget(self.cases_page)
        self.cases_page.show_case(case_id)
        self.activate_requested.emit()

    def cleanup(self) -> None:
        for page in (self.overview, self.cases_page, self.deadlines_page, self.members_tab):
            page.cleanup()
        super().cleanup()
