"""A Qt table model over a `Listing`: it holds ids, and fetches rows a page at a time.

The database does the searching and sorting (`listing.ids`); the model keeps only the ordered
ids, and reads the rows of the page being painted (`listing.rows`) into a small LRU cache. A
200,000-member register therefore opens as fast as a 20-member one, and never sits in memory.

Searching or sorting 200,000 rows takes the database most of a second, so given a `runner`
(the app's background worker) the model asks for the ids off the GUI thread. Until they come
the previous rows stay on screen; a newer search or sort wins over an older one still running
(each request has a generation number, and a late answer to an old one is dropped). Without a
runner everything happens at once, as tests and the model tester like.

Rows are read while the table paints, where an error must neither escape nor open a dialog: a
page that cannot be read (the database locked by another program, the file gone) shows blank,
`load_failed` says why once, and the page is read again a moment later.

Column headings come with the listing, from modules that cannot use Qt's translator; the tab that
shows a listing hands the model its translated headings with `set_headers` (keyed by column key),
and a heading it does not give is shown as the listing has it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from branchdesk.money import Money
from branchdesk.store.errors import AccessDenied, StoreError
from branchdesk.store.listing import Column, Listing
from branchdesk.ui.i18n import translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.worker import report_unhandled

log = logging.getLogger(__name__)

# The real value of a cell (a date, pence as int, a bool), for sorting and for code that reads
# the table; never the display text.
SORT_ROLE = Qt.ItemDataRole.UserRole
# The database id of the row, on every cell.
ID_ROLE = Qt.ItemDataRole.UserRole + 1

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter

AnyIndex = QModelIndex | QPersistentModelIndex

# Runs `fn` off the GUI thread, then calls `on_done(result)` or `on_error(exc)` on it.
Runner = Callable[
    [Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], object
]

# What reading a list can fail with when the database, not the code, is at fault.
READ_ERRORS = (SQLAlchemyError, StoreError, OSError)


def read_error_text(exc: BaseException) -> str:
    """Why a read failed, in a few words fit for a user ("database is locked")."""
    if isinstance(exc, DBAPIError):
        text = str(exc.orig)  # the driver's own words; the SQL and its values stay out
    elif isinstance(exc, StoreError):
        text = str(exc)
    elif isinstance(exc, OSError):
        text = exc.strerror or type(exc).__name__
    else:
        text = translate("table_model", "the database gave an unexpected error")
    return text.strip().rstrip(".") or type(exc).__name__


def _single_shot(parent: QObject, msecs: int, slot: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(msecs)
    timer.timeout.connect(slot)
    return timer


def display_text(value: Any, kind: str) -> str:
    """How a value looks in a table cell: the UK formats people expect."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return value.format()
    if isinstance(value, bool):
        return translate("table_model", "Yes") if value else translate("table_model", "No")
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
    RETRY_MS = 1000

    # New ids are showing (after a search, sort or refresh); the selection can be put back.
    ids_loaded = Signal()
    # Reading failed: why, fit to show a user. Emitted once until reading works again.
    load_failed = Signal(str)
    load_recovered = Signal()

    def __init__(self, listing: Listing, parent: Any = None, runner: Runner | None = None) -> None:
        super().__init__(parent)
        self._listing = listing
        self._runner = runner
        self._columns: list[Column] = list(listing.columns)
        self._headers: dict[str, str] = {}  # translated headings, by column key
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[tuple[Any, ...] | None]] = OrderedDict()
        self._failed_pages: set[int] = set()
        self._search = ""
        self._sort_column = -1
        self._descending = False
        self._generation = 0  # of the latest request for ids; older answers are dropped
        self._loading = False
        self._loaded = False  # ids of this listing have arrived at least once
        self._failing = False
        self.fetches = 0  # how many pages were read from the database (for tests)
        self._retry_ids = _single_shot(self, self.RETRY_MS, self._request_ids)
        self._retry_rows = _single_shot(self, self.RETRY_MS, self._retry_failed_pages)
        self._request_ids()

    # -- what the model shows ------------------------------------------------------------------

    @property
    def listing(self) -> Listing:
        return self._listing

    @property
    def columns(self) -> Sequence[Column]:
        return self._columns

    @property
    def search(self) -> str:
        """The search asked for (the rows showing may still be those of the one before)."""
        return self._search

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    @property
    def loading(self) -> bool:
        """Ids for the latest search or sort are still to come."""
        return self._loading

    @property
    def loaded(self) -> bool:
        """Some ids of this listing are showing (False only before the first arrive)."""
        return self._loaded

    def set_headers(self, headers: Mapping[str, str]) -> None:
        """Show these (translated) headings for the columns with these keys."""
        self._headers = dict(headers)
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)

    def header_text(self, section: int) -> str:
        """The heading shown over column `section`."""
        column = self._columns[section]
        return self._headers.get(column.key, column.header)

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
        # The old rows belong to the old database: clear them now rather than show them on.
        self.beginResetModel()
        self._listing = listing
        self._columns = list(listing.columns)
        if self._sort_column >= len(self._columns):
            self._sort_column = -1
        self._ids = []
        self._clear_pages()
        self._loaded = False
        self.endResetModel()
        self._request_ids()

    def set_search(self, text: str) -> None:
        text = text.strip()
        if text == self._search:
            return
        self._search = text
        self._request_ids()

    def refresh(self) -> None:
        """Read the ids and rows again (after a save or an import), keeping search and sort."""
        self._request_ids()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= len(self._columns) or (column >= 0 and not self._columns[column].sortable):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self._sort_column and descending == self._descending:
            return
        self._sort_column = column
        self._descending = descending
        self._request_ids()

    # -- fetching ids --------------------------------------------------------------------------

    def _request_ids(self) -> None:
        self._retry_ids.stop()
        self._generation += 1
        generation = self._generation
        listing, search, descending = self._listing, self._search, self._descending
        sort_key = self._columns[self._sort_column].key if self._sort_column >= 0 else None

        def fetch() -> list[int] | None:
            if generation != self._generation:
                return None  # overtaken while it waited for a thread: skip the query
            return list(listing.ids(search, sort_key, descending))

        self._loading = True
        if self._runner is not None:
            self._runner(
                fetch,
                lambda ids: self._ids_arrived(generation, ids),
                lambda exc: self._ids_failed(generation, exc),
            )
            return
        try:
            ids = fetch()
        except READ_ERRORS as exc:
            self._ids_failed(generation, exc)
        else:
            self._ids_arrived(generation, ids)

    def _ids_arrived(self, generation: int, ids: list[int] | None) -> None:
        if not shiboken6.isValid(self):
            return  # the table was closed while the query ran
        if generation != self._generation or ids is None:
            return  # the answer to an older search or sort, overtaken by a newer one
        self._loading = False
        self._read_worked()
        self.beginResetModel()
        self._ids = ids
        self._clear_pages()
        self._loaded = True
        self.endResetModel()
        self.ids_loaded.emit()

    def _ids_failed(self, generation: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        if not isinstance(exc, READ_ERRORS):
            self._loading = False
            report_unhandled(exc)  # a bug, not the database: the exception hook shows it
            return
        # The previous rows stay on screen; the same search is asked again shortly, unless the
        # officer's role refused it (asking again would only add refusals to the audit log).
        self._read_failed(exc, "ids")
        if not isinstance(exc, AccessDenied):
            self._retry_ids.start()

    # -- fetching rows -------------------------------------------------------------------------

    def _row_values(self, row: int) -> tuple[Any, ...] | None:
        page_number, offset = divmod(row, self.PAGE_SIZE)
        page = self._pages.get(page_number)
        if page is None:
            start = page_number * self.PAGE_SIZE
            page_ids = self._ids[start : start + self.PAGE_SIZE]
            self.fetches += 1
            try:
                fetched = self._listing.rows(page_ids)
            except READ_ERRORS as exc:
                # Called while painting: never raise from here. Blank rows now, another try soon.
                fetched = {}
                self._failed_pages.add(page_number)
                first_id = page_ids[0] if page_ids else None
                self._read_failed(exc, f"rows of page {page_number} (first id {first_id})")
                if not isinstance(exc, AccessDenied):
                    self._retry_rows.start()
            else:
                self._read_worked()
            # A row deleted since the ids were read comes back as None and shows blank.
            page = [fetched.get(item_id) for item_id in page_ids]
            self._pages[page_number] = page
            while len(self._pages) > self.CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[offset] if offset < len(page) else None

    def _retry_failed_pages(self) -> None:
        # Forget the blank pages and tell the view they changed: it repaints the ones in
        # sight, and painting reads them again.
        last_column = len(self._columns) - 1
        for page_number in sorted(self._failed_pages):
            self._pages.pop(page_number, None)
            first = page_number * self.PAGE_SIZE
            last = min(first + self.PAGE_SIZE, len(self._ids)) - 1
            if first <= last and last_column >= 0:
                self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))
        self._failed_pages.clear()

    def _clear_pages(self) -> None:
        self._pages.clear()
        self._failed_pages.clear()

    # -- reporting read errors -----------------------------------------------------------------

    def _read_failed(self, exc: BaseException, what: str) -> None:
        if self._failing:
            return  # said once already; the retries go on quietly
        self._failing = True
        # Ids and the error's type only: never a value from the rows.
        log.warning("could not read the %s: %s", what, error_kind(exc))
        self.load_failed.emit(read_error_text(exc))

    def _read_worked(self) -> None:
        if self._failing:
            self._failing = False
            log.info("reading the list works again")
            self.load_recovered.emit()

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
            return self.header_text(section)
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
