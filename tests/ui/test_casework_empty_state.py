"""The Casework tab with nothing in it yet: what to do first and a link to the guide; the
filters hiding every row: a way back to them all; and the names a screen reader reads."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSplitter,
    QTextEdit,
    QWidget,
)
from ui_helpers import click, column_texts, type_into

from branchdesk.casework.rules_store import load_rules
from branchdesk.casework.service import CaseForm, add_deadline, case_id_by_reference, open_case
from branchdesk.store.database import Database
from branchdesk.ui.casework.casework_tab import CaseworkTab
from branchdesk.ui.casework.common import CASEWORK
from branchdesk.ui.casework.dialogs import (
    CloseCaseDialog,
    ConsentDialog,
    DeadlineDialog,
    EntryDialog,
    OpenCaseDialog,
)
from branchdesk.ui.casework.rules_dialog import DeadlineRulesDialog
from branchdesk.ui.context import AppContext
from branchdesk.ui.empty_state import EmptyState

INPUTS = (
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QComboBox,
    QAbstractSpinBox,  # spin boxes and date edits
    QCheckBox,
    QRadioButton,
    QAbstractItemView,
)


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext) -> CaseworkTab:
    widget = CaseworkTab(ctx)
    qtbot.addWidget(widget, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def guide_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, str | None]]:
    """What the user guide was asked to show, instead of opening it."""
    calls: list[tuple[object, str | None]] = []
    monkeypatch.setattr(
        "branchdesk.ui.guide.show_guide",
        lambda parent, section=None: calls.append((parent, section)),
    )
    return calls


def click_link(qtbot: Any, state: EmptyState) -> None:
    """Click the empty state's link where it is drawn (the label is as wide as its words)."""
    assert state.link.isVisible(), "no link is shown"
    qtbot.mouseClick(state.link, Qt.MouseButton.LeftButton, pos=state.link.rect().center())


def _open(db: Database, number: str, title: str, opened: date | None = None) -> int:
    reference = open_case(
        db,
        CaseForm(
            membership_number=number,
            case_type="grievance",
            title=title,
            rep="Test Officer",
            opened_on=opened or date.today(),
        ),
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    return case_id


def test_no_cases_yet_says_what_to_do_first_and_links_to_the_guide(
    qtbot: Any, tab: CaseworkTab, dialogs: Any, guide_calls: list[Any]
) -> None:
    page = tab.cases_page
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty_state, timeout=5000)
    state = page.empty_state
    assert state.isVisible() and not page.table.isVisible()
    assert state.message.text().startswith("No cases yet. Press Open case…")
    assert state.link.text() == '<a href="casework">Read the guide: running a case</a>'
    assert state.link.wordWrap() and state.message.wordWrap()
    assert state.link.accessibleName() == "Read the guide: running a case"

    click_link(qtbot, state)
    assert guide_calls == [(state, "casework")]

    # The first case, opened the way a rep would: the list takes the message's place.
    def fill(d: OpenCaseDialog) -> None:
        type_into(qtbot, d.member, "M001")
        d.case_type.setCurrentIndex(d.case_type.findText("Grievance"))
        type_into(qtbot, d.title, "Rota changes")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(fill)
    click(qtbot, page.open_button)
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.splitter, timeout=5000)
    assert page.table.isVisible() and not state.isVisible()
    assert len(column_texts(page.table, 0)) == 1
    assert page.count_label.text() == "1 case"


