"""The table model over a Listing: ids only, rows a page at a time, sorting done by the listing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from branchdesk.members.listing import MemberListing
from branchdesk.money import Money
from branchdesk.store.database import Database
from branchdesk.store.listing import Column
from branchdesk.ui.table_model import ID_ROLE, SORT_ROLE, ListingTableModel, display_text

pytestmark = pytest.mark.timeout(60)

DISPLAY = Qt.ItemDataRole.DisplayRole


class FakeListing:
    """An in-memory Listing that counts how it is asked."""

    columns: Sequence[Column] = (
        Column("name", "Name", "text", 20),
        Column("amount", "Amount", "money", 10),
        Column("count", "Count", "int", 6),
        Column("when", "When", "date", 10),
        Column("paid", "Paid", "bool", 5),
        Column("stamp", "Changed", "datetime", 16),
        Column("notes", "Notes", "text", 10, sortable=False),
    )

    def __init__(self, n: int) -> None:
        self.data: dict[int, tuple[Any, ...]] = {
            i: (
                f"Person {i:05d}",
                Money(i * 150 - 3000 if i != 7 else 2**40),
                i % 13,
                date(2020, 1, 1 + i % 28),
                i % 2 == 0,
                datetime(2024, 5, 6, 7, 8, tzinfo=UTC),
                None,
            )
            for i in range(1, n + 1)
        }
        self.ids_calls: list[tuple[str, str | None, bool]] = []
        self.rows_calls: list[list[int]] = []

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        self.ids_calls.append((search, sort_key, descending))
        found = [i for i, row in self.data.items() if search.lower() in row[0].lower()]
        if sort_key is not None:
            col = [c.key for c in self.columns].index(sort_key)
            found.sort(key=lambda i: (self.data[i][col], i), reverse=descending)
        return found

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        self.rows_calls.append(list(ids))
        return {i: self.data[i] for i in ids if i in self.data}


def test_model_passes_qt_model_tester(qtmodeltester: Any) -> None:
    model = ListingTableModel(FakeListing(450))
    qtmodeltester.check(model, force_py=True)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    model.set_search("Person 001")
    model.refresh()
    qtmodeltester.check(model, force_py=True)


def test_model_over_real_member_listing_passes_model_tester(
    qtmodeltester: Any, db: Database
) -> None:
    model = ListingTableModel(MemberListing(db))
    assert model.rowCount() == 4
    qtmodeltester.check(model, force_py=True)
    model.sort(model.column_index("date_joined"), Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_holds_ids_and_fetches_rows_a_page_at_a_time() -> None:
    listing = FakeListing(1000)
    model = ListingTableModel(listing)
    assert model.rowCount() == 1000 and model.columnCount() == 7
    assert listing.rows_calls == []  # nothing read until something is shown
    assert model.data(model.index(0, 0)) == "Person 00001"
    assert model.data(model.index(199, 0)) == "Person 00200"
    assert len(listing.rows_calls) == 1 and len(listing.rows_calls[0]) == model.PAGE_SIZE
    assert model.data(model.index(999, 0)) == "Person 01000"
    assert len(listing.rows_calls) == 2
    model.data(model.index(5, 2))  # a cached page: no query
    assert len(listing.rows_calls) == 2


def test_page_cache_is_bounded_and_least_recently_used_goes_first() -> None:
    listing = FakeListing(ListingTableModel.PAGE_SIZE * (ListingTableModel.CACHE_PAGES + 2))
    model = ListingTableModel(listing)
    page = model.PAGE_SIZE
    for p in range(model.CACHE_PAGES + 1):
        model.data(model.index(p * page, 0))
    assert len(model._pages) == model.CACHE_PAGES  # page 0 was dropped
    fetched = model.fetches
    model.data(model.index(page, 0))  # page 1 still cached
    assert model.fetches == fetched
    model.data(model.index(0, 0))  # page 0 read again
    assert model.fetches == fetched + 1


def test_display_formats_and_alignment() -> None:
    model = ListingTableModel(FakeListing(30))
    row = 1  # id 2
    assert model.data(model.index(row, 1)) == "-£27.00"
    assert model.data(model.index(row, 3)) == "03/01/2020"
    assert model.data(model.index(row, 4)) == "Yes"
    assert model.data(model.index(0, 4)) == "No"
    assert model.data(model.index(row, 6)) == ""
    assert model.data(model.index(row, 5)).startswith("06/05/2024 ")
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert model.data(model.index(row, 1), Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.data(model.index(row, 2), Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.data(model.index(row, 0), Qt.ItemDataRole.TextAlignmentRole) != right
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Amount"
    assert model.data(model.index(row, 0), ID_ROLE) == 2
    assert model.id_at(row) == 2


def test_sort_role_gives_real_values_not_text() -> None:
    model = ListingTableModel(FakeListing(30))
    assert model.data(model.index(1, 1), SORT_ROLE) == -2700  # pence
    assert model.data(model.index(6, 1), SORT_ROLE) == 2**40  # past Qt's 32-bit ints
    assert model.data(model.index(1, 2), SORT_ROLE) == 2
    assert model.data(model.index(1, 4), SORT_ROLE) is True
    when = model.data(model.index(1, 3), SORT_ROLE)
    assert when in (date(2020, 1, 3),) or when.toPython() == date(2020, 1, 3)


def test_display_text_helper() -> None:
    assert display_text(None, "text") == ""
    assert display_text(Money(123456), "money") == "£1,234.56"
    assert display_text(123456, "money") == "£1,234.56"
    assert display_text(False, "bool") == "No"
    assert display_text(date(2024, 2, 29), "date") == "29/02/2024"


def test_sort_asks_the_listing_and_keeps_selection_on_the_same_id() -> None:
    listing = FakeListing(50)
    model = ListingTableModel(listing)
    kept = QPersistentModelIndex(model.index(0, 0))  # id 1, "Person 00001"
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert listing.ids_calls[-1] == ("", "amount", True)
    assert model.id_at(0) == 7  # the 2**40 pence row
    assert model.sort_column == 1 and model.sort_order == Qt.SortOrder.DescendingOrder
    assert kept.isValid() and model.id_at(kept.row()) == 1
    calls = len(listing.ids_calls)
    model.sort(6, Qt.SortOrder.AscendingOrder)  # not sortable: ignored
    assert len(listing.ids_calls) == calls


def test_search_and_refresh_keep_sort_and_search() -> None:
    listing = FakeListing(300)
    model = ListingTableModel(listing)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    model.set_search("  person 0002 ")
    assert listing.ids_calls[-1] == ("person 0002", "count", False)
    assert model.rowCount() == 10
    listing.data[999] = ("Person 00029", Money(1), 1, date(2020, 1, 1), True, None, None)
    model.refresh()
    assert listing.ids_calls[-1] == ("person 0002", "count", False)
    assert model.rowCount() == 11
    assert model.row_of(999) is not None


def test_row_deleted_since_ids_were_read_shows_blank() -> None:
    listing = FakeListing(5)
    model = ListingTableModel(listing)
    del listing.data[3]
    assert model.data(model.index(2, 0)) == ""
    assert model.data(model.index(2, 1), SORT_ROLE) is None
    assert model.data(model.index(3, 0)) == "Person 00004"
