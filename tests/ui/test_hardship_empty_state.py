"""The Hardship fund tab before anything is in it: each register says what to do first and links
to the guide, says so when a search or filter hides everything, and gives way to the list once
something is recorded. Also: every control has a name a screen reader reads, and the tab looks
right empty and full."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QTextEdit,
    QWidget,
)
from test_hardship_tab import DAY_ONE, approved_claim, donate, make_tab, new_fund
from ui_helpers import click, type_into

from branchdesk.hardship.claims import ClaimForm, create_claim, get_claim
from branchdesk.hardship.funds import strike_days
from branchdesk.money import Money
from branchdesk.store.database import Database
from branchdesk.ui.context import AppContext
from branchdesk.ui.hardship.claim_dialogs import ClaimDialog, DecideDialog
from branchdesk.ui.hardship.data import read_entry
from branchdesk.ui.hardship.donations_page import DonationDialog
from branchdesk.ui.hardship.fund_dialog import FundDialog, TakingPartDialog
from branchdesk.ui.hardship.hardship_tab import HardshipTab
from branchdesk.ui.hardship.ledger_page import EntryDialog, ReverseDialog, StatementPeriodDialog
from branchdesk.ui.hardship.reconcile_page import MappingDialog, UnmatchDialog

pytestmark = pytest.mark.timeout(60)

INPUTS = (
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QSpinBox,
    QDoubleSpinBox,
    QDateEdit,
    QCheckBox,
    QRadioButton,
    QSlider,
    QAbstractItemView,
)


@pytest.fixture
def guide_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[QWidget | None, str | None]]:
    """What the guide was asked to show, instead of opening it."""
    import branchdesk.ui.guide

    calls: list[tuple[QWidget | None, str | None]] = []
    monkeypatch.setattr(
        branchdesk.ui.guide,
        "show_guide",
        lambda parent, section=None: calls.append((parent, section)),
    )
    return calls


def follow_link(qtbot: Any, label: QLabel) -> None:
    """Click the link in `label`, as a person would (it is the only text in the label)."""
    assert label.isVisible()
    assert 'href="hardship"' in label.text()
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=label.rect().center())


def accessible_name(widget: QWidget) -> str:
    if isinstance(widget, QComboBox):
        # On Linux Qt reads a combo box by its current value, whatever it is labelled: ask for
        # the name it is given, or a label beside it that points at it, as Windows would.
        parent = widget.parentWidget()
        labels = parent.findChildren(QLabel) if parent is not None else []
        buddies = [label.text() for label in labels if label.buddy() is widget]
        return widget.accessibleName() or "".join(buddies)
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def part_of_a_control(widget: QWidget) -> bool:
    """A combo box's list, a date edit's or spin box's line edit: read as part of their owner."""
    owner = widget.parentWidget()
    while owner is not None:
        if isinstance(owner, (QComboBox, QAbstractSpinBox)):
            return True
        owner = owner.parentWidget()
    return False