def test_a_filter_that_hides_every_case_offers_them_all_back(
    qtbot: Any, tab: CaseworkTab, db: Database, ctx: AppContext, guide_calls: list[Any]
) -> None:
    _open(db, "M001", "Rota changes")
    ctx.changed(CASEWORK)
    page = tab.cases_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.body.currentWidget() is page.splitter

    type_into(qtbot, page.filter_bar.edit, "nothing-like-this")
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty_state, timeout=5000)
    assert page.empty_state.message.text() == "No cases match the filter and search."
    assert page.empty_state.link.accessibleName() == "Show every case"

    click_link(qtbot, page.empty_state)
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.splitter, timeout=5000)
    assert page.filter_bar.text() == "" and page.model.rowCount() == 1
    assert guide_calls == []  # that link widened the filters; it did not open the guide

    # Only closed cases asked for: none, and the register is not empty, so no guide link.
    page.status.setCurrentIndex(page.status.findData("closed"))
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty_state, timeout=5000)
    assert page.empty_state.message.text().startswith("No cases match the filter")


def test_no_deadlines_yet_links_to_the_guide_then_the_table_shows(
    qtbot: Any, tab: CaseworkTab, db: Database, ctx: AppContext, guide_calls: list[Any]
) -> None:
    page = tab.deadlines_page
    tab.pages.setCurrentWidget(page)
    state = page.empty
    assert page.stack.currentWidget() is state and state.isVisible()
    assert state.message.text().startswith("No deadlines to meet.")
    assert state.link.accessibleName() == "Read the guide: deadlines and time limits"
    click_link(qtbot, state)
    assert guide_calls == [(state, "casework")]
    # From the keyboard too: Tab onto the link, then Enter.
    state.link.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(state.link, Qt.Key.Key_Return)
    assert guide_calls == [(state, "casework")] * 2

    case_id = _open(db, "M001", "Rota changes")
    add_deadline(db, case_id, "Appeal letter", date.today() + timedelta(days=3))
    ctx.changed(CASEWORK)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.table, timeout=5000)
    assert [row[4] for row in page.texts()] == ["Appeal letter"]
    assert page.count_label.text() == "1 deadline"


def test_a_deadline_beyond_the_fortnight_is_offered_back(
    qtbot: Any, tab: CaseworkTab, db: Database, ctx: AppContext, guide_calls: list[Any]
) -> None:
    case_id = _open(db, "M001", "Rota changes")
    add_deadline(db, case_id, "Tribunal claim", date.today() + timedelta(days=60))
    page = tab.deadlines_page
    tab.pages.setCurrentWidget(page)
    ctx.changed(CASEWORK)
    qtbot.waitUntil(lambda: page.empty.isVisible(), timeout=5000)
    assert page.empty.message.text().startswith("Nothing due for this choice")

    click_link(qtbot, page.empty)
    assert page.stack.currentWidget() is page.table
    assert page.window_choice.currentText() == "All open deadlines"
    assert [row[4] for row in page.texts()] == ["Tribunal claim"]
    assert guide_calls == []


def test_the_overview_is_one_quiet_line_until_there_are_cases(
    qtbot: Any, tab: CaseworkTab, db: Database, ctx: AppContext
) -> None:
    overview = tab.overview
    qtbot.waitUntil(lambda: overview.data is not None, timeout=5000)
    assert overview.empty_note.isVisible() and not overview.stack.isVisible()
    assert "fills in as cases are opened" in overview.empty_note.text()

    _open(db, "M001", "Rota changes")
    ctx.changed(CASEWORK)
    qtbot.waitUntil(lambda: overview.stack.isVisible(), timeout=5000)
    assert not overview.empty_note.isVisible()
    assert overview.type_caption.text() == "1 open case by type"


def _not_blank(image: QImage) -> bool:
    """More than one colour drawn: words and lines, not an empty rectangle."""
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    return len(colours) > 3


def test_renders_the_empty_state_and_a_full_tab(
    qtbot: Any, tab: CaseworkTab, db: Database, ctx: AppContext, tmp_path: Path
) -> None:
    page = tab.cases_page
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty_state, timeout=5000)
    empty = tmp_path / "casework-empty.png"
    assert tab.grab().save(str(empty))
    image = QImage(str(empty))
    assert image.width() == tab.width() * tab.devicePixelRatio() and _not_blank(image)

    for number, title in (("M001", "Rota changes"), ("M003", "Night shift pay")):
        case_id = _open(db, number, title, date.today() - timedelta(days=40))
        add_deadline(db, case_id, "Grievance hearing", date.today() + timedelta(days=5))
    ctx.changed(CASEWORK)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.overview.stack.isVisible(), timeout=5000)
    full = tmp_path / "casework-full.png"
    assert tab.grab().save(str(full))
    assert _not_blank(QImage(str(full)))
    assert page.detail.case is not None and page.detail.heading.text().startswith("C-")


