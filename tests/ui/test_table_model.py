"""The table model over a Listing: ids only, rows a page at a time, sorting done by the listing."""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from qt_checks import pseudo_translation
from sqlalchemy.exc import OperationalError

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


def test_the_tab_gives_translated_headings_and_yes_no_are_translated(qtbot: Any) -> None:
    model = ListingTableModel(FakeListing(3))
    changed: list[tuple[Any, int, int]] = []
    model.headerDataChanged.connect(lambda *args: changed.append(args))
    # The listing's headings come from modules without a translator: the tab hands its own.
    model.set_headers({"amount": "Montant"})
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Montant"
    assert model.header_text(0) == "Name"  # not given: as the listing has it
    assert changed == [(Qt.Orientation.Horizontal, 0, 6)]
    with pseudo_translation():
        assert model.data(model.index(1, 4)) == "[Yes]"
        assert display_text(False, "bool") == "[No]"


def test_sort_asks_the_listing_and_shows_the_new_order() -> None:
    listing = FakeListing(50)
    model = ListingTableModel(listing)
    loaded: list[bool] = []
    model.ids_loaded.connect(lambda: loaded.append(True))
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert listing.ids_calls[-1] == ("", "amount", True)
    assert model.id_at(0) == 7  # the 2**40 pence row
    assert model.sort_column == 1 and model.sort_order == Qt.SortOrder.DescendingOrder
    assert loaded == [True]  # the tab puts the selection back on its id then
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


class DeferredRunner:
    """Stands for the background worker, and lets a test say when each job finishes."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[[], Any], Callable[[Any], None], Callable[[Any], None]]] = []

    def __call__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.jobs.append((fn, on_done, on_error))

    def finish(self, n: int) -> None:
        fn, on_done, on_error = self.jobs[n]
        try:
            result = fn()
        except Exception as exc:
            on_error(exc)
        else:
            on_done(result)


def _names(model: ListingTableModel) -> list[str]:
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_with_a_runner_ids_are_fetched_by_it_and_old_rows_stay_until_they_come() -> None:
    listing = FakeListing(30)
    runner = DeferredRunner()
    model = ListingTableModel(listing, runner=runner)
    assert model.rowCount() == 0 and not model.loaded and model.loading
    runner.finish(0)
    assert model.rowCount() == 30 and model.loaded and not model.loading

    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(model.rowCount()))
    model.set_search("person 0001")
    assert listing.ids_calls[-1] == ("", None, False)  # nothing asked on the GUI thread
    # While the search runs the previous rows stay: no flash of an empty table.
    assert model.rowCount() == 30 and model.loading and model.search == "person 0001"
    assert model.data(model.index(29, 0)) == "Person 00030"
    runner.finish(1)
    assert resets == [10] and not model.loading
    assert _names(model)[0] == "Person 00010"


def test_an_older_search_answering_after_a_newer_one_is_dropped() -> None:
    listing = FakeListing(300)
    runner = DeferredRunner()
    model = ListingTableModel(listing, runner=runner)
    runner.finish(0)
    model.set_search("person 001")  # job 1: slow, say
    model.sort(0, Qt.SortOrder.DescendingOrder)  # job 2
    model.set_search("person 0002")  # job 3: the one the user wants
    runner.finish(3)
    assert _names(model) == [f"Person 000{n}" for n in range(29, 19, -1)]
    runner.finish(1)  # the old answers come in late...
    runner.finish(2)
    assert _names(model) == [f"Person 000{n}" for n in range(29, 19, -1)]  # ...and change nothing
    assert not model.loading


def test_a_search_overtaken_before_it_starts_never_asks_the_database() -> None:
    listing = FakeListing(30)
    runner = DeferredRunner()
    model = ListingTableModel(listing, runner=runner)
    model.set_search("1")
    model.set_search("2")
    runner.finish(0)
    runner.finish(1)
    assert listing.ids_calls == []
    runner.finish(2)
    assert listing.ids_calls == [("2", None, False)]


class LockedListing(FakeListing):
    """A listing whose database another program has locked, until `unlock`."""

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self.locked_rows = False
        self.locked_ids = False

    def ids(
        self, search: str = "", sort_key: str | None = None, descending: bool = False
    ) -> list[int]:
        if self.locked_ids:
            raise _locked()
        return super().ids(search, sort_key, descending)

    def rows(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if self.locked_rows:
            self.rows_calls.append(list(ids))
            raise _locked()
        return super().rows(ids)


def _locked() -> OperationalError:
    return OperationalError("SELECT …", {}, sqlite3.OperationalError("database is locked"))


def test_a_page_that_cannot_be_read_shows_blank_says_so_once_and_is_read_again(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ListingTableModel, "RETRY_MS", 50)
    listing = LockedListing(450)
    model = ListingTableModel(listing)
    failures: list[str] = []
    recovered: list[bool] = []
    changed: list[tuple[int, int]] = []
    model.load_failed.connect(failures.append)
    model.load_recovered.connect(lambda: recovered.append(True))
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    listing.locked_rows = True

    with caplog.at_level(logging.INFO, logger="branchdesk.ui.table_model"):
        # What painting does, over and over: no exception, blank cells.
        for _ in range(5):
            assert model.data(model.index(3, 0)) == ""
            assert model.data(model.index(3, 1), SORT_ROLE) is None
        assert len(listing.rows_calls) == 1  # not read again on every repaint
        assert failures == ["database is locked"]  # said once
        assert model.data(model.index(250, 0)) == ""  # another page fails too: said once still
        assert failures == ["database is locked"]

        # A moment later the blank pages are asked for again...
        qtbot.waitUntil(lambda: (0, 199) in changed and (200, 399) in changed, timeout=3000)
        assert model.data(model.index(3, 0)) == ""
        listing.locked_rows = False
        changed.clear()
        qtbot.waitUntil(lambda: (0, 199) in changed, timeout=3000)
        # ...and once the lock is gone they show, and the model says reading works again.
        assert model.data(model.index(3, 0)) == "Person 00004"
        assert recovered == [True]

    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert "rows of page 0 (first id 1)" in message and "OperationalError" in message
    assert "Person" not in caplog.text


def test_ids_that_cannot_be_read_keep_the_rows_shown_and_are_asked_again(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ListingTableModel, "RETRY_MS", 50)
    listing = LockedListing(30)
    model = ListingTableModel(listing)
    failures: list[str] = []
    model.load_failed.connect(failures.append)
    listing.locked_ids = True
    model.set_search("person 0001")
    assert failures == ["database is locked"]
    assert model.rowCount() == 30 and model.loading  # the rows shown before stay
    listing.locked_ids = False
    with qtbot.waitSignal(model.ids_loaded, timeout=3000):
        pass
    assert model.rowCount() == 10 and not model.loading


def test_a_bug_in_the_listing_still_reaches_the_exception_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooked: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: hooked.append(t))
    runner = DeferredRunner()
    listing = FakeListing(3)
    model = ListingTableModel(listing, runner=runner)
    listing.ids = lambda *a: [][1]  # type: ignore[method-assign]
    runner.finish(0)
    assert hooked == [IndexError] and model.rowCount() == 0
