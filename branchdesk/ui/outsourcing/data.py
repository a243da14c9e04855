"""What the Outsourcing watch tab reads: the watch list with the filter choices, one contract
with its events, and a table model of the watch list. No writes here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlalchemy import select

from branchdesk.casework.deadlines import add_months
from branchdesk.exports.text import short_date
from branchdesk.members.models import Employer
from branchdesk.money import Money
from branchdesk.outsourcing.codes import EVENT_KINDS, STATUSES, WATCHED
from branchdesk.outsourcing.models import Contract, ContractEvent, ContractSupplier
from branchdesk.outsourcing.queries import ContractLine, contract_lines
from branchdesk.outsourcing.service import contract_members
from branchdesk.store.database import Database
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.outsourcing.code_words import word

OUTSOURCING = "outsourcing"  # the register name saves and imports report

PASSED_BACKGROUND = "#fde8e6"
PASSED_TEXT = "#b42318"
SOON_BACKGROUND = "#fff4d6"
SOON_TEXT = "#7a4a00"


@dataclass
class WatchList:
    lines: list[ContractLine]
    authorities: list[str]
    contractors: list[str]


def read_watch_list(
    db: Database,
    today: date,
    notice_months: int,
    within_months: int | None,
    authority: str,
    contractor: str,
    status: str,
) -> WatchList:
    lines = contract_lines(
        db,
        today,
        notice_months,
        within_months=within_months,
        authority=authority,
        contractor=contractor,
        status=status,
    )
    with db.read() as session:
        authorities = list(
            session.scalars(
                select(Employer.name)
                .where(Employer.id.in_(select(Contract.authority_id)))
                .order_by(Employer.name)
            )
        )
        contractors = list(
            session.scalars(
                select(ContractSupplier.name).distinct().order_by(ContractSupplier.name)
            )
        )
    return WatchList(lines, authorities, contractors)


@dataclass
class EventLine:
    happened_on: date
    kind: str
    title: str
    detail: str


@dataclass
class ContractDetail:
    id: int
    version: int
    service: str
    authority: str
    contractors: list[str]
    title: str
    description: str
    status: str
    value: Money | None
    annual_value: Money | None
    currency: str
    start_on: date | None
    end_on: date | None
    max_end_on: date | None
    break_on: date | None
    critical_on: date | None
    tupe_staff: int | None
    transfer_on: date | None
    recognises_union: bool | None
    pay_notes: str
    notes: str
    ocid: str
    source_url: str
    import_warnings: str
    events: list[EventLine] = field(default_factory=list)
    # (member id, membership number, "Last, First"), sorted by name.
    members: list[tuple[int, str, str]] = field(default_factory=list)


def read_contract(db: Database, contract_id: int) -> ContractDetail | None:
    with db.read() as session:
        row = session.get(Contract, contract_id)
        if row is None:
            return None
        authority = ""
        if row.authority_id is not None:
            employer = session.get(Employer, row.authority_id)
            authority = employer.name if employer is not None else ""
        suppliers = list(
            session.scalars(
                select(ContractSupplier.name)
                .where(ContractSupplier.contract_id == contract_id)
                .order_by(ContractSupplier.position)
            )
        )
        events = [
            EventLine(e.happened_on, e.kind, e.title, e.detail)
            for e in session.scalars(
                select(ContractEvent)
                .where(ContractEvent.contract_id == contract_id)
                .order_by(ContractEvent.happened_on.desc(), ContractEvent.id.desc())
            )
        ]
        detail = ContractDetail(
            id=row.id,
            version=row.version,
            service=row.service,
            authority=authority,
            contractors=suppliers,
            title=row.title,
            description=row.description,
            status=row.status,
            value=row.value,
            annual_value=row.annual_value,
            currency=row.currency,
            start_on=row.start_on,
            end_on=row.end_on,
            max_end_on=row.max_end_on,
            break_on=row.break_on,
            critical_on=row.critical_on,
            tupe_staff=row.tupe_staff,
            transfer_on=row.transfer_on,
            recognises_union=row.recognises_union,
            pay_notes=row.pay_notes,
            notes=row.notes,
            ocid=row.ocid or "",
            source_url=row.source_url,
            import_warnings=row.import_warnings,
            events=events,
        )
    detail.members = contract_members(db, contract_id)
    return detail


def money_text(value: Money | None, currency: str = "GBP") -> str:
    if value is None:
        return ""
    if currency != "GBP":
        return f"{value.format(symbol=False)} {currency}"
    return value.format()


def event_word(kind: str) -> str:
    return word(EVENT_KINDS, kind)


def urgency(line: ContractLine, today: date) -> str:
    """'passed' (decision point gone, still watched), 'soon' (within 12 months) or ''."""
    if line.decision_on is None or line.status not in WATCHED:
        return ""
    if line.decision_on < today:
        return "passed"
    if line.decision_on <= add_months(today, 12):
        return "soon"
    return ""


COLUMNS = (
    QT_TRANSLATE_NOOP("outsourcing.data", "Service"),
    QT_TRANSLATE_NOOP("outsourcing.data", "Authority"),
    QT_TRANSLATE_NOOP("outsourcing.data", "Contractors"),
    QT_TRANSLATE_NOOP("outsourcing.data", "Status"),
    QT_TRANSLATE_NOOP("outsourcing.data", "End"),
    QT_TRANSLATE_NOOP("outsourcing.data", "Decision point"),
    QT_TRANSLATE_NOOP("outsourcing.data", "Value"),
)
DECISION_COLUMN = 5


def _sort_key(line: ContractLine, column: int) -> Any:
    if column == 0:
        return (0, (line.service or line.title).lower())
    if column == 1:
        return (0, line.authority.lower())
    if column == 2:
        return (0, ", ".join(line.contractors).lower())
    if column == 3:
        return (0, word(STATUSES, line.status))
    dated = {4: line.end_on, 5: line.decision_on}.get(column)
    if column in (4, 5):
        return (1, date.max) if dated is None else (0, dated)
    value = line.value.pence if line.value is not None else None
    return (1, 0) if value is None else (0, value)


class ContractTableModel(QAbstractTableModel):
    """The watch list, one ContractLine a row; sorted in the model (a few thousand rows)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.lines: list[ContractLine] = []
        self.today = date.today()
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_lines(self, lines: list[ContractLine], today: date) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.today = today
        if self._sort is not None:
            self._apply_sort(*self._sort)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return translate("outsourcing.data", COLUMNS[section])
        return None

    def row_of(self, contract_id: int) -> int:
        return next((n for n, line in enumerate(self.lines) if line.id == contract_id), -1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(line, column)
            if role == Qt.ItemDataRole.ToolTipRole and column == DECISION_COLUMN:
                state = urgency(line, self.today)
                if state == "passed":
                    return translate(
                        "outsourcing.data",
                        "{date}: the decision point has passed and the service is still out",
                    ).format(date=text)
                if state == "soon":
                    return translate(
                        "outsourcing.data", "{date}: within the next 12 months"
                    ).format(date=text)
            return text or None
        if role == Qt.ItemDataRole.UserRole:
            return line.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == DECISION_COLUMN and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            state = urgency(line, self.today)
            if not state:
                return None
            background = role == Qt.ItemDataRole.BackgroundRole
            colour = {
                "passed": PASSED_BACKGROUND if background else PASSED_TEXT,
                "soon": SOON_BACKGROUND if background else SOON_TEXT,
            }[state]
            return QBrush(QColor(colour))
        return None

    @staticmethod
    def _text(line: ContractLine, column: int) -> str:
        if column == 0:
            return line.service or line.title
        if column == 1:
            return line.authority
        if column == 2:
            return ", ".join(line.contractors)
        if column == 3:
            return word(STATUSES, line.status)
        if column == 4:
            return short_date(line.end_on)
        if column == 5:
            return short_date(line.decision_on)
        return money_text(line.value, line.currency)

    def clear_sort(self) -> None:
        """Back to the order the lines are given in (by decision point) at the next read."""
        self._sort = None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # A reset rather than a layout change: the tab selects the same contract again by id.
        self.beginResetModel()
        self._sort = (column, order)
        self._apply_sort(column, order)
        self.endResetModel()

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        # Empty values last either way round: sort the filled ones, then append the rest.
        keyed = [(_sort_key(line, column), line) for line in self.lines]
        filled = [pair for pair in keyed if pair[0][0] == 0]
        empty = [line for key, line in keyed if key[0] == 1]
        filled.sort(key=lambda pair: pair[0], reverse=order == Qt.SortOrder.DescendingOrder)
        self.lines = [line for _key, line in filled] + empty
