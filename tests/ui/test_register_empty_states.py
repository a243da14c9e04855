"""What the member register, Negotiating demands and Outsourcing watch show when they hold
nothing: what to do first and a link to the guide, which opens at the register's section;
and the table again once a record is added. A filter that hides everything says so instead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTextEdit,
    QWidget,
)
from ui_helpers import click, type_into

from branchdesk.money import Money
from branchdesk.outsourcing.service import ContractForm, create_contract
from branchdesk.store.database import Database, open_database
from branchdesk.ui import guide
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.demands_tab import DemandsTab
from branchdesk.ui.empty_state import EmptyState
from branchdesk.ui.members.member_dialog import MemberDialog
from branchdesk.ui.members.members_tab import MembersTab
from branchdesk.ui.outsourcing.outsourcing_tab import OutsourcingTab

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def guide_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str | None]]:
    """Every show_guide(parent, section) asked for, instead of opening the guide window."""
    calls: list[tuple[Any, str | None]] = []
    monkeypatch.setattr(
        guide, "show_guide", lambda parent, section=None: calls.append((parent, section))
    )
    return calls


@pytest.fixture
def empty_ctx(tmp_path: Path, ctx: AppContext) -> Iterator[AppContext]:
    """The same services as `ctx`, over a database with no members at all."""
    db = open_database(tmp_path / "empty.sqlite3", officer="Test Officer")
    yield AppContext(db=db, preferences=ctx.preferences, dialogs=ctx.dialogs, worker=ctx.worker)
    db.dispose()


def shown(qtbot: Any, widget: QWidget, dialogs: Any) -> QWidget:
    qtbot.addWidget(widget, before_close_func=dialogs.closing)
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def follow_link(qtbot: Any, state: EmptyState) -> None:
    """Reach the link with the keyboard, as a screen-reader user would, and press Enter."""
    state.link.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(state.link, Qt.Key.Key_Tab)
    qtbot.keyClick(state.link, Qt.Key.Key_Return)


def name_of(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QComboBox, QDateEdit, QCheckBox, QAbstractItemView)


def _part_of_another_control(widget: QWidget) -> bool:
    """A combo box's line edit and popup list, a date edit's calendar, a table's header:
    read out as part of the control that owns them."""
    if isinstance(widget, QHeaderView):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QDateEdit)):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_inputs(root: QWidget) -> list[str]:
    """Input controls a screen reader could not name."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or _part_of_another_control(widget):
            continue
        if not name_of(widget).strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


# -- the member register -------------------------------------------------------------------------


def test_an_empty_member_register_says_what_to_do_first(
    qtbot: Any, empty_ctx: AppContext, dialogs: Any, guide_calls: list[Any]
) -> None:
    tab = shown(qtbot, MembersTab(empty_ctx), dialogs)
    assert isinstance(tab, MembersTab)
    qtbot.waitUntil(lambda: tab.model.loaded, timeout=3000)
    assert tab.stack.currentWidget() is tab.empty_label
    assert "No members yet" in tab.empty_label.text()
    assert "Import CSV" in tab.empty_label.text()
    assert 'href="members"' in tab.empty_label.link.text()
    assert name_of(tab.empty_label).startswith("No members yet")

    follow_link(qtbot, tab.empty_label)
    assert guide_calls == [(tab.empty_label, "members")]

    def fill_in(d: MemberDialog) -> None:
        type_into(qtbot, d.membership_number, "E001")
        type_into(qtbot, d.first_name, "Edith")
        type_into(qtbot, d.last_name, "Example")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill_in)
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=3000)
    assert tab.stack.currentWidget() is tab.table
    assert tab.count_label.text() == "1 member"


def test_a_search_that_finds_nobody_says_so_without_the_guide(
    qtbot: Any, ctx: AppContext, dialogs: Any
) -> None:
    tab = shown(qtbot, MembersTab(ctx), dialogs)
    assert isinstance(tab, MembersTab)
    qtbot.keyClicks(tab.filter_bar.edit, "nobody-by-this-name")
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.empty_label, timeout=3000)
    assert "No members match “nobody-by-this-name”" in tab.empty_label.text()
    assert not tab.empty_label.link.text()
    tab.filter_bar.clear()
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.table, timeout=3000)


