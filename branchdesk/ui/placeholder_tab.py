"""A page for a register not built yet: says plainly that it is coming and what it will hold."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget


@dataclass(frozen=True)
class PlannedRegister:
    title: str
    summary: str
    holds: tuple[str, ...]


DEMANDS = PlannedRegister(
    "Negotiating demands",
    "The negotiating demands register is on its way. It will keep your branch's claims to "
    "each employer, and print them as a negotiation pack you can hand across the table.",
    (
        "Claims to an employer, each made of demands: pay, hours, learning, health and safety, "
        "no compulsory redundancies, no privatisation",
        "The reasons for every demand, with evidence and members' survey figures",
        "Costings, the employer's response and where each demand stands",
        "A negotiation pack as a PDF, and the same as a spreadsheet",
    ),
)
OUTSOURCING = PlannedRegister(
    "Outsourcing watch",
    "The outsourcing watch is on its way. It will keep track of council services that are "
    "contracted out, or at risk of it, so you can see the insourcing window coming.",
    (
        "Contracted-out services: the authority, the contractor, the value and the dates",
        "Break clauses, end dates and staff transferred under TUPE",
        "Contracts imported from Contracts Finder",
        "Contracts ending soon: the insourcing window, as a briefing PDF or a spreadsheet",
    ),
)
HARDSHIP = PlannedRegister(
    "Hardship fund",
    "The hardship fund register is on its way. It will let your treasurer account for every "
    "pound of a strike hardship fund.",
    (
        "Donations in, and claims from members with their approvals and payments out",
        "An append-only ledger with a running balance: mistakes are put right by a reversing "
        "entry, never by editing",
        "Bank statement import and reconciliation",
        "The treasurer's ledger as a spreadsheet, and an income and expenditure statement",
    ),
)


class PlaceholderTab(QWidget):
    def __init__(self, planned: PlannedRegister, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.planned = planned

        title = QLabel(planned.title)
        title.setObjectName("placeholderTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        badge = QLabel("Coming soon")
        badge.setObjectName("placeholderBadge")

        summary = QLabel(planned.summary)
        summary.setObjectName("placeholderText")
        summary.setWordWrap(True)
        summary.setAlignment(Qt.AlignmentFlag.AlignCenter)

        holds_title = QLabel("It will hold:")
        holds_title.setObjectName("placeholderHeading")
        holds = QGridLayout()
        holds.setHorizontalSpacing(10)
        holds.setVerticalSpacing(8)
        holds.setColumnStretch(1, 1)
        for row, item in enumerate(planned.holds):
            bullet = QLabel("•")
            bullet.setObjectName("placeholderText")
            text = QLabel(item)
            text.setObjectName("placeholderText")
            text.setWordWrap(True)
            holds.addWidget(bullet, row, 0, Qt.AlignmentFlag.AlignTop)
            holds.addWidget(text, row, 1)

        column = QWidget()
        column.setMaximumWidth(640)
        inner = QVBoxLayout(column)
        inner.setSpacing(14)
        inner.addWidget(title)
        inner.addWidget(badge, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(summary)
        inner.addSpacing(8)
        inner.addWidget(holds_title)
        inner.addLayout(holds)

        # Stretches either side centre the column without alignment flags, which would stop
        # the wrapped labels from getting the height they need.
        row_layout = QHBoxLayout()
        row_layout.addStretch(1)
        row_layout.addWidget(column, 4)
        row_layout.addStretch(1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        outer.addLayout(row_layout)
        outer.addStretch(2)

    def text(self) -> str:
        """All the words on the page (for tests and screen readers)."""
        return " ".join((self.planned.title, self.planned.summary, *self.planned.holds))
