"""A document attached to a case of an encrypted database, attached and opened in the window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import add_known_members
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from ui_helpers import click

from branchdesk.access.encryption import create_encrypted
from branchdesk.casework.documents import (
    clear_viewing_folder,
    documents_folder,
    viewing_folder,
)
from branchdesk.casework.service import CaseForm, case_id_by_reference, open_case
from branchdesk.store.audit_view import AuditFilter, AuditListing
from branchdesk.store.database import Database
from branchdesk.store.sealed import is_sealed
from branchdesk.ui.casework.casework_tab import CaseworkTab
from branchdesk.ui.context import AppContext

LETTER = b"%PDF-1.4 a letter about QZSEALEDUI\n" * 100


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    made = create_encrypted(tmp_path / "t.sqlite3", "Test Officer", "test officer pass")
    add_known_members(made.db)
    yield made.db
    made.db.dispose()


@pytest.fixture
def tab(qtbot: Any, ctx: AppContext) -> CaseworkTab:
    widget = CaseworkTab(ctx)
    qtbot.addWidget(widget, before_close_func=ctx.dialogs.closing)  # type: ignore[attr-defined]
    widget.resize(1280, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_sealed_document_opens_as_a_plain_copy_that_is_cleared_afterwards(
    qtbot: Any,
    tab: CaseworkTab,
    db: Database,
    dialogs: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = open_case(
        db,
        CaseForm(
            membership_number="M001",
            case_type="grievance",
            title="Rota changes",
            rep="Test Officer",
            opened_on=date(2026, 11, 2),
        ),
        today=date(2026, 11, 2),
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    page = tab.cases_page
    page.show_case(case_id)
    qtbot.waitUntil(lambda: page.detail.case is not None)
    letter = tmp_path / "outcome letter.pdf"
    letter.write_bytes(LETTER)
    dialogs.open_files.append(letter)
    click(qtbot, page.attach_button)
    qtbot.waitUntil(lambda: page.detail.documents.rowCount() == 1, timeout=5000)
    (stored,) = documents_folder(db).rglob("*.pdf")
    assert is_sealed(stored) and b"QZSEALEDUI" not in stored.read_bytes()

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.open_document(0)
    assert dialogs.messages("error") == []
    (url,) = opened
    copy = Path(url.toLocalFile())
    assert copy.name == "outcome letter.pdf" and copy.read_bytes() == LETTER
    assert viewing_folder() in copy.parents
    # The viewer's copy is a disclosure like an export: it is in the audit log.
    assert AuditListing(db, AuditFilter(action="export", table="case_documents")).ids()
    assert clear_viewing_folder() == 1 and not copy.exists()