def test_the_member_tab_and_dialog_name_every_control(
    qtbot: Any, ctx: AppContext, dialogs: Any, member_ids: dict[str, int]
) -> None:
    tab = shown(qtbot, MembersTab(ctx), dialogs)
    assert unnamed_inputs(tab) == []
    assert name_of(tab.filter_bar.edit) == "Search members"
    for action in tab.actions():
        assert action.toolTip() and action.toolTip() != action.text().replace("&", "")
        assert action.statusTip() == action.toolTip()
    from branchdesk.members.service import get_member

    dialog = MemberDialog(ctx, member_ids["M001"], get_member(ctx.db, member_ids["M001"]))
    qtbot.addWidget(dialog)
    assert unnamed_inputs(dialog) == []


# -- negotiating demands -------------------------------------------------------------------------


def test_no_claims_yet_shows_the_first_step_and_the_guide(
    qtbot: Any, ctx: AppContext, dialogs: Any, guide_calls: list[Any]
) -> None:
    tab = shown(qtbot, DemandsTab(ctx), dialogs)
    assert isinstance(tab, DemandsTab)
    assert tab.claims_stack.currentWidget() is tab.claims_empty
    assert "No claims yet" in tab.claims_empty.text()
    assert "New claim" in tab.claims_empty.text()
    assert 'href="demands"' in tab.claims_empty.link.text()

    follow_link(qtbot, tab.claims_empty)
    assert guide_calls == [(tab.claims_empty, "demands")]

    def fill(d: Any) -> None:
        type_into(qtbot, d.title_edit, "Pay claim 2027")
        type_into(qtbot, d.employer_box, "Northmoor Borough Council")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, tab.new_claim_button)
    assert tab.claims_stack.currentWidget() is tab.claims_table
    assert tab.claims_table.rowCount() == 1
    assert unnamed_inputs(tab) == []
    splitters = [s.objectName() for s in tab.findChildren(QSplitter)]
    assert all(splitters) and len(set(splitters)) == len(splitters)


# -- outsourcing watch ---------------------------------------------------------------------------


def _contract(db: Database, service: str) -> int:
    return create_contract(
        db,
        ContractForm(
            service=service,
            authority="Northmoor Borough Council",
            contractors=["Greystone Facilities Ltd"],
            start_on=date(2022, 4, 1),
            end_on=date(2030, 3, 31),
            value=Money(500_000_00),
        ),
    )


def test_an_empty_watch_list_points_to_importing_and_the_guide(
    qtbot: Any, ctx: AppContext, dialogs: Any, guide_calls: list[Any]
) -> None:
    tab = shown(qtbot, OutsourcingTab(ctx), dialogs)
    assert isinstance(tab, OutsourcingTab)
    state = tab.empty_state
    assert tab.list_stack.currentWidget() is state
    assert "No contracts on the watch list yet" in state.text()
    assert "Import contracts…" in state.text() and "OCDS" in state.text()
    assert 'href="outsourcing"' in state.link.text()

    follow_link(qtbot, state)
    assert guide_calls == [(state, "outsourcing")]

    _contract(ctx.db, "School meals")
    tab.refresh()
    assert tab.list_stack.currentWidget() is tab.table
    assert tab.model.rowCount() == 1

    # A filter that hides every contract says so, with no guide link.
    tab.status_box.setCurrentIndex(tab.status_box.findData("returned_in_house"))
    assert tab.model.rowCount() == 0
    assert tab.list_stack.currentWidget() is state
    assert "No contracts match the filters" in state.text()
    assert not state.link.text()
    assert unnamed_inputs(tab) == []
    assert all(
        a.toolTip() != a.text()
        for a in (tab.watch_list_action, tab.briefing_action, tab.import_action)
    )


# -- how they look -------------------------------------------------------------------------------


