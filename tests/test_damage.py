"""A damaged database is found when it is opened, nothing is written to it, and the command
line names the newest good backup and the command that restores it."""

from __future__ import annotations

import shlex
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from damaging import DAMAGE, branch_template, copy_branch, damage, fingerprint, member_count

from branchdesk.cli import main
from branchdesk.store import damage as damage_module
from branchdesk.store.database import connect, open_database
from branchdesk.store.errors import DatabaseDamaged
from branchdesk.store.schedule import take_backup

__all__ = ["branch_template"]  # the fixture, imported for pytest

KINDS = list(DAMAGE)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def branch(branch_template: Path, tmp_path: Path) -> Path:
    return copy_branch(branch_template, tmp_path / "office" / "branch.sqlite3")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_damage_is_found_at_open_and_nothing_is_written(
    branch: Path, kind: str
) -> None:
    damage(branch, kind)
    before = fingerprint(branch)
    assert damage_module.check_at_open(branch) is not None
    with pytest.raises(DatabaseDamaged, match="is damaged") as info:
        connect(branch)
    assert str(branch) in str(info.value) and "restore it from a backup" in str(info.value)
    with pytest.raises(DatabaseDamaged):
        open_database(branch)
    # Not a byte changed, and no -wal or -shm file was made beside it.
    assert fingerprint(branch) == before
    assert sorted(p.name for p in branch.parent.iterdir()) == ["branch.sqlite3"]


def test_the_messages_say_what_is_wrong(branch: Path) -> None:
    data = branch.read_bytes()
    expected = {
        "truncated": "cut short",
        "garbage-appended": "bytes were added after the end",
        "zeroed-header": "does not start like a SQLite database",
        "flipped-byte": "SQLite's check of its pages found",
    }
    for kind, words in expected.items():
        branch.write_bytes(DAMAGE[kind](data))
        problem = damage_module.check_at_open(branch)
        assert problem is not None and words in problem, (kind, problem)


def test_a_healthy_database_passes_and_so_do_a_new_and_an_empty_file(
    branch: Path, tmp_path: Path
) -> None:
    assert damage_module.check_at_open(branch) is None
    assert damage_module.check_at_open(tmp_path / "not-yet.sqlite3") is None
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert damage_module.check_at_open(tmp_path / "empty.sqlite3") is None


def test_a_database_another_copy_has_open_with_a_busy_wal_is_not_called_damaged(
    branch: Path,
) -> None:
    """With another connection's WAL beside it, the file may be shorter than its newest state:
    the size check waits for the WAL to be replayed, and quick_check reads through it."""
    other = sqlite3.connect(branch)
    try:
        other.execute("PRAGMA wal_autocheckpoint = 0")
        other.execute("CREATE TABLE grow (x)")
        other.executemany("INSERT INTO grow VALUES (?)", [("x" * 500,)] * 2000)
        other.commit()
        assert Path(f"{branch}-wal").stat().st_size > 100_000
        assert damage_module.check_at_open(branch) is None
        connect(branch).dispose()
    finally:
        other.close()


def test_a_large_file_is_fully_checked_once_a_day(
    branch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the size limit quick_check runs only until the day's backup exists (the backup
    itself copies and checks every page); the header check runs at every open."""
    monkeypatch.setattr(damage_module, "FULL_CHECK_MAX_BYTES", 0)
    damage(branch, "flipped-byte")
    assert damage_module.check_at_open(branch) is not None  # no backup today: full check
    backup = branch.parent / "backups" / f"branch.backup-{datetime.now():%Y-%m-%d}-000001.sqlite3"
    backup.parent.mkdir()
    backup.write_bytes(b"")  # only its name matters here
    assert damage_module.check_at_open(branch) is None  # already checked today
    tomorrow = date.today() + timedelta(days=1)
    assert damage_module.check_at_open(branch, today=tomorrow) is not None
    damage(branch, "garbage-appended")
    assert damage_module.check_at_open(branch) is not None  # the header check always runs


@pytest.mark.parametrize("kind", KINDS)
def test_the_command_line_names_the_newest_good_backup_and_the_command(
    branch: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = branch.parent / "backups"
    take_backup(branch, folder, datetime(2026, 11, 27, 9, 12))
    good = take_backup(branch, folder, datetime(2026, 11, 28, 9, 12))
    newest = take_backup(branch, folder, datetime(2026, 11, 29, 9, 12))
    damage(newest, "truncated")  # the newest backup is no good: the one before is offered
    members = member_count(branch)
    damaged = damage(branch, kind)
    before = fingerprint(branch)

    status, out, err = run(capsys, "--db", str(branch), "list", "members")
    assert status == 1 and out == ""
    assert "is damaged" in err and "has not changed the file" in err
    assert "The newest good backup is from 28 Nov 2026 09:12 (daily backup)" in err
    assert "1 newer backup failed its checks" in err
    command = err.strip().splitlines()[-1].strip()
    assert command == shlex.join(["branchdesk", "--db", str(branch), "restore", str(good)])
    assert fingerprint(branch) == before

    # `check` says the same; then the command it printed restores the database.
    status, out, _ = run(capsys, "--db", str(branch), "check")
    assert status == 1 and "problem:" in out and command in out
    assert fingerprint(branch) == before
    status, out, err = run(capsys, *shlex.split(command)[1:])
    assert status == 0, err
    assert member_count(branch) == members
    kept = Path(out.split("kept in ")[1].strip())
    assert kept.read_bytes() == damaged  # the damaged file, kept as it was
    assert run(capsys, "--db", str(branch), "check")[0] == 0


def test_without_a_good_backup_the_command_line_says_so(
    branch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage(branch, "zeroed-header")
    status, _, err = run(capsys, "--db", str(branch), "export", "members", "--out", "m.xlsx")
    assert status == 1
    assert "No good backup of it was found" in err
    assert "restore BACKUP-FILE" in err
