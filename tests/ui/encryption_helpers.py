"""Encrypted databases for GUI tests, and the dialogs worked as a person would (all fictional)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from officer_helpers import OFFICERS, PASSWORD
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton
from ui_helpers import click, type_into

from branchdesk.access.encryption import create_encrypted
from branchdesk.access.officers import add_officer
from branchdesk.members.service import MemberForm, create_member

SQLITE_HEADER = b"SQLite format 3\x00"
SURNAME = "Quillfeather"  # a surname no other text in BranchDesk contains


def encrypted_branch(path: Path) -> str:
    """An encrypted database with the secretary, a treasurer and one member; its recovery code."""
    path.parent.mkdir(parents=True, exist_ok=True)
    made = create_encrypted(path, OFFICERS["secretary"], PASSWORD)
    try:
        add_officer(made.db, OFFICERS["treasurer"], "treasurer", PASSWORD)
        create_member(
            made.db,
            MemberForm(membership_number="E001", first_name="Edith", last_name=SURNAME),
        )
    finally:
        made.db.dispose()
    return made.recovery_code


def files_holding(folder: Path, text: bytes) -> list[Path]:
    """Every file under `folder` whose bytes contain `text`."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and text in p.read_bytes())


def tick(qtbot: Any, box: QCheckBox) -> None:
    """Click a check box on its square (a box stretched across a dialog is not clicked in its
    middle, where there is nothing to click)."""
    assert box.isEnabled(), f"{box.text()!r} is disabled"
    option = QStyleOptionButton()
    box.initStyleOption(option)
    square = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=square.center())


def sign_in_with(qtbot: Any, name: str = OFFICERS["secretary"], password: str = PASSWORD) -> Any:
    def fill(d: Any) -> None:
        type_into(qtbot, d.name_edit, name)
        type_into(qtbot, d.password, password)
        click(qtbot, d.sign_in_button)

    return fill


def keep_code(qtbot: Any, seen: dict[str, Any]) -> Any:
    """Work the recovery-code dialog: note the code, tick the box, click Done."""

    def keep(d: Any) -> None:
        seen["code"] = d.code
        seen["shown"] = d.code_label.text()
        seen["heading"] = d.windowTitle()
        assert not d.done_button.isEnabled()
        tick(qtbot, d.confirm_box)
        click(qtbot, d.done_button)

    return keep


def set_up(
    qtbot: Any, *, encrypt: bool = True, branch: str = "Northmoor Branch (fictional)"
) -> Any:
    """Work the set-up of a new database, leaving "Encrypt this database" as it is or not."""

    def fill(d: Any) -> None:
        assert d.encrypt_box.isVisible() and d.encrypt_box.isChecked()  # on by default
        if not encrypt:
            tick(qtbot, d.encrypt_box)
        type_into(qtbot, d.branch_edit, branch)
        type_into(qtbot, d.name_edit, OFFICERS["secretary"])
        type_into(qtbot, d.new_password.password, PASSWORD)
        type_into(qtbot, d.new_password.again, PASSWORD)
        click(qtbot, d.create_button)

    return fill