def _is_drawn(image: QImage) -> bool:
    """Not blank: more than a handful of colours across the picture."""
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    return len(colours) > 5


def test_an_empty_state_and_a_full_tab_render(
    qtbot: Any, ctx: AppContext, dialogs: Any, tmp_path: Path
) -> None:
    empty = shown(qtbot, OutsourcingTab(ctx), dialogs)
    assert isinstance(empty, OutsourcingTab)
    empty_png = tmp_path / "outsourcing-empty.png"
    assert empty.grab().save(str(empty_png))

    full = shown(qtbot, MembersTab(ctx), dialogs)
    assert isinstance(full, MembersTab)
    qtbot.waitUntil(lambda: full.model.rowCount() == 4, timeout=3000)
    full_png = tmp_path / "members-full.png"
    assert full.grab().save(str(full_png))

    for path in (empty_png, full_png):
        image = QImage(str(path))
        assert image.width() >= 1000 and image.height() >= 600
        assert _is_drawn(image)
    # The empty state's words are drawn where the table would be.
    region = empty.empty_state.grab().toImage()
    assert _is_drawn(region)


def test_the_demands_and_outsourcing_forms_name_every_field(qtbot: Any, ctx: AppContext) -> None:
    from branchdesk.ui.demands.dialogs import ClaimDialog, DemandDialog, MeetingDialog
    from branchdesk.ui.outsourcing.data import read_contract
    from branchdesk.ui.outsourcing.dialogs import (
        ContractDialog,
        ContractMembersDialog,
        EventDialog,
    )

    contract = read_contract(ctx.db, _contract(ctx.db, "Street cleaning"))
    assert contract is not None
    forms = [
        ClaimDialog(ctx),
        DemandDialog(ctx, claim_id=1),
        MeetingDialog(ctx, claim_id=1),
        ContractDialog(ctx, contract),
        EventDialog(ctx, contract.id, date.today()),
        ContractMembersDialog(ctx, contract),
    ]
    for form in forms:
        qtbot.addWidget(form)
        assert unnamed_inputs(form) == [], form.windowTitle()
    demand = forms[1]
    assert isinstance(demand, DemandDialog)
    demand.costed.setChecked(True)
    demand.kind_box.setCurrentIndex(demand.kind_box.findData("hours"))
    # The field's name follows its label when the kind of change is switched.
    assert name_of(demand.change_edit) == "Hours a week each"
    contract_form = forms[3]
    assert isinstance(contract_form, ContractDialog)
    assert name_of(contract_form.end.check) == "Ends known"


def test_every_code_word_is_listed_for_translators() -> None:
    """The words the registers' codes are shown with are the ones lupdate finds."""
    from branchdesk.demands import codes as demand_codes
    from branchdesk.members.service import STATUSES as MEMBER_STATUSES
    from branchdesk.outsourcing import codes as contract_codes
    from branchdesk.ui.demands import code_words as demand_words
    from branchdesk.ui.members import code_words as member_words
    from branchdesk.ui.outsourcing import code_words as contract_words

    demand_tables = (
        demand_codes.CLAIM_STATUSES,
        demand_codes.DEMAND_STATUSES,
        demand_codes.CATEGORIES,
        demand_codes.PRIORITIES,
        demand_codes.EVIDENCE_KINDS,
    )
    assert set(demand_words.WORDS) == {w for table in demand_tables for w in table.values()}
    contract_tables = (contract_codes.STATUSES, contract_codes.EVENT_KINDS)
    assert set(contract_words.WORDS) == {w for table in contract_tables for w in table.values()}
    assert set(member_words.WORDS) == {w for _code, w in MEMBER_STATUSES}
    assert demand_words.word(demand_codes.CLAIM_STATUSES, "drafting") == "Drafting"
    assert demand_words.word(demand_codes.CLAIM_STATUSES, "no_such_code") == "no_such_code"
    from branchdesk.members.listing import COLUMNS
    from branchdesk.ui.members.members_tab import HEADERS

    # Every member column has its heading listed for translators, in the same English.
    assert {column.key: column.header for column in COLUMNS} == HEADERS
