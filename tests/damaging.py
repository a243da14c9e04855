"""A fictional branch database to copy, and the four ways a file gets damaged, for the
damage, backup and recovery tests (command line and window alike)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from branchdesk.store.database import open_database


def _flip_a_data_page(data: bytes) -> bytes:
    """One byte of the members table's first page changed: its page-type byte."""
    page_size = int.from_bytes(data[16:18], "big")
    conn = sqlite3.connect(":memory:")
    try:
        # An in-memory copy cannot be in WAL mode: mark it as a rollback-journal file.
        conn.deserialize(data[:18] + b"\x01\x01" + data[20:])
        [(root,)] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'members'")
    finally:
        conn.close()
    damaged = bytearray(data)
    damaged[(root - 1) * page_size] ^= 0xFF
    return bytes(damaged)


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "flipped-byte": _flip_a_data_page,
    "truncated": lambda data: data[: len(data) * 2 // 3 + 123],
    "garbage-appended": lambda data: data + b"\x9c\x17 not part of any database \x00" * 40,
    "zeroed-header": lambda data: b"\x00" * 100 + data[100:],
}


def damage(path: Path, kind: str) -> bytes:
    """Damage the (closed) database at `path`; returns the damaged bytes."""
    assert not Path(f"{path}-wal").exists(), "close the database first"
    damaged = DAMAGE[kind](path.read_bytes())
    path.write_bytes(damaged)
    return damaged


def fingerprint(path: Path) -> tuple[str, int, bool, bool]:
    """The file's content and time, and whether SQLite left -wal or -shm files beside it."""
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime_ns,
        Path(f"{path}-wal").exists(),
        Path(f"{path}-shm").exists(),
    )


def member_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM members").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="session")
def branch_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo branch (300 fictional members), made once and copied by each test."""
    import os

    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    old = os.environ.get("BRANCHDESK_DATA_DIR")
    os.environ["BRANCHDESK_DATA_DIR"] = str(folder / "data")
    try:
        from branchdesk.demo import fill_demo

        db = open_database(path, officer="Test Officer")
        fill_demo(db, "small", 5)
        db.dispose()
    finally:
        if old is None:
            os.environ.pop("BRANCHDESK_DATA_DIR", None)
        else:
            os.environ["BRANCHDESK_DATA_DIR"] = old
    assert not Path(f"{path}-wal").exists()
    return path


def copy_branch(template: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return path
