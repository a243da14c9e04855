"""The Negotiating demands tab: the claims on the left, the chosen claim on the right.

The claim page has the claim's details and total annual cost at the top, then three pages:
its demands (in priority order, each with its case, evidence, costing and the employer's
response), the negotiation meetings, and the member surveys with a chart per question. Export
pack… writes the negotiation pack as a PDF or a spreadsheet in the background.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from branchdesk.demands.codes import (
    CATEGORIES,
    CLAIM_STATUSES,
    DEMAND_STATUSES,
    EVIDENCE_KINDS,
    PRIORITIES,
)
from branchdesk.demands.queries import ClaimDetail, DemandDetail, claim_lines, get_claim
from branchdesk.demands.service import load_survey, move_demand, store_survey
from branchdesk.demands.survey import SurveyFile, check_survey
from branchdesk.exports.text import short_date
from branchdesk.store.audit import record_export
from branchdesk.ui.casework.common import save_with_care
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.code_words import word
from branchdesk.ui.demands.dialogs import (
    DEMANDS,
    ClaimDialog,
    DemandDialog,
    EvidenceDialog,
    MeetingDialog,
    StatusDialog,
)
from branchdesk.ui.demands.surveys import SurveyPreviewDialog, SurveySummary
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.tab_base import TabBase

PACK_FILTER = QT_TRANSLATE_NOOP(
    "demands.demands_tab", "PDF document (*.pdf);;Excel workbook (*.xlsx)"
)


def _table(name: str, headers: list[str], stretch: int, accessible: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column == stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(column, mode)
    return table


def _cell(text: str, data: object = None, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    return button


def _row(*widgets: QWidget, stretch_at: int | None = None) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    for n, widget in enumerate(widgets):
        if n == stretch_at:
            row.addStretch(1)
        row.addWidget(widget)
    if stretch_at is None or stretch_at >= len(widgets):
        row.addStretch(1)
    return row


def _section(text: str) -> str:
    return f"<h4 style='margin: 10px 0 4px 0'>{html.escape(text)}</h4>"


def _paragraphs(text: str, empty: str) -> str:
    if not text.strip():
        return f"<p style='color: gray'>{html.escape(empty)}</p>"
    return "".join(f"<p style='margin: 0 0 4px 0'>{html.escape(p)}</p>" for p in text.split("\n"))


class DemandsTab(TabBase):
    title = "Negotiating demands"
    registers = frozenset({DEMANDS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("demandsTab")
        self.claim_id: int | None = None
        self.detail: ClaimDetail | None = None
        self._demand_id: int | None = None
        self._survey_id: int | None = None
        self._filling = False

        # -- left: the claims -------------------------------------------------------------------
        heading = QLabel(translate("demands.demands_tab", "Claims"))
        heading.setObjectName("tabHeading")
        self.new_claim_button = _button(
            translate("demands.demands_tab", "New claim…"),
            "newClaimButton",
            translate("demands.demands_tab", "Start a claim to an employer"),
        )
        self.new_claim_button.clicked.connect(self.new_claim)
        self.claims_table = _table(
            "claimsTable",
            [
                translate("demands.demands_tab", "Reference"),
                translate("demands.demands_tab", "Title"),
                translate("demands.demands_tab", "Employer"),
                translate("demands.demands_tab", "Status"),
            ],
            1,
            translate("demands.demands_tab", "Claims"),
        )
        self.claims_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.claims_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.claims_table.itemSelectionChanged.connect(self._claim_selected)
        # No claims yet: what to do first, and the guide, in place of the empty list.
        self.claims_empty = EmptyState("claimsEmptyState")
        self.claims_empty.show_text(
            translate(
                "demands.demands_tab",
                "No claims yet. Press New claim… to start the branch's first claim to an "
                "employer, then add its demands, evidence and member surveys.",
            ),
            translate("demands.demands_tab", "Read the guide: negotiating demands"),
            "demands",
        )
        self.claims_stack = QStackedWidget()
        self.claims_stack.setObjectName("claimsStack")
        self.claims_stack.addWidget(self.claims_table)
        self.claims_stack.addWidget(self.claims_empty)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(12, 8, 6, 8)
        left_layout.addLayout(_row(heading, self.new_claim_button, stretch_at=1))
        left_layout.addWidget(self.claims_stack, 1)

        # -- right: the claim ------------------------------------------------------------------
        self.claim_title = QLabel()
        self.claim_title.setObjectName("tabHeading")
        self.claim_title.setWordWrap(True)
        self.claim_facts = QLabel()
        self.claim_facts.setObjectName("claimFacts")
        self.claim_facts.setWordWrap(True)
        self.total_label = QLabel()
        self.total_label.setObjectName("claimTotal")
        self.total_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.edit_claim_button = _button(
            translate("demands.demands_tab", "Edit claim…"),
            "editClaimButton",
            translate("demands.demands_tab", "Change the claim's details and status"),
        )
        self.edit_claim_button.clicked.connect(self.edit_claim)
        self.export_button = _button(
            translate("demands.demands_tab", "Export pack…"),
            "exportPackButton",
            translate(
                "demands.demands_tab",
                "Write the negotiation pack for this claim as a PDF or a spreadsheet",
            ),
        )
        self.export_button.clicked.connect(self.export_pack)
        header = QVBoxLayout()
        header.setSpacing(2)
        title_row = QHBoxLayout()
        title_row.setSpacing(6)
        title_row.addWidget(self.claim_title, 1)
        for button in (self.edit_claim_button, self.export_button):
            title_row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(title_row)
        header.addWidget(self.claim_facts)
        header.addWidget(self.total_label)

        self.pages = QTabWidget()
        self.pages.setObjectName("claimPages")
        self.pages.addTab(self._demands_page(), translate("demands.demands_tab", "Demands"))
        self.pages.addTab(self._meetings_page(), translate("demands.demands_tab", "Meetings"))
        self.pages.addTab(self._surveys_page(), translate("demands.demands_tab", "Surveys"))

        claim_page = QWidget()
        claim_layout = QVBoxLayout(claim_page)
        claim_layout.setContentsMargins(6, 8, 12, 8)
        claim_layout.setSpacing(8)
        claim_layout.addLayout(header)
        claim_layout.addWidget(self.pages, 1)

        self.empty_label = QLabel(
            translate(
                "demands.demands_tab",
                "Choose a claim on the left, or press New claim… to start one.\n\n"
                "A claim is what the branch asks an employer for: its demands, the case for "
                "each, evidence, member survey figures, costings and the employer's response.",
            )
        )
        self.empty_label.setObjectName("placeholderText")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setMargin(40)
        self.right = QStackedWidget()
        self.right.addWidget(self.empty_label)
        self.right.addWidget(claim_page)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("demandsSplitter")
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([440, 840])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(splitter)
        self.refresh()

    # -- building the pages --------------------------------------------------------------------

    def _demands_page(self) -> QWidget:
        self.add_demand_button = _button(
            translate("demands.demands_tab", "Add demand…"),
            "addDemandButton",
            translate("demands.demands_tab", "Add a demand"),
        )
        self.edit_demand_button = _button(
            translate("demands.demands_tab", "Edit…"),
            "editDemandButton",
            translate("demands.demands_tab", "Change the demand"),
        )
        self.up_button = _button(
            translate("demands.demands_tab", "Move up"),
            "moveUpButton",
            translate("demands.demands_tab", "Give the demand a higher place"),
        )
        self.down_button = _button(
            translate("demands.demands_tab", "Move down"),
            "moveDownButton",
            translate("demands.demands_tab", "Give it a lower place"),
        )
        self.status_button = _button(
            translate("demands.demands_tab", "Set status…"),
            "setStatusButton",
            translate("demands.demands_tab", "Record that the demand was agreed, rejected…"),
        )
        self.add_demand_button.clicked.connect(self.add_demand)
        self.edit_demand_button.clicked.connect(self.edit_demand)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.status_button.clicked.connect(self.set_status)
        self.demands_table = _table(
            "demandsTable",
            [
                translate("demands.demands_tab", "No."),
                translate("demands.demands_tab", "Demand"),
                translate("demands.demands_tab", "Heading"),
                translate("demands.demands_tab", "Priority"),
                translate("demands.demands_tab", "Status"),
                translate("demands.demands_tab", "Annual cost"),
            ],
            1,
            translate("demands.demands_tab", "The claim's demands"),
        )
        self.demands_table.itemSelectionChanged.connect(self._demand_selected)
        self.demands_table.itemDoubleClicked.connect(lambda _item: self.edit_demand())

        self.demand_text = QTextBrowser()
        self.demand_text.setObjectName("demandDetail")
        self.demand_text.setAccessibleName(translate("demands.demands_tab", "The demand chosen"))
        self.demand_text.setOpenLinks(False)
        self.evidence_list = QListWidget()
        self.evidence_list.setObjectName("evidenceList")
        self.evidence_list.setAccessibleName(
            translate("demands.demands_tab", "Evidence for the demand")
        )
        self.evidence_list.setWordWrap(True)
        self.evidence_list.setSpacing(3)
        self.evidence_list.setAlternatingRowColors(True)
        self.add_evidence_button = _button(
            translate("demands.demands_tab", "Add evidence…"),
            "addEvidenceButton",
            translate("demands.demands_tab", "A comparator, statistic, quote or survey result"),
        )
        self.add_evidence_button.clicked.connect(self.add_evidence)
        evidence_heading = QLabel(translate("demands.demands_tab", "Evidence"))
        evidence_heading.setStyleSheet("font-weight: 600;")
        evidence = QWidget()
        evidence_layout = QVBoxLayout(evidence)
        evidence_layout.setContentsMargins(0, 0, 0, 0)
        evidence_layout.addLayout(_row(evidence_heading, self.add_evidence_button, stretch_at=1))
        evidence_layout.addWidget(self.evidence_list, 1)
        below = QSplitter(Qt.Orientation.Horizontal)
        below.setObjectName("demandEvidenceSplitter")
        below.addWidget(self.demand_text)
        below.addWidget(evidence)
        below.setSizes([560, 320])
        below.setChildrenCollapsible(False)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(
            _row(
                self.add_demand_button,
                self.edit_demand_button,
                self.up_button,
                self.down_button,
                self.status_button,
            )
        )
        top_layout.addWidget(self.demands_table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("demandsPageSplitter")
        split.addWidget(top)
        split.addWidget(below)
        split.setSizes([220, 300])
        split.setChildrenCollapsible(False)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(split)
        return page

    def _meetings_page(self) -> QWidget:
        self.add_meeting_button = _button(
            translate("demands.demands_tab", "Add meeting…"),
            "addMeetingButton",
            translate("demands.demands_tab", "Record a negotiation meeting"),
        )
        self.add_meeting_button.clicked.connect(self.add_meeting)
        self.meetings_table = _table(
            "meetingsTable",
            [
                translate("demands.demands_tab", "Date"),
                translate("demands.demands_tab", "Union side"),
                translate("demands.demands_tab", "Employer side"),
            ],
            2,
            translate("demands.demands_tab", "Negotiation meetings"),
        )
        self.meetings_table.itemSelectionChanged.connect(self._meeting_selected)
        self.meeting_text = QTextBrowser()
        self.meeting_text.setObjectName("meetingDetail")
        self.meeting_text.setAccessibleName(translate("demands.demands_tab", "The meeting chosen"))
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("meetingsSplitter")
        split.addWidget(self.meetings_table)
        split.addWidget(self.meeting_text)
        split.setSizes([180, 300])
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(_row(self.add_meeting_button))
        layout.addWidget(split, 1)
        return page

    def _surveys_page(self) -> QWidget:
        self.import_survey_button = _button(
            translate("demands.demands_tab", "Import survey…"),
            "importSurveyButton",
            translate("demands.demands_tab", "Read a member survey from a CSV file"),
        )
        self.import_survey_button.clicked.connect(self.import_survey)
        self.survey_box = QComboBox()
        self.survey_box.setObjectName("surveyBox")
        self.survey_box.setMinimumWidth(280)
        self.survey_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.survey_box.currentIndexChanged.connect(self._survey_chosen)
        self.survey_note = QLabel()
        self.survey_note.setObjectName("tabSubheading")
        self.survey_summary = SurveySummary()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(4, 0, 12, 4)
        inner_layout.addWidget(self.survey_summary)
        inner_layout.addStretch(1)
        scroll.setWidget(inner)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        shown = QLabel(translate("demands.demands_tab", "Survey:"))
        shown.setBuddy(self.survey_box)
        layout.addLayout(_row(shown, self.survey_box, self.import_survey_button, stretch_at=2))
        layout.addWidget(self.survey_note)
        layout.addWidget(scroll, 1)
        return page

    # -- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        lines = claim_lines(self.ctx.db)
        self._filling = True
        try:
            table = self.claims_table
            table.setRowCount(len(lines))
            selected_row = None
            for row, claim in enumerate(lines):
                table.setItem(row, 0, _cell(claim.reference, claim.id))
                table.setItem(row, 1, _cell(claim.title))
                table.setItem(row, 2, _cell(claim.employer))
                table.setItem(row, 3, _cell(word(CLAIM_STATUSES, claim.status)))
                if claim.id == self.claim_id:
                    selected_row = row
            if selected_row is None and lines:
                selected_row = 0
            if selected_row is not None:
                table.selectRow(selected_row)
        finally:
            self._filling = False
        # The list has no filter: no rows means no claims at all.
        self.claims_stack.setCurrentWidget(self.claims_table if lines else self.claims_empty)
        self.show_claim(lines[selected_row].id if selected_row is not None else None)

    def database_changed(self) -> None:
        self.claim_id = self._demand_id = self._survey_id = None
        self.refresh()

    def _claim_selected(self) -> None:
        if self._filling:
            return
        rows = self.claims_table.selectionModel().selectedRows()
        if rows:
            claim_id = self.claims_table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
            if claim_id != self.claim_id:
                self._demand_id = self._survey_id = None
            self.show_claim(int(claim_id))

    def select_claim(self, claim_id: int) -> None:
        self.claim_id = claim_id
        self.refresh()

    def show_claim(self, claim_id: int | None) -> None:
        self.claim_id = claim_id
        self.detail = None
        if claim_id is not None:
            try:
                self.detail = get_claim(self.ctx.db, claim_id)
            except KeyError:
                self.claim_id = None
        self.right.setCurrentIndex(1 if self.detail else 0)
        if self.detail is None:
            return
        detail = self.detail
        claim = detail.claim
        self.claim_title.setText(f"{claim.reference} · {claim.title}")
        facts = [detail.employer + (f", {detail.workplace}" if detail.workplace else "")]
        if claim.bargaining_unit:
            facts.append(claim.bargaining_unit)
        facts.append(word(CLAIM_STATUSES, claim.status))
        facts.append(
            translate("demands.demands_tab", "submitted {date}").format(
                date=short_date(claim.submitted_on)
            )
            if claim.submitted_on
            else translate("demands.demands_tab", "not submitted yet")
        )
        if claim.settle_by:
            facts.append(
                translate("demands.demands_tab", "aim to settle by {date}").format(
                    date=short_date(claim.settle_by)
                )
            )
        if claim.lead_reps:
            facts.append(
                translate("demands.demands_tab", "led by {reps}").format(reps=claim.lead_reps)
            )
        self.claim_facts.setText(" · ".join(facts))
        costed = sum(1 for d in detail.demands if d.cost is not None)
        self.total_label.setText(
            translate(
                "demands.demands_tab",
                "Total annual cost {total}  ({costed} of {count} demands costed)",
            ).format(total=detail.total_cost, costed=costed, count=len(detail.demands))
        )
        self._fill_demands()
        self._fill_meetings()
        self._fill_surveys()

    def _fill_demands(self) -> None:
        assert self.detail is not None
        demands = self.detail.demands
        self._filling = True
        try:
            table = self.demands_table
            table.setRowCount(len(demands))
            chosen = None
            for row, item in enumerate(demands):
                d = item.demand
                cost = (
                    str(item.cost.total)
                    if item.cost
                    else translate("demands.demands_tab", "not costed")
                )
                cells = (
                    _cell(str(row + 1), d.id, right=True),
                    _cell(d.title),
                    _cell(word(CATEGORIES, d.category)),
                    _cell(word(PRIORITIES, d.priority)),
                    _cell(word(DEMAND_STATUSES, d.status)),
                    _cell(cost, right=True),
                )
                for col, cell in enumerate(cells):
                    table.setItem(row, col, cell)
                if d.id == self._demand_id:
                    chosen = row
            if chosen is None and demands:
                chosen = 0
            table.clearSelection()
            if chosen is not None:
                table.selectRow(chosen)
                self._demand_id = demands[chosen].demand.id
            else:
                self._demand_id = None
        finally:
            self._filling = False
        self._show_demand()

    def selected_demand(self) -> DemandDetail | None:
        if self.detail is None or self._demand_id is None:
            return None
        return next((d for d in self.detail.demands if d.demand.id == self._demand_id), None)

    def _demand_selected(self) -> None:
        if self._filling:
            return
        rows = self.demands_table.selectionModel().selectedRows()
        if rows:
            item = self.demands_table.item(rows[0].row(), 0)
            self._demand_id = int(item.data(Qt.ItemDataRole.UserRole))
        self._show_demand()

    def _show_demand(self) -> None:
        chosen = self.selected_demand()
        demands = self.detail.demands if self.detail else ()
        index = demands.index(chosen) if chosen is not None else -1
        for button in (self.edit_demand_button, self.status_button, self.add_evidence_button):
            button.setEnabled(chosen is not None)
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(0 <= index < len(demands) - 1)
        self.evidence_list.clear()
        if chosen is None:
            self.demand_text.setHtml(
                "<p style='color: gray'>"
                + html.escape(
                    translate("demands.demands_tab", "Add the claim's demands with Add demand…")
                )
                + "</p>"
                if not demands
                else ""
            )
            return
        d = chosen.demand
        parts = [f"<h3 style='margin: 0 0 4px 0'>{index + 1}. {html.escape(d.title)}</h3>"]
        about = translate(
            "demands.demands_tab", "{heading} · {priority} priority · {status}"
        ).format(
            heading=word(CATEGORIES, d.category),
            priority=word(PRIORITIES, d.priority),
            status=word(DEMAND_STATUSES, d.status),
        )
        parts.append(f"<p style='color: gray; margin: 0'>{html.escape(about)}</p>")
        parts.append(_section(translate("demands.demands_tab", "The case for it")))
        parts.append(_paragraphs(d.case_for, translate("demands.demands_tab", "Not written yet.")))
        parts.append(_section(translate("demands.demands_tab", "Costing")))
        if chosen.cost is None:
            parts.append(_paragraphs("", translate("demands.demands_tab", "Not costed.")))
        else:
            a_year = translate("demands.demands_tab", "{total} a year").format(
                total=chosen.cost.total
            )
            parts.append(f"<p style='margin: 0 0 4px 0'><b>{html.escape(a_year)}</b></p>")
            parts.append(
                "<ul style='margin: 0'>"
                + "".join(f"<li>{html.escape(s)}</li>" for s in chosen.cost.steps)
                + "</ul>"
            )
        parts.append(_section(translate("demands.demands_tab", "The employer's response")))
        parts.append(
            _paragraphs(d.employer_response, translate("demands.demands_tab", "No response yet."))
        )
        if chosen.history:
            parts.append(_section(translate("demands.demands_tab", "History")))
            for change in chosen.history:
                to = word(DEMAND_STATUSES, change.to_status)
                note = f": {html.escape(change.note)}" if change.note else ""
                who = f" ({html.escape(change.officer)})" if change.officer else ""
                parts.append(
                    f"<p style='margin: 0'>{short_date(change.changed_on)} — {to}{who}{note}</p>"
                )
        self.demand_text.setHtml("".join(parts))
        surveys = {s.id: s.name for s in self.detail.surveys} if self.detail else {}
        for evidence in chosen.evidence:
            text = f"{word(EVIDENCE_KINDS, evidence.kind)}: {evidence.title}"
            if evidence.survey_id is not None:
                text += translate("demands.demands_tab", " ({survey}, Q{question})").format(
                    survey=surveys.get(
                        evidence.survey_id, translate("demands.demands_tab", "survey")
                    ),
                    question=evidence.question,
                )
            if evidence.detail:
                text += f"\n{evidence.detail}"
            if evidence.source:
                text += "\n" + translate("demands.demands_tab", "Source: {source}").format(
                    source=evidence.source
                )
            item = QListWidgetItem(text)
            item.setToolTip(text)
            self.evidence_list.addItem(item)
        if not chosen.evidence:
            empty = QListWidgetItem(translate("demands.demands_tab", "No evidence yet."))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.evidence_list.addItem(empty)

    def _fill_meetings(self) -> None:
        assert self.detail is not None
        meetings = self.detail.meetings
        table = self.meetings_table
        self._filling = True
        try:
            table.setRowCount(len(meetings))
            for row, meeting in enumerate(meetings):
                table.setItem(row, 0, _cell(short_date(meeting.held_on), meeting.id))
                table.setItem(row, 1, _cell(meeting.union_side))
                table.setItem(row, 2, _cell(meeting.employer_side))
            if meetings:
                table.selectRow(len(meetings) - 1)
        finally:
            self._filling = False
        self._meeting_selected()

    def _meeting_selected(self) -> None:
        if self._filling or self.detail is None:
            return
        rows = self.meetings_table.selectionModel().selectedRows()
        if not rows:
            self.meeting_text.setHtml(
                "<p style='color: gray'>"
                + html.escape(
                    translate(
                        "demands.demands_tab", "No meetings yet: record one with Add meeting…"
                    )
                )
                + "</p>"
            )
            return
        meeting = self.detail.meetings[rows[0].row()]
        held = translate("demands.demands_tab", "Meeting on {date}").format(
            date=short_date(meeting.held_on)
        )
        parts = [f"<h3 style='margin: 0'>{html.escape(held)}</h3>"]
        for title, text in (
            (translate("demands.demands_tab", "Union side"), meeting.union_side),
            (translate("demands.demands_tab", "Employer side"), meeting.employer_side),
            (translate("demands.demands_tab", "Notes"), meeting.notes),
            (translate("demands.demands_tab", "The union put forward"), meeting.union_proposals),
            (
                translate("demands.demands_tab", "The employer put forward"),
                meeting.employer_proposals,
            ),
            (translate("demands.demands_tab", "Actions"), meeting.actions),
        ):
            if text.strip():
                parts.append(_section(title))
                parts.append(_paragraphs(text, ""))
        self.meeting_text.setHtml("".join(parts))

    def _fill_surveys(self) -> None:
        assert self.detail is not None
        surveys = self.detail.surveys
        self._filling = True
        try:
            self.survey_box.clear()
            for survey in surveys:
                self.survey_box.addItem(
                    translate(
                        "demands.demands_tab", "{name} ({count} responses, imported {date})"
                    ).format(
                        name=survey.name,
                        count=f"{survey.respondents:,}",
                        date=short_date(survey.imported_on),
                    ),
                    survey.id,
                )
            index = self.survey_box.findData(self._survey_id)
            if index < 0 and surveys:
                index = len(surveys) - 1
            self.survey_box.setCurrentIndex(index)
        finally:
            self._filling = False
        self.survey_box.setEnabled(bool(surveys))
        self._survey_chosen()

    def _survey_chosen(self) -> None:
        if self._filling:
            return
        survey_id = self.survey_box.currentData()
        if survey_id is None:
            self._survey_id = None
            self.survey_summary.clear()
            self.survey_note.setText(
                translate(
                    "demands.demands_tab",
                    "No surveys yet. Import a survey of members from a CSV file: one row per "
                    "respondent, one column per question.",
                )
            )
            return
        self._survey_id = int(survey_id)
        try:
            survey = load_survey(self.ctx.db, self._survey_id)
        except KeyError:
            self.survey_summary.clear()
            return
        self.survey_note.setText(
            translate("demands.demands_tab", "{count} respondents").format(
                count=f"{survey.respondents:,}"
            )
        )
        self.survey_summary.show_survey(survey)

    # -- doing ---------------------------------------------------------------------------------

    def _run(self, dialog: QDialog) -> bool:
        try:
            accepted = self.ctx.dialogs.run_dialog(dialog)
        finally:
            dialog.deleteLater()
        if accepted or getattr(dialog, "stale", False):
            self.refresh()
        return accepted

    def new_claim(self) -> None:
        dialog = ClaimDialog(self.ctx, parent=self)
        if self._run(dialog) and dialog.reference:
            from branchdesk.demands.service import claim_id_by_reference

            claim_id = claim_id_by_reference(self.ctx.db, dialog.reference)
            if claim_id is not None:
                self._demand_id = self._survey_id = None
                self.select_claim(claim_id)

    def edit_claim(self) -> None:
        if self.detail is None:
            return
        detail = self.detail
        self._run(ClaimDialog(self.ctx, detail.claim, detail.employer, detail.workplace, self))

    def add_demand(self) -> None:
        if self.claim_id is None:
            return
        dialog = DemandDialog(self.ctx, self.claim_id, parent=self)
        if self.ctx.dialogs.run_dialog(dialog):
            self._demand_id = dialog.demand_id
        dialog.deleteLater()
        self.refresh()

    def edit_demand(self) -> None:
        chosen = self.selected_demand()
        if chosen is None or self.claim_id is None:
            return
        self._run(DemandDialog(self.ctx, self.claim_id, chosen.demand, self))

    def set_status(self) -> None:
        chosen = self.selected_demand()
        if chosen is not None:
            self._run(StatusDialog(self.ctx, chosen.demand, self))

    def move(self, step: int) -> None:
        chosen = self.selected_demand()
        if chosen is None or self.detail is None:
            return
        position = self.detail.demands.index(chosen) + 1 + step
        demand_id = chosen.demand.id
        if save_with_care(
            self.ctx, self, lambda: move_demand(self.ctx.db, demand_id, position), None, None
        ):
            self.ctx.changed(DEMANDS)
        self.refresh()

    def add_evidence(self) -> None:
        chosen = self.selected_demand()
        if chosen is not None and self.detail is not None:
            self._run(EvidenceDialog(self.ctx, chosen.demand, self.detail.surveys, self))

    def add_meeting(self) -> None:
        if self.claim_id is not None:
            self._run(MeetingDialog(self.ctx, self.claim_id, self))

    # -- surveys -------------------------------------------------------------------------------

    def import_survey(self) -> None:
        if self.claim_id is None:
            return
        path = self.ctx.dialogs.open_file(
            self,
            translate("demands.demands_tab", "Import a member survey"),
            translate("demands.demands_tab", "CSV files (*.csv *.txt);;All files (*)"),
        )
        if path is None:
            return
        claim_id = self.claim_id
        self.import_survey_button.setEnabled(False)
        self.ctx.worker.run(
            lambda: check_survey(path),
            on_done=lambda survey: self._preview_survey(claim_id, survey),
            on_error=lambda exc: self._failed(
                translate("demands.demands_tab", "The survey could not be read"), exc
            ),
        )

    def _preview_survey(self, claim_id: int, survey: SurveyFile) -> None:
        self.import_survey_button.setEnabled(True)
        dialog = SurveyPreviewDialog(survey, self)
        try:
            accepted = self.ctx.dialogs.run_dialog(dialog)
            name = dialog.name
        finally:
            dialog.deleteLater()
        if not accepted or not survey.ok:
            return
        db = self.ctx.db
        self.import_survey_button.setEnabled(False)
        self.ctx.worker.run(
            lambda: store_survey(db, claim_id, name, survey),
            on_done=lambda survey_id: self._survey_stored(claim_id, survey_id),
            on_error=lambda exc: self._failed(
                translate("demands.demands_tab", "The survey was not imported"), exc
            ),
        )

    def _survey_stored(self, claim_id: int, survey_id: int) -> None:
        self.import_survey_button.setEnabled(True)
        if self.claim_id == claim_id:
            self._survey_id = survey_id
            self.pages.setCurrentIndex(2)
        self.ctx.changed(DEMANDS)
        self.refresh()

    def _failed(self, title: str, exc: object) -> None:
        self.import_survey_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.ctx.dialogs.error(self, title, str(exc) or type(exc).__name__)

    # -- the negotiation pack ------------------------------------------------------------------

    def export_pack(self) -> None:
        if self.detail is None:
            return
        claim = self.detail.claim
        path = self.ctx.dialogs.save_file(
            self,
            translate("demands.demands_tab", "Export the negotiation pack"),
            translate("demands.demands_tab", "{reference} negotiation pack.pdf").format(
                reference=claim.reference
            ),
            translate("demands.demands_tab", PACK_FILTER),
        )
        if path is None:
            return
        if path.suffix.lower() not in (".pdf", ".xlsx"):
            self.ctx.dialogs.error(
                self,
                translate("demands.demands_tab", "Not exported"),
                translate(
                    "demands.demands_tab",
                    "The pack can be written as a PDF (.pdf) or a spreadsheet (.xlsx): "
                    "choose a name ending in one of those.",
                ),
            )
            return
        from branchdesk.demands.reports import export_claim_pack  # reportlab, when asked

        db, claim_id = self.ctx.db, claim.id
        branch = str(self.ctx.preferences.branch_name)
        today = date.today()
        self.export_button.setEnabled(False)

        def run() -> None:
            export_claim_pack(db, claim_id, path, branch, today)
            record_export(db, "claim", path, record_id=claim_id)

        self.ctx.worker.run(
            run,
            on_done=lambda _result: self._exported(path),
            on_error=lambda exc: self._failed(
                translate("demands.demands_tab", "The pack was not exported"), exc
            ),
        )

    def _exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.ctx.dialogs.info(
            self,
            translate("demands.demands_tab", "Negotiation pack exported"),
            translate("demands.demands_tab", "The pack was written to {path}").format(path=path),
        )
