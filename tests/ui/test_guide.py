"""The user guide in its help window, and the keyboard shortcuts dialog."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QAction, QKeySequence
from PySide6.QtWidgets import QListWidget, QMainWindow, QWidget

from branchdesk.ui.guide import content, show_guide, show_shortcuts
from branchdesk.ui.guide.content import SECTION_IDS, guide_dir, load_guide
from branchdesk.ui.guide.shortcuts import ShortcutsDialog
from branchdesk.ui.guide.window import GuideWindow, close_guide, guide_window

LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.fixture(autouse=True)
def _fresh_guide(qapp: Any) -> Iterator[None]:
    close_guide()
    yield
    close_guide()


def opened() -> GuideWindow:
    window = guide_window()
    assert window is not None
    return window


def click_item(qtbot: Any, listing: QListWidget, section_id: str) -> None:
    for row in range(listing.count()):
        item = listing.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == section_id:
            listing.scrollToItem(item)
            centre = listing.visualItemRect(item).center()
            qtbot.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=centre)
            return
    raise AssertionError(f"{section_id} is not listed")


def listed(listing: QListWidget) -> list[str]:
    return [listing.item(row).text() for row in range(listing.count())]


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


# -- the guide's files -----------------------------------------------------------------------


def test_every_section_exists_with_a_title() -> None:
    sections = load_guide("C")
    assert [s.id for s in sections] == list(SECTION_IDS)
    for section in sections:
        assert section.title and not section.title.startswith("#")
        assert len(section.markdown.split()) > 100, f"{section.id} is too short to help"
    index = json.loads((guide_dir() / "index.json").read_text(encoding="utf-8"))
    assert [entry["id"] for entry in index["sections"]] == list(SECTION_IDS)


def test_links_in_the_guide_point_at_sections() -> None:
    links = 0
    for section in load_guide("C"):
        for target in LINK.findall(section.markdown):
            links += 1
            assert target in SECTION_IDS, f"{section.id} links to {target}"
    assert links > 10


def test_a_translated_section_is_shown_and_the_rest_fall_back_to_english(
    tmp_path: Path,
) -> None:
    root = tmp_path / "guide"
    (root / "cy").mkdir(parents=True)
    index = {"sections": [{"id": "members", "title": "Members"}, {"id": "backups"}]}
    (root / "index.json").write_text(json.dumps(index), encoding="utf-8")
    (root / "members.md").write_text("# Members\n\nThe register.", encoding="utf-8")
    (root / "backups.md").write_text("Copies.", encoding="utf-8")
    (root / "cy" / "members.md").write_text("# Aelodau\n\nY gofrestr.", encoding="utf-8")

    welsh = load_guide("cy_GB", root)
    assert [(s.id, s.title) for s in welsh] == [("members", "Aelodau"), ("backups", "backups")]
    assert "Y gofrestr" in welsh[0].markdown
    english = load_guide("en_GB", root)
    assert english[0].title == "Members"


# -- the help window -------------------------------------------------------------------------


def test_the_guide_opens_at_the_section_asked_for(qtbot: Any) -> None:
    show_guide(None, "backups")
    window = opened()
    assert window.isVisible()
    assert window.current_section == "backups"
    assert window.contents_list.currentItem().text() == "Backups"
    assert "Restore drill" in window.browser.toPlainText()

    # Asking again brings the same window forward at the new section.
    show_guide(None, "hardship")
    assert opened() is window
    assert window.current_section == "hardship"
    assert "Reconciliation" in window.browser.toPlainText()


def test_an_unknown_section_opens_at_the_contents(qtbot: Any) -> None:
    show_guide(None, "no-such-section")
    window = opened()
    assert window.current_section is None
    text = window.browser.toPlainText()
    for title in ("Getting started", "Running a hardship fund", "Keyboard shortcuts"):
        assert title in text
    assert window.contents_list.selectedItems() == []


def test_clicking_a_section_in_the_contents_shows_it(qtbot: Any) -> None:
    show_guide(None)
    window = opened()
    click_item(qtbot, window.contents_list, "demands")
    assert window.current_section == "demands"
    assert "negotiation pack" in window.browser.toPlainText()


def test_a_link_between_sections_is_followed(qtbot: Any) -> None:
    show_guide(None, "getting-started")
    window = opened()
    browser = window.browser
    cursor = browser.document().find("Security and privacy")
    assert not cursor.isNull()
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    cursor.setPosition(cursor.selectionStart() + 3)
    spot = browser.cursorRect(cursor).center() + QPoint(2, 0)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert window.current_section == "security"


def test_searching_lists_the_sections_and_highlights_the_matches(qtbot: Any) -> None:
    show_guide(None, "members")
    window = opened()
    qtbot.keyClicks(window.search_edit, "reconcile")

    results = listed(window.results_list)
    assert any(text.startswith("Running a hardship fund (") for text in results)
    assert not any(text.startswith("Members (") for text in results)
    assert window.results_label.text().startswith("Found in")
    # Members does not mention it, so the first section that does is shown, matches marked.
    assert window.current_section == "hardship"
    marked = window.browser.extraSelections()
    assert marked and len(marked) == window.match_count
    assert all(m.cursor.selectedText().lower() == "reconcile" for m in marked)


def test_clicking_a_listed_section_shows_it_with_its_matches(qtbot: Any) -> None:
    show_guide(None)
    window = opened()
    qtbot.keyClicks(window.search_edit, "backup")
    assert len(listed(window.results_list)) > 1
    click_item(qtbot, window.results_list, "backups")
    assert window.current_section == "backups"
    assert window.match_count > 3
    assert window.contents_list.currentItem().text() == "Backups"


def test_enter_and_f3_move_to_the_next_match_then_the_next_section(qtbot: Any) -> None:
    show_guide(None)
    window = opened()
    qtbot.keyClicks(window.search_edit, "ledger")
    first = window.current_section
    count = window.match_count
    assert count > 2 and window.match_index == 0
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert window.match_index == 1
    qtbot.keyClick(window.search_edit, Qt.Key.Key_F3)
    assert window.match_index == 2
    selected = window.browser.textCursor()
    assert window.browser.extraSelections()[2].cursor.selectionStart() == selected.position()
    qtbot.keyClick(window.search_edit, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.match_index == 1
    for _ in range(count - 1):
        qtbot.keyClick(window.search_edit, Qt.Key.Key_F3)
    assert window.current_section != first
    assert window.match_index == 0


def test_a_term_found_nowhere_says_so_and_escape_clears_it(qtbot: Any) -> None:
    show_guide(None, "casework")
    window = opened()
    qtbot.keyClicks(window.search_edit, "zzzz")
    assert window.results_label.text() == "No section mentions “zzzz”."
    assert window.results_list.count() == 0
    assert window.results_list.isHidden()
    assert window.browser.extraSelections() == []
    qtbot.keyClick(window.search_edit, Qt.Key.Key_Escape)
    assert window.search_edit.text() == ""
    assert window.isVisible()


def test_a_missing_guide_is_said_plainly(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content, "guide_dir", lambda: Path("/nonexistent/guide"))
    show_guide(None, "casework")
    window = opened()
    assert window.current_section is None
    assert "missing" in window.browser.toPlainText()
    assert window.contents_list.count() == 0


def test_the_window_belongs_to_the_outermost_window(qtbot: Any) -> None:
    main = QMainWindow()
    qtbot.addWidget(main)
    inner = QWidget(main)
    show_guide(inner, "members")
    window = opened()
    assert window.parentWidget() is main
    assert window.isWindow()


def test_the_search_box_and_lists_have_names_a_screen_reader_reads(qtbot: Any) -> None:
    show_guide(None)
    window = opened()
    for widget in (window.search_edit, window.contents_list, window.results_list, window.browser):
        assert accessible_name(widget)
        assert widget.objectName()
    assert window.splitter.objectName() == "guideSplitter"
    assert window.search_edit.toolTip()


# -- keyboard shortcuts ----------------------------------------------------------------------


def test_the_shortcuts_dialog_lists_the_windows_actions_and_the_other_keys(qtbot: Any) -> None:
    main = QMainWindow()
    qtbot.addWidget(main)
    send = QAction("&Send report…", main)
    send.setShortcut(QKeySequence("Ctrl+R"))
    main.menuBar().addMenu("&File").addAction(send)
    plain = QAction("No shortcut", main)
    main.addAction(plain)

    show_shortcuts(main)
    dialog = main.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    rows = dialog.rows()
    native = QKeySequence("Ctrl+R").toString(QKeySequence.SequenceFormat.NativeText)
    assert rows[0] == ("Send report…", native, "File")
    assert "No shortcut" not in [row.text for row in rows]
    keys = [row.keys for row in rows]
    for other in ("Ctrl+S", "Ctrl+Tab", "F1"):
        assert QKeySequence(other).toString(QKeySequence.SequenceFormat.NativeText) in keys
    assert dialog.table.objectName() == "shortcutsTable"
    assert accessible_name(dialog.table)


def test_an_action_on_f1_replaces_the_general_line(qtbot: Any) -> None:
    main = QMainWindow()
    qtbot.addWidget(main)
    guide = QAction("&User guide", main)
    guide.setShortcut(QKeySequence("F1"))
    main.menuBar().addMenu("&Help").addAction(guide)
    dialog = ShortcutsDialog(main)
    rows = dialog.rows()
    assert ("User guide", "F1", "Help") in rows
    assert [row.keys for row in rows].count("F1") == 1


def test_the_shortcuts_dialog_opens_the_guide_at_its_section(qtbot: Any) -> None:
    main = QMainWindow()
    qtbot.addWidget(main)
    dialog = ShortcutsDialog(main)
    qtbot.mouseClick(dialog.guide_button, Qt.MouseButton.LeftButton)
    assert opened().current_section == "shortcuts"
    assert opened().parentWidget() is main


def test_the_main_windows_shortcuts_are_all_listed_once(window: Any) -> None:
    dialog = ShortcutsDialog(window)
    rows = dialog.rows()
    native = QKeySequence("Ctrl+L").toString(QKeySequence.SequenceFormat.NativeText)
    assert ("Lock now", native, "Officers") in rows
    keys = [row.keys for row in rows]
    assert len(keys) == len(set(keys)), "a key is listed twice"
    save = QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText)
    assert save in keys
    dialog.deleteLater()
