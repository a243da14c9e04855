"""Tools › Subject access requests…: the register with its deadlines, logging, extending,
exporting off the GUI thread and marking sent; refused for anyone but the secretary."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from officer_helpers import add_officers, open_window, sign_in_as
from PySide6.QtCore import QDate
from PySide6.QtGui import QColor
from qt_checks import pseudo_translation, unnamed_inputs
from ui_helpers import click, type_into

from branchdesk.privacy import sar_register as register
from branchdesk.store.database import Database
from branchdesk.ui import style
from branchdesk.ui.context import AppContext
from branchdesk.ui.privacy.sar_dialog import (
    DAYS_LEFT,
    ExtendDialog,
    LogRequestDialog,
    SarDialog,
    SentDialog,
)

pytestmark = pytest.mark.timeout(120)

TODAY = date(2025, 3, 20)


@pytest.fixture
def requests(db: Database) -> dict[str, int]:
    return {
        "overdue": register.log_request(db, "M001", date(2025, 1, 31), today=TODAY),
        "soon": register.log_request(db, "M002", date(2025, 2, 24), "by email", today=TODAY),
    }


def _dialog(qtbot: Any, ctx: AppContext) -> SarDialog:
    dialog = SarDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_list_shows_deadlines_and_overdue_in_red(
    qtbot: Any, ctx: AppContext, requests: dict[str, int], tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, ctx)
    assert dialog.column(1) == ["Bob Bramble", "Ada Lowmoor"]
    assert dialog.column(4) == ["24 Mar 2025", "28 Feb 2025"]
    assert dialog.column(DAYS_LEFT) == ["4 days left", "Overdue by 20 days"]
    overdue = dialog.table.item(1, DAYS_LEFT)
    assert overdue.foreground().color() == QColor(style.ERROR) and overdue.font().bold()
    assert dialog.table.item(0, DAYS_LEFT).foreground().color() == QColor(style.WARNING_TEXT)
    assert dialog.summary.text() == "2 awaiting an answer, 1 overdue, 1 due within 7 days."
    assert not dialog.extend_button.isEnabled() and not dialog.export_button.isEnabled()
    dialog.select(requests["overdue"])
    assert dialog.extend_button.isEnabled() and dialog.sent_button.isEnabled()
    assert "there is no 31 February 2025" in dialog.detail.text()
    # For looking at: the dialog as drawn.
    assert dialog.grab().save(str(tmp_path / "sar_dialog.png"))


def test_log_extend_export_and_send(
    qtbot: Any,
    ctx: AppContext,
    dialogs: Any,
    requests: dict[str, int],
    tmp_path: Path,
) -> None:
    dialog = _dialog(qtbot, ctx)
    seen: dict[str, Any] = {}

    def log_for_carol(d: LogRequestDialog) -> None:
        click(qtbot, d.save_button)  # no member yet: said under the form
        seen["empty"] = d.message.text()
        type_into(qtbot, d.number, "M003")
        d.received.setDate(QDate(2025, 1, 31))
        seen["due"] = d.due.text()
        type_into(qtbot, d.notes, "Letter =1+1 <b>")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(log_for_carol)
    click(qtbot, dialog.log_button)
    assert seen["empty"] == "Enter the membership number of the member asking."
    assert seen["due"].endswith("28 February 2025.")
    assert dialog.selected() is not None and dialog.selected().member_name == "Carol Singer"  # type: ignore[union-attr]
    carol = dialog.selected()
    assert carol is not None and carol.notes == "Letter =1+1 <b>"

    def extend_without_then_with_a_reason(d: ExtendDialog) -> None:
        click(qtbot, d.save_button)
        seen["no reason"] = d.message.text()
        d.months.setCurrentIndex(1)
        seen["new due"] = d.due.text()
        type_into(qtbot, d.reason, "Records across several cases")
        click(qtbot, d.save_button)

    dialogs.dialogs.append(extend_without_then_with_a_reason)
    click(qtbot, dialog.extend_button)
    assert "reason" in seen["no reason"]
    assert seen["new due"].endswith("30 April 2025.")
    row = dialog.table.currentRow()
    assert dialog.table.item(row, 4).text() == "30 Apr 2025"
    assert dialog.table.item(row, DAYS_LEFT).text() == "41 days left"

    # The export: a new folder inside the one chosen, written off the GUI thread.
    dialog.choose_folder = lambda: tmp_path  # type: ignore[method-assign]
    dialogs.confirms.append(False)  # do not open the folder
    click(qtbot, dialog.export_button)
    ctx.worker.wait_for_done()
    qtbot.waitUntil(lambda: dialog.last_export is not None, timeout=10_000)
    folder = dialog.last_export
    assert folder is not None and folder.parent == tmp_path
    assert folder.name == "Subject access M003 2025-03-20"
    assert len(list(folder.iterdir())) == 3
    title, text = dialogs.messages("confirm")[-1]
    assert title == "Subject access export written" and "NOT FOR RELEASE" in text
    exported = register.get_request(ctx.db, carol.id)
    assert exported.status == "in_progress" and exported.export_folder == str(folder)
    assert dialog.table.item(dialog.table.currentRow(), 6).text() == "In progress"

    def send(d: SentDialog) -> None:
        seen["sent text"] = d.windowTitle()
        d.sent.setDate(QDate(2025, 3, 19))
        click(qtbot, d.save_button)

    dialogs.dialogs.append(send)
    click(qtbot, dialog.sent_button)
    assert seen["sent text"] == f"Mark request {carol.id} as sent — Carol Singer"
    row = dialog.table.currentRow()
    assert dialog.table.item(row, 6).text() == "Sent"
    assert dialog.table.item(row, 7).text() == "19 Mar 2025"
    assert dialog.table.item(row, DAYS_LEFT).text() == ""
    assert not dialog.sent_button.isEnabled() and dialog.export_button.isEnabled()


def test_an_export_into_a_busy_folder_gets_a_new_one(
    qtbot: Any, ctx: AppContext, dialogs: Any, requests: dict[str, int], tmp_path: Path
) -> None:
    (tmp_path / "Subject access M001 2025-03-20").mkdir()
    (tmp_path / "Subject access M001 2025-03-20" / "old.txt").write_text("x")
    dialog = _dialog(qtbot, ctx)
    dialog.select(requests["overdue"])
    dialog.choose_folder = lambda: tmp_path  # type: ignore[method-assign]
    dialogs.confirms.append(False)
    click(qtbot, dialog.export_button)
    ctx.worker.wait_for_done()
    qtbot.waitUntil(lambda: dialog.last_export is not None, timeout=10_000)
    assert dialog.last_export is not None
    assert dialog.last_export.name == "Subject access M001 2025-03-20 (2)"


def test_the_menu_opens_it_for_the_secretary_only(
    qtbot: Any, ctx: AppContext, dialogs: Any, db: Database, requests: dict[str, int]
) -> None:
    add_officers(db, "treasurer")
    window = open_window(qtbot, ctx)
    assert window.sar_action.isEnabled()
    seen: list[list[str]] = []

    def look(d: SarDialog) -> None:
        seen.append(d.column(2))
        click(qtbot, d.close_button)

    dialogs.dialogs.append(look)
    window.sar_action.trigger()
    assert seen == [["M002", "M001"]]
    window.close()

    sign_in_as(db, "treasurer")
    treasurer = open_window(qtbot, ctx)
    assert not treasurer.sar_action.isEnabled()
    assert treasurer.sar_action.toolTip() == (
        "Only the branch secretary handles members' subject access requests."
    )
    # Opened all the same (say, by a test or a future shortcut), the service layer refuses.
    dialog = SarDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.rows == []
    title, text = dialogs.messages("error")[-1]
    assert title == "The requests could not be read"
    assert "only the branch secretary" in text and "Terry Example" in text


def test_every_input_has_a_name_for_screen_readers(
    qtbot: Any, ctx: AppContext, requests: dict[str, int]
) -> None:
    dialog = _dialog(qtbot, ctx)
    assert unnamed_inputs(dialog) == []
    assert dialog.table.objectName() == "sarTable"
    row = dialog.rows[0]
    for form in (
        LogRequestDialog(ctx, dialog, TODAY),
        ExtendDialog(ctx, row, dialog),
        SentDialog(ctx, row, dialog, TODAY),
    ):
        assert unnamed_inputs(form) == [], form.windowTitle()


def test_the_register_speaks_through_the_translator(
    qtbot: Any, ctx: AppContext, requests: dict[str, int]
) -> None:
    with pseudo_translation():
        dialog = _dialog(qtbot, ctx)
        extend = ExtendDialog(ctx, dialog.rows[0], dialog)
    assert dialog.windowTitle() == "[Subject access requests]"
    assert dialog.table.horizontalHeaderItem(DAYS_LEFT).text() == "[Days left]"
    assert dialog.summary.text() == "[2 awaiting an answer, 1 overdue, 1 due within 7 days.]"
    assert [extend.months.itemText(i) for i in range(extend.months.count())] == [
        "[1 more month]",
        "[2 more months]",
    ]
    # The months are read from the item's data, never from its words.
    assert extend.months.itemData(1) == 2
