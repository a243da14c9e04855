"""A Qt table model over a `Listing`: it holds ids, and fetches rows a page at a time.

The database does the searching and sorting (`listing.ids`); the model keeps only the ordered
ids, and reads the rows of the page being painted (`listing.rows`) into a small LRU cache. A
200,000-member register therefore opens as fast as a 20-member one, and never sits in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from branchdesk.money import Money
from branchdesk.store.listing import Column, Listing

# The real value of a cell (a date, pence as int, a bool), for sorting and for code that reads
# the table; never the display text.
SORT_ROLE = Qt.ItemDataRole.UserRole
# The database id of the row, on every cell.
ID_ROLE = Qt.ItemDataRole.UserRole + 1

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter

AnyIndex = QModelIndex | QPersistentModelIndex


def display_text(value: Any, kind: str) -> str:
    """How a value looks in a table cell: the UK formats people expect."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        # Stored in UTC; shown in the local time of the PC looking at it.
        local = value.astimezone() if value.tzinfo else value
        return local.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if kind == "money" and isinstance(value, int):
        return Money(value).format()
    return str(value)


def _real_value(value: Any) -> Any:
    # Money has no Qt type: pence as an int sort and compare correctly, even past 2**31.
    if isinstance(value, Money):
        return value.pence
    return value


class ListingTableModel(QAbstractTableModel):
    PAGE_SIZE = 200
    CACHE_PAGES = 16

    def __init__(self, listing: Listing, parent: Any = None) -> None:
        super().__init__(parent)
        self._listing = listing
        self._columns: list[Column] = list(listing.columns)
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[tuple[Any, ...] | None]] = OrderedDict()
        self._search = ""
        self._sort_column = -1
        self._descending = False
        self.fetches = 0  # how many pages were read from the database (for tests)
        self._load_ids()

    # -- what the model shows ------------------------------------------------------------------

    @property
    def listing(self) -> Listing:
        return self._listing

    @property
    def columns(self) -> Sequence[Column]:
        return self._columns

    @property
    def search(self) -> str:
        return self._search

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    def column_index(self, key: str) -> int:
        for i, column in enumerate(self._columns):
            if column.key == key:
                return i
        raise KeyError(key)

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, item_id: int) -> int | None:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return None

    def ids(self) -> list[int]:
        return list(self._ids)

    # -- changing what is shown ----------------------------------------------------------------

    def set_listing(self, listing: Listing) -> None:
        """Show another listing (another database) with the same search and sort."""
        self.beginResetModel()
        self._listing = listing
        self._columns = list(listing.columns)
        if self._sort_column >= len(self._columns):
            self._sort_column = -1
        self._load_ids()
        self.endResetModel()

    def set_search(self, text: str) -> None:
        text = text.strip()
        if text == self._search:
            return
        self.beginResetModel()
        self._search = text
        self._load_ids()
        self.endResetModel()

    def refresh(self) -> None:
        """Read the ids and rows again (after a save or an import), keeping search and sort."""
        self.beginResetModel()
        self._load_ids()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= len(self._columns) or (column >= 0 and not self._columns[column].sortable):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self._sort_column and descending == self._descending:
            return
        # A re-ordering of the same rows: keep selections and the current row on their ids.
        self.layoutAboutToBeChanged.emit()
        old_ids = self._ids
        persistent = self.persistentIndexList()
        self._sort_column = column
        self._descending = descending
        self._load_ids()
        new_rows = {item_id: row for row, item_id in enumerate(self._ids)}
        moved_from, moved_to = [], []
        for index in persistent:
            row = index.row()
            target = new_rows.get(old_ids[row]) if 0 <= row < len(old_ids) else None
            moved_from.append(QModelIndex(index))
            moved_to.append(
                self.index(target, index.column()) if target is not None else QModelIndex()
            )
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def _load_ids(self) -> None:
        sort_key = self._columns[self._sort_column].key if self._sort_column >= 0 else None
        self._ids = list(self._listing.ids(self._search, sort_key, self._descending))
        self._pages.clear()

    # -- fetching rows -------------------------------------------------------------------------

    def _row_values(self, row: int) -> tuple[Any, ...] | None:
        page_number, offset = divmod(row, self.PAGE_SIZE)
        page = self._pages.get(page_number)
        if page is None:
            start = page_number * self.PAGE_SIZE
            page_ids = self._ids[start : start + self.PAGE_SIZE]
            fetched = self._listing.rows(page_ids)
            self.fetches += 1
            # A row deleted since the ids were read comes back as None and shows blank.
            page = [fetched.get(item_id) for item_id in page_ids]
            self._pages[page_number] = page
            while len(self._pages) > self.CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[offset] if offset < len(page) else None

    # -- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._ids) and 0 <= col < len(self._columns)):
            return None
        column = self._columns[col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in ("money", "int"):
                return _RIGHT
            return _CENTRE if column.kind == "bool" else _LEFT
        if role == ID_ROLE:
            return self._ids[row]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE):
            return None
        values = self._row_values(row)
        value = values[col] if values is not None and col < len(values) else None
        if role == SORT_ROLE:
            return _real_value(value)
        text = display_text(value, column.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            # Long text is cut off by the column; the tooltip shows all of it.
            return text if len(text) > (column.width or 20) else None
        return text

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.kind in ("money", "int") else _LEFT
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | (Qt.ItemFlag.ItemNeverHasChildren)
        )
