"""Shared test set-up: fresh folders and settings per test, SQLite and a real PostgreSQL."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt has no display in tests; this must be set before anything loads Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

import pgserver

from branchdesk.store.database import Database, open_database


@pytest.fixture(autouse=True)
def _isolated_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reads or writes the real user's data, settings or default database."""
    monkeypatch.setenv("BRANCHDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRANCHDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("BRANCHDESK_DB", raising=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.PgServer]:
    reason = pgserver.available()
    if reason is not None:
        if os.environ.get("BRANCHDESK_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unavailable: {reason}")
        pytest.skip(f"PostgreSQL unavailable: {reason}")
    server = pgserver.PgServer.start()
    try:
        yield server
    finally:
        server.stop()


def _sqlite(tmp_path: Path) -> Database:
    return open_database(tmp_path / "branch.sqlite3", officer="Test Officer")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database."""
    database = _sqlite(tmp_path)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database on SQLite and, in a second run, on PostgreSQL."""
    if request.param == "sqlite":
        database = _sqlite(tmp_path)
        yield database
        database.dispose()
        return
    server: pgserver.PgServer = request.getfixturevalue("pg_server")
    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:50]
    server.drop_database(name)
    database = open_database(server.create_database(name), officer="Test Officer")
    yield database
    database.dispose()
    server.drop_database(name)
