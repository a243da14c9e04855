"""Edit › Preferences: the branch's retention schedule (the secretary's to change, saved in the
database) and the folder for the daily backups (this user's, saved in preferences)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from officer_helpers import add_officers, open_window, sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QSpinBox
from qt_checks import pseudo_translation, unnamed_inputs
from sqlalchemy import func, select
from ui_helpers import click, type_into

from branchdesk.privacy.retention import DEFAULT_SCHEDULE, Schedule, load_schedule, save_schedule
from branchdesk.settings import OPTIONS, Preferences
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.schedule import backups_folder
from branchdesk.ui import preferences_dialog
from branchdesk.ui.context import AppContext
from branchdesk.ui.preferences_dialog import PreferencesDialog
from branchdesk.ui.privacy.retention_dialog import RetentionDialog

pytestmark = pytest.mark.timeout(120)


def _dialog(qtbot: Any, ctx: AppContext) -> PreferencesDialog:
    dialog = PreferencesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type_years(qtbot: Any, box: QSpinBox, years: str) -> None:
    box.setFocus()
    box.selectAll()  # the number, not the " years after …" after it
    qtbot.keyClicks(box, years)


def _schedule_writes(db: Database) -> int:
    with db.read(system=True) as session:
        return session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.table_name == "branch_settings")
        )


def _still_open(dialog: QDialog) -> bool:
    return dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted


# -- the retention schedule ------------------------------------------------------------------


def test_the_secretary_changes_closed_cases_to_seven_years(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    add_officers(db)  # the secretary, signed in
    window = open_window(qtbot, ctx)

    def seven(d: PreferencesDialog) -> None:
        box = d.retention.case_years
        assert box.value() == 6 and not box.isReadOnly()
        assert "limitation period" in box.toolTip()
        _type_years(qtbot, box, "7")
        assert box.value() == 7
        click(qtbot, d.save_button)

    dialogs.dialogs.append(seven)
    window.preferences_action.trigger()
    assert not dialogs.messages("error")
    schedule, version = load_schedule(db)
    assert schedule.closed_case_years == 7
    assert schedule == Schedule(closed_case_years=7)  # nothing else moved
    assert version is not None

    # The retention review reads the same schedule, through the same boxes.
    review = RetentionDialog(ctx)
    qtbot.addWidget(review)
    assert review.case_years is review.editor.case_years
    assert review.case_years.value() == 7


def test_saving_an_unchanged_schedule_writes_nothing(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    dialog = _dialog(qtbot, ctx)
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_schedule(db) == (DEFAULT_SCHEDULE, None)  # the defaults were never stored
    assert _schedule_writes(db) == 0

    save_schedule(db, Schedule(member_years=3), None)
    writes, version = _schedule_writes(db), load_schedule(db)[1]
    dialog = _dialog(qtbot, ctx)
    assert dialog.retention.member_years.value() == 3
    _type_years(qtbot, dialog.retention.member_years, "4")
    _type_years(qtbot, dialog.retention.member_years, "3")  # and back again
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_schedule(db) == (Schedule(member_years=3), version)
    assert _schedule_writes(db) == writes


def test_without_accounts_anyone_may_change_it(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    # As in the demo branch: the service layer has no roles to check, so neither does the form.
    assert not db.sign_in_required
    dialog = _dialog(qtbot, ctx)
    _type_years(qtbot, dialog.retention.claim_years, "7")
    click(qtbot, dialog.save_button)
    assert load_schedule(db)[0].hardship_claim_years == 7


@pytest.mark.parametrize("role", ["treasurer", "caseworker"])
def test_another_role_sees_read_only_boxes(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, role: str
) -> None:
    save_schedule(db, Schedule(closed_case_years=8), None)  # before anyone signs in
    add_officers(db, role)
    sign_in_as(db, role)
    stored = load_schedule(db)
    writes = _schedule_writes(db)

    dialog = _dialog(qtbot, ctx)
    editor = dialog.retention
    for box in (editor.case_years, editor.member_years, editor.claim_years, editor.year_end_day):
        assert box.isReadOnly()
        assert box.toolTip().startswith("Only the branch secretary changes the retention schedule.")
        assert "does not include changing" in box.toolTip()
    assert not editor.year_end_month.isEnabled()
    assert editor.case_years.value() == 8  # still shown, as stored

    _type_years(qtbot, editor.case_years, "9")
    qtbot.keyClick(editor.case_years, Qt.Key.Key_Up)
    assert editor.case_years.value() == 8
    click(qtbot, dialog.save_button)
    assert dialog.result() == QDialog.DialogCode.Accepted  # their other preferences are saved
    assert not dialogs.messages("error")
    assert load_schedule(db) == stored
    assert _schedule_writes(db) == writes


def test_a_refusal_keeps_the_dialog_open(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, prefs: Preferences
) -> None:
    add_officers(db, "treasurer")
    dialog = _dialog(qtbot, ctx)  # opened by the secretary…
    sign_in_as(db, "treasurer")  # …who is not the one at the keyboard by the time it is saved
    _type_years(qtbot, dialog.retention.case_years, "7")
    type_into(qtbot, dialog.branch_name, "Renamed Branch")
    click(qtbot, dialog.save_button)

    [(title, text)] = dialogs.messages("error")
    assert title == "Retention schedule not saved"
    assert "Only the branch secretary changes the retention schedule." in text
    assert "Nothing has been saved yet." in text
    assert _still_open(dialog)
    assert load_schedule(db) == (DEFAULT_SCHEDULE, None)
    assert Preferences(prefs.path).branch_name != "Renamed Branch"
    # The stored schedule is shown again, and can no longer be changed here.
    assert dialog.retention.case_years.value() == 6
    assert dialog.retention.case_years.isReadOnly()

    click(qtbot, dialog.save_button)  # the rest is saved now
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert Preferences(prefs.path).branch_name == "Renamed Branch"
    assert load_schedule(db) == (DEFAULT_SCHEDULE, None)


def test_a_schedule_changed_meanwhile_is_not_overwritten(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    dialog = _dialog(qtbot, ctx)
    save_schedule(db, Schedule(member_years=4), None)  # on another PC, after it was opened
    _type_years(qtbot, dialog.retention.case_years, "7")
    click(qtbot, dialog.save_button)

    [(title, text)] = dialogs.messages("error")
    assert title == "Retention schedule not saved"
    assert "Someone else changed the retention schedule" in text
    assert _still_open(dialog)
    assert load_schedule(db)[0] == Schedule(member_years=4)
    # Their schedule is shown now, so the next save starts from it.
    assert dialog.retention.member_years.value() == 4
    assert dialog.retention.case_years.value() == 6
    _type_years(qtbot, dialog.retention.case_years, "7")
    click(qtbot, dialog.save_button)
    assert load_schedule(db)[0] == Schedule(member_years=4, closed_case_years=7)


def test_a_year_end_that_is_no_day_is_refused(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any
) -> None:
    dialog = _dialog(qtbot, ctx)
    dialog.retention.year_end_month.setCurrentIndex(1)  # February, with the 31st still there
    click(qtbot, dialog.save_button)
    [(title, text)] = dialogs.messages("error")
    assert title == "Retention schedule not saved" and "not a day of the year" in text
    assert _still_open(dialog)
    assert load_schedule(db) == (DEFAULT_SCHEDULE, None)


def test_every_new_control_has_a_name_and_a_tooltip(qtbot: Any, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    editor = dialog.retention
    controls = (
        editor.case_years,
        editor.member_years,
        editor.claim_years,
        editor.year_end_day,
        editor.year_end_month,
        dialog.backup_folder,
        dialog.browse_button,
    )
    for control in controls:
        assert control.accessibleName(), control.objectName()
        assert control.toolTip(), control.objectName()


def test_every_input_has_a_name_for_screen_readers(qtbot: Any, ctx: AppContext) -> None:
    assert unnamed_inputs(_dialog(qtbot, ctx)) == []


def test_the_labels_are_the_settings_own_and_go_through_the_translator(
    qtbot: Any, ctx: AppContext
) -> None:
    # The dialog keeps its own copy of the options' English labels, for the translator.
    labels = {option.key: option.label for option in OPTIONS}
    for key, label in preferences_dialog._LABELS.items():
        assert labels[key] == label, key
    with pseudo_translation():
        dialog = _dialog(qtbot, ctx)
    assert dialog.windowTitle() == "[Preferences]"
    assert dialog.backup_folder.accessibleName() == "[Folder for the daily backups]"
    assert dialog.lock_after.specialValueText() == "[Never]"
    assert dialog.retention.year_end_month.itemText(0) == "[January]"
    # A month is found by its place in the list, whatever its name: the schedule reads the same.
    assert dialog.retention.schedule() == load_schedule(ctx.db)[0]


# -- the backup folder -----------------------------------------------------------------------


def test_the_backup_folder_typed_in_is_saved_and_used(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, prefs: Preferences
) -> None:
    assert db.path is not None
    dialog = _dialog(qtbot, ctx)
    assert dialog.backup_folder.text() == ""
    assert "backups" in dialog.backup_folder.placeholderText()
    assert "beside the database" in dialog.backup_folder.placeholderText()
    assert "taken from the database's folder" in dialog.backup_folder.toolTip()
    type_into(qtbot, dialog.backup_folder, "  copies  ")
    click(qtbot, dialog.save_button)

    saved = Preferences(prefs.path).get("backup_folder")
    assert saved == "copies"
    # A relative folder is taken from the database's folder; read from the preferences file.
    assert backups_folder(db.path) == db.path.parent / "copies"
    assert (
        backups_folder(db.path, ctx.preferences.get("backup_folder")) == db.path.parent / "copies"
    )

    # Emptied, it is the default again.
    dialog = _dialog(qtbot, ctx)
    assert dialog.backup_folder.text() == "copies"
    type_into(qtbot, dialog.backup_folder, "")
    click(qtbot, dialog.save_button)
    assert Preferences(prefs.path).get("backup_folder") == ""
    assert backups_folder(db.path) == db.path.parent / "backups"


def test_browse_takes_the_folder_chosen(
    qtbot: Any,
    ctx: AppContext,
    db: Database,
    prefs: Preferences,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert db.path is not None
    chosen = tmp_path / "usb stick" / "branch backups"
    chosen.mkdir(parents=True)
    answers = [str(chosen), ""]  # a folder, then Cancel
    asked: list[tuple[str, str]] = []

    def pick(parent: Any, caption: str = "", directory: str = "", *args: Any) -> str:
        asked.append((caption, directory))
        return answers.pop(0)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick))
    dialog = _dialog(qtbot, ctx)
    click(qtbot, dialog.browse_button)
    assert dialog.backup_folder.text() == str(chosen)
    # It starts where the database is, as no backups folder exists yet.
    assert asked == [("Folder for the daily backups", str(db.path.parent))]
    click(qtbot, dialog.browse_button)  # cancelled: the folder stays
    assert dialog.backup_folder.text() == str(chosen)
    assert asked[1][1] == str(chosen)  # this time from the folder already chosen
    click(qtbot, dialog.save_button)
    assert Preferences(prefs.path).get("backup_folder") == str(chosen)
    assert backups_folder(db.path) == chosen


def test_a_file_is_not_a_backup_folder(
    qtbot: Any, ctx: AppContext, db: Database, dialogs: Any, prefs: Preferences, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    dialog = _dialog(qtbot, ctx)
    type_into(qtbot, dialog.backup_folder, "notes.txt")
    click(qtbot, dialog.save_button)
    [(title, text)] = dialogs.messages("error")
    assert title == "Preferences not saved" and "is a file, not a folder" in text
    assert _still_open(dialog)
    assert Preferences(prefs.path).get("backup_folder") == ""


def test_a_shared_database_has_no_backup_folder(
    qtbot: Any, ctx: AppContext, prefs: Preferences, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefs.set("backup_folder", "copies")
    # As a PostgreSQL database has: no file, so no path.
    monkeypatch.setattr(Database, "path", property(lambda self: None))
    dialog = _dialog(qtbot, ctx)
    for control in (dialog.backup_folder, dialog.browse_button):
        assert not control.isEnabled()
        assert "PostgreSQL" in control.toolTip()
    click(qtbot, dialog.save_button)
    assert Preferences(prefs.path).get("backup_folder") == "copies"  # left as it was