def unnamed_inputs(root: QWidget) -> list[str]:
    """The input controls under `root` a screen reader would announce without a name."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or isinstance(widget, QHeaderView):
            continue  # a table's headings are read as part of the table
        if part_of_a_control(widget):
            continue
        if not accessible_name(widget).strip():
            found.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return found


# -- what to do first ------------------------------------------------------------------------------


def test_with_no_fund_the_tab_says_to_set_one_up_and_links_to_the_guide(
    qtbot: Any, ctx: AppContext, dialogs: Any, guide_calls: list[Any]
) -> None:
    tab = make_tab(qtbot, ctx)
    assert tab.stack.currentIndex() == 0
    assert "Set up a fund first" in tab.empty_label.text()
    assert accessible_name(tab.guide_link) == "Read the guide: running a hardship fund"
    follow_link(qtbot, tab.guide_link)
    assert guide_calls == [(tab, "hardship")]

    # The first fund, set up through the form: the pages take the empty state's place.
    def fill(d: FundDialog) -> None:
        type_into(qtbot, d.name_edit, "Refuse strike 2026")
        d.starts.setDate(date(2026, 3, 1))
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, tab.empty_new_button)
    assert tab.stack.currentIndex() == 1
    assert tab.header.isVisible() and not tab.guide_link.isVisible()


def test_an_empty_fund_says_what_to_do_first_on_each_page(
    qtbot: Any, ctx: AppContext, db: Database, guide_calls: list[Any]
) -> None:
    new_fund(db)
    tab = make_tab(qtbot, ctx)

    claims = tab.claims_page
    assert claims.table_stack.currentIndex() == 0
    assert claims.empty.text().startswith("No claims yet.")
    follow_link(qtbot, claims.empty.link)
    # Every claim, not only those awaiting a decision: still none, so still what to do first.
    claims.show_status("")
    assert claims.empty.text().startswith("No claims yet.")

    tab.pages.setCurrentWidget(tab.payments_page)
    assert tab.payments_page.owed_stack.currentIndex() == 0
    follow_link(qtbot, tab.payments_page.empty.link)

    tab.pages.setCurrentWidget(tab.donations_page)
    assert tab.donations_page.stack.currentIndex() == 0
    assert tab.donations_page.empty.text().startswith("No donations recorded yet.")
    follow_link(qtbot, tab.donations_page.empty.link)

    tab.pages.setCurrentWidget(tab.ledger_page)
    assert tab.ledger_page.stack.currentIndex() == 0
    assert tab.ledger_page.empty.text().startswith("No entries in the ledger yet.")
    follow_link(qtbot, tab.ledger_page.empty.link)

    tab.pages.setCurrentWidget(tab.reconcile_page)
    assert "No bank statement imported yet" in tab.reconcile_page.state_label.text()
    follow_link(qtbot, tab.reconcile_page.guide_link)

    assert [section for _parent, section in guide_calls] == ["hardship"] * 5
    assert [parent for parent, _section in guide_calls] == [
        claims.empty,
        tab.payments_page.empty,
        tab.donations_page.empty,
        tab.ledger_page.empty,
        tab.reconcile_page,
    ]


def test_once_something_is_recorded_the_lists_show(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database
) -> None:
    fund_id = new_fund(db)
    tab = make_tab(qtbot, ctx)
    tab.pages.setCurrentWidget(tab.donations_page)

    def fill(d: DonationDialog) -> None:
        type_into(qtbot, d.name_edit, "Eastvale branch")
        type_into(qtbot, d.amount_edit, "250")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, tab.donations_page.record_button)
    assert tab.donations_page.stack.currentIndex() == 1
    assert tab.donations_page.model.rowCount() == 1
    assert tab.ledger_page.stack.currentIndex() == 1
    assert tab.ledger_page.model.rowCount() == 1
    # No statement imported yet: the reconciliation still points to the guide.
    tab.pages.setCurrentWidget(tab.reconcile_page)
    assert tab.reconcile_page.guide_link.isVisible()

    approved_claim(db, fund_id, "M001", 50)
    tab.refresh()
    assert tab.payments_page.owed_stack.currentIndex() == 1
    claims = tab.claims_page
    claims.show_status("")
    assert claims.table_stack.currentIndex() == 1
    assert claims.model.rowCount() == 1


def test_a_search_or_filter_that_hides_everything_says_so(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    fund_id = new_fund(db)
    donate(db, fund_id, 100)
    approved_claim(db, fund_id, "M001", 50)
    tab = make_tab(qtbot, ctx)

    claims = tab.claims_page
    assert claims.status_box.currentData() == "open"  # the one claim is decided already
    assert claims.table_stack.currentIndex() == 0
    assert claims.empty.text().startswith("No claims match the filter.")
    assert not claims.empty.link.isVisible()
    claims.show_status("")
    assert claims.table_stack.currentIndex() == 1

    tab.pages.setCurrentWidget(tab.donations_page)
    tab.donations_page.filter_bar.set_text("no such donor")
    assert tab.donations_page.stack.currentIndex() == 0
    assert tab.donations_page.empty.text() == "No donations match the search."
    assert not tab.donations_page.empty.link.isVisible()
    tab.donations_page.filter_bar.clear()
    assert tab.donations_page.stack.currentIndex() == 1

    tab.pages.setCurrentWidget(tab.ledger_page)
    tab.ledger_page.filter_bar.set_text("no such entry")
    assert tab.ledger_page.stack.currentIndex() == 0
    assert tab.ledger_page.empty.text() == "No entries match the search."
    assert tab.ledger_page.count_label.text() == "0 entries found"
    tab.ledger_page.filter_bar.clear()
    assert tab.ledger_page.stack.currentIndex() == 1


# -- accessibility ---------------------------------------------------------------------------------


def test_every_control_of_the_tab_has_a_name_and_every_action_a_tip(
    qtbot: Any, ctx: AppContext, db: Database
) -> None:
    fund_id = new_fund(db)
    donate(db, fund_id, 100)
    tab = make_tab(qtbot, ctx)
    assert unnamed_inputs(tab) == []
    assert accessible_name(tab.claims_page.filter_bar.edit) == "Search claims"
    assert accessible_name(tab.claims_page.status_box) == "Claims shown"

    # The actions of the tab's menus (the ledger's exports); Qt's own, a search box's clear
    # button, are named "_q_…".
    actions = [a for menu in tab.findChildren(QMenu) for a in menu.actions()]
    others = [
        a
        for a in tab.findChildren(QAction)
        if not a.objectName().startswith("_q_") and a not in actions and a.text()
    ]
    assert len(actions) == 5 and others == []
    for action in actions:
        if action.isSeparator():
            continue
        assert action.toolTip() and action.toolTip() != action.text().replace("&", "")
        assert action.statusTip() == action.toolTip()

    # Names the window remembers column widths and splitter positions by: stable and unique.
    views = [
        w
        for w in tab.findChildren(QAbstractItemView)
        if not isinstance(w, QHeaderView) and not part_of_a_control(w)
    ]
    named = [w.objectName() for w in [*views, *tab.findChildren(QSplitter)]]
    assert "" not in named
    assert len(named) == len(set(named))
    assert {"claimsTable", "claimsSplitter", "ledgerTable", "reconcileSplitter"} <= set(named)


def test_every_field_of_the_dialogs_has_a_name(
    qtbot: Any, ctx: AppContext, db: Database, tmp_path: Path
) -> None:
    fund_id = new_fund(db)
    entry_id = donate(db, fund_id, 100)
    claim_id = create_claim(
        db,
        fund_id,
        ClaimForm(
            member_number="M001", received_on=DAY_ONE, days=[DAY_ONE], requested=Money(50_00)
        ),
    )
    days = strike_days(db, fund_id)
    entry = read_entry(db, entry_id)
    assert entry is not None
    statement = tmp_path / "odd.csv"
    statement.write_text("When,What,How much\n01/03/2026,Fee,-5.00\n", encoding="utf-8")
    built = [
        FundDialog(ctx, fund_id),
        FundDialog(ctx),
        TakingPartDialog(ctx, DAY_ONE, [("M001", "Ann Example")], []),
        DonationDialog(ctx, fund_id),
        ClaimDialog(ctx, fund_id, days),
        ClaimDialog(ctx, fund_id, days, get_claim(db, claim_id)),
        DecideDialog(ctx, get_claim(db, claim_id)),
        EntryDialog(ctx, fund_id),
        ReverseDialog(ctx, entry),
        StatementPeriodDialog(ctx, date(2026, 3, 1)),
        MappingDialog(ctx, statement.name, ["When", "What", "How much"], [["01/03/2026"]]),
        UnmatchDialog(ctx, fund_id),
    ]
    for dialog in built:
        qtbot.addWidget(dialog)
        assert unnamed_inputs(dialog) == [], dialog.windowTitle()
    # The lists in the forms keep the names their column widths are remembered by.
    assert built[0].days_table.objectName() == "strikeDaysTable"
    assert built[-1].matched_table.objectName() == "matchedLines"


# -- how it looks ----------------------------------------------------------------------------------


def test_the_empty_tab_and_a_full_one_render(
    qtbot: Any, ctx: AppContext, db: Database, tmp_path: Path
) -> None:
    empty = make_tab(qtbot, ctx)
    picture = empty.grab()
    assert picture.save(str(tmp_path / "hardship-empty.png"))
    image = picture.toImage()
    # The guide's link is drawn: its label holds more than the background's colour.
    link = empty.guide_link
    corner = link.mapTo(empty, QPoint(0, 0))
    colours = {
        image.pixelColor(corner.x() + x, corner.y() + y).rgb()
        for x in range(link.width())
        for y in range(link.height())
    }
    assert len(colours) > 2

    fund_id = new_fund(db)
    donate(db, fund_id, 100)
    approved_claim(db, fund_id, "M001", 50)
    full: HardshipTab = make_tab(qtbot, ctx)
    full.pages.setCurrentWidget(full.ledger_page)
    qtbot.waitUntil(lambda: full.ledger_page.model.rowCount() == 1)
    picture = full.grab()
    assert picture.save(str(tmp_path / "hardship-ledger.png"))
    assert picture.width() == 1280 and picture.height() == 800
    assert full.ledger_page.stack.currentWidget() is full.ledger_page.table
    assert (tmp_path / "hardship-empty.png").stat().st_size > 0