def _part_of_another(widget: QWidget) -> bool:
    """A piece of a combo box or spin box (its editor, its list): the box carries the name."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            return True
        parent = parent.parentWidget()
    return isinstance(widget, QHeaderView)


def _unnamed_inputs(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or _part_of_another(widget):
            continue
        name = QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)
        if not name:
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_input_has_a_name_a_screen_reader_reads(
    qtbot: Any, tab: CaseworkTab, ctx: AppContext, db: Database
) -> None:
    # The Members page is the member register's own (checked with it).
    for part in (tab.overview, tab.cases_page, tab.deadlines_page):
        assert _unnamed_inputs(part) == [], part.objectName()
    for widget in tab.findChildren(QSplitter) + tab.findChildren(QAbstractItemView):
        if tab.members_tab.isAncestorOf(widget) or _part_of_another(widget):
            continue
        assert widget.objectName(), f"{type(widget).__name__} has no objectName"

    case_id = _open(db, "M001", "Rota changes")
    from branchdesk.casework.queries import get_case

    case = get_case(db, case_id)
    rules, _version = load_rules(db)
    for dialog in (
        OpenCaseDialog(ctx),
        EntryDialog(ctx, case),
        ConsentDialog(ctx, case),
        CloseCaseDialog(ctx, case),
        DeadlineDialog(ctx, case, rules),
        DeadlineRulesDialog(ctx),
    ):
        qtbot.addWidget(dialog)
        assert _unnamed_inputs(dialog) == [], dialog.windowTitle()


def test_every_export_action_says_what_it_does(tab: CaseworkTab) -> None:
    for action in tab.exports.menu.actions():
        if action.isSeparator():
            continue
        assert action.toolTip() and action.toolTip() != action.text(), action.text()
        assert action.statusTip() == action.toolTip()


class Shouting(QTranslator):
    """A stand-in translation: every casework text in capitals, so untranslated text shows."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if not context.startswith("casework."):
            return ""  # not ours: Qt keeps the English
        # Placeholders ("{name}") stay as they are: the code fills them in after.
        return "".join(
            part if part.startswith("{") else part.upper()
            for part in re.split(r"(\{[^}]*\})", source)
        )


def test_the_tab_speaks_the_installed_language(qtbot: Any, ctx: AppContext) -> None:
    translator = Shouting()
    QCoreApplication.installTranslator(translator)
    try:
        tab = CaseworkTab(ctx)
        qtbot.addWidget(tab, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
        tab.show()
        qtbot.waitExposed(tab)
        page = tab.cases_page
        assert [tab.pages.tabText(i) for i in range(2)] == ["CASES", "DEADLINES"]
        assert page.open_button.text() == "OPEN CASE…"
        assert page.status.itemText(0) == "OPEN CASES"
        assert page.filter_bar.edit.placeholderText() == "SEARCH REFERENCE, MEMBER OR TITLE"
        assert tab.exports.button.text() == "EXPORT ▾"
        heading = page.model.headerData(0, Qt.Orientation.Horizontal)
        assert heading == "REFERENCE"
        qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty_state, timeout=5000)
        assert page.empty_state.message.text().startswith("NO CASES YET.")
        assert tab.deadlines_page.empty.link.accessibleName().startswith("READ THE GUIDE")
        labels = [w.text() for w in tab.deadlines_page.findChildren(QLabel) if w.text()]
        assert "SHOW" in labels
    finally:
        QCoreApplication.removeTranslator(translator)
