"""Daily backups, their rotation, pruning by their own file names only, and the restore drill."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from damaging import branch_template, copy_branch, damage, fingerprint, member_count

from branchdesk.cli import main
from branchdesk.members.service import MemberForm, create_member
from branchdesk.settings import Preferences
from branchdesk.store import schedule
from branchdesk.store.database import open_database
from branchdesk.store.drill import backup_file, newest_backup, run_drill
from branchdesk.store.errors import DatabaseDamaged, StoreError
from branchdesk.store.schedule import (
    BackupFile,
    backup_name,
    backups_folder,
    prune,
    scheduled_backups,
    take_backup,
    take_daily_backup,
    to_keep,
)

__all__ = ["branch_template"]  # the fixture, imported for pytest


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


def _fake_backups(db: Path, folder: Path, days: list[datetime]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for moment in days:
        path = folder / backup_name(db, moment)
        path.write_bytes(b"a backup")
        paths.append(path)
    return paths


# -- the rotation ------------------------------------------------------------------------------


def test_the_rotation_keeps_7_days_5_weeks_and_12_months() -> None:
    start = datetime(2025, 1, 1, 9, 0)
    backups = [
        BackupFile(Path(f"b{n}-{m}"), start + timedelta(days=n, minutes=m), "daily")
        for n in range(400)
        for m in (0, 30)  # two a day: only the later one of a day is ever kept
    ]
    kept = {b.taken for b in backups if b.path in to_keep(backups)}
    newest = max(b.taken for b in backups)
    days = {newest.date() - timedelta(days=n) for n in range(7)}
    assert {t.date() for t in kept} >= days
    assert all(t.minute == 30 for t in kept)
    weeks = {t.isocalendar()[:2] for t in kept}
    months = {(t.year, t.month) for t in kept}
    assert len(weeks) >= 5 and len(months) == 12
    assert len(kept) <= 7 + 5 + 12
    # Nothing older than the 12th month back survives.
    assert min(kept) >= datetime(newest.year - 1, newest.month + 1, 1)


def test_a_few_backups_are_all_kept() -> None:
    backups = [
        BackupFile(Path(f"b{n}"), datetime(2026, 3, 1) + timedelta(days=n), "daily")
        for n in range(5)
    ]
    assert to_keep(backups) == {b.path for b in backups}


def test_pruning_deletes_only_this_databases_own_backups(branch: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shared backups"
    ours = _fake_backups(
        branch, folder, [datetime(2026, 1, 1, 9) + timedelta(days=n) for n in range(60)]
    )
    strangers = [
        "notes.txt",
        "branch.sqlite3",
        "branch.backup-2026-01-01-090000.sqlite3.txt",
        "branch.backup-2026-01-01-090000 (copy).sqlite3",
        "branch.backup-2026-13-40-090000.sqlite3",  # not a date
        "branch.backup-2026-01-01-0900.sqlite3",
        "Branch.backup-2026-01-02-090000.sqlite3",
        "my-branch.backup-2026-01-01-090000.sqlite3",
        "other.backup-2026-01-01-090000.sqlite3",
        "branch.before-upgrade-20260101-090000-000000.sqlite3",
        "branch.before-restore-20260101-090000-000000.sqlite3",
        "x.branch.backup-2026-01-01-090000.sqlite3",
    ]
    for name in strangers:
        if not (folder / name).exists():  # case-insensitive file systems
            (folder / name).write_text("someone's own file")
    (folder / "branch.backup-2026-01-03-090000.sqlite3.d").mkdir()
    # A folder named exactly like a backup is not a file: left alone too.
    (folder / "sub").mkdir()
    (folder / "sub" / "branch.backup-2026-01-04-090000.sqlite3").write_bytes(b"x")
    # And another database with the same pattern's backups, side by side.
    other_db = tmp_path / "elsewhere" / "other.sqlite3"
    theirs = _fake_backups(
        other_db, folder, [datetime(2025, 6, 1, 9) + timedelta(days=n) for n in range(40)]
    )

    removed = prune(branch, folder)
    assert removed and set(removed) <= set(ours)
    left = set(folder.iterdir())
    assert all(t in left for t in theirs)
    assert all((folder / name).exists() for name in strangers)
    assert (folder / "sub" / "branch.backup-2026-01-04-090000.sqlite3").exists()
    assert (folder / "branch.backup-2026-01-03-090000.sqlite3.d").is_dir()
    assert len(scheduled_backups(branch, folder)) == len(ours) - len(removed)


def test_a_stale_half_written_backup_is_removed_but_not_a_fresh_one(
    branch: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    stale = folder / ".branch.backup-2026-01-01-090000.sqlite3.k2j3_x9a.part"
    fresh = folder / ".branch.backup-2026-01-02-090000.sqlite3.q8w7e6r5.part"
    stranger = folder / ".other.backup-2026-01-01-090000.sqlite3.k2j3_x9a.part"
    for path in (stale, fresh, stranger):
        path.write_bytes(b"half")
    old = time.time() - 3 * 24 * 3600
    os.utime(stale, (old, old))
    os.utime(stranger, (old, old))
    prune(branch, folder)
    assert not stale.exists() and fresh.exists() and stranger.exists()


# -- taking backups ----------------------------------------------------------------------------


def test_the_daily_backup_is_taken_once_a_day_checked_and_rotated(
    branch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = branch.parent / "backups"
    first = take_daily_backup(branch, folder, datetime(2026, 11, 29, 8, 55))
    assert first == folder / "branch.backup-2026-11-29-085500.sqlite3"
    assert take_daily_backup(branch, folder, datetime(2026, 11, 29, 17, 30)) is None
    conn = sqlite3.connect(first)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == member_count(branch)
    conn.close()
    # A year and more of days: the folder holds the rotation's worth, no more. (Each copy is
    # a stand-in here: the real copy and its check are the same every day.)
    monkeypatch.setattr(
        schedule, "copy_sqlite", lambda _source, target, _key=None: target.write_bytes(b"-")
    )
    day = datetime(2026, 11, 30, 9, 0)
    for n in range(420):
        take_backup(branch, folder, day + timedelta(days=n))
    assert 20 <= len(scheduled_backups(branch, folder)) <= 24


def test_a_failed_backup_prunes_nothing(
    branch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = branch.parent / "backups"
    old = _fake_backups(
        branch, folder, [datetime(2025, 1, 1) + timedelta(days=n) for n in range(40)]
    )

    def fails(source: Path, target: Path, key: bytes | None = None) -> None:
        raise DatabaseDamaged("the backup failed its integrity check")

    monkeypatch.setattr(schedule, "copy_sqlite", fails)
    with pytest.raises(DatabaseDamaged):
        take_daily_backup(branch, folder)
    assert all(path.exists() for path in old)


def test_the_backups_folder_follows_preferences(branch: Path, tmp_path: Path) -> None:
    assert backups_folder(branch, "") == branch.parent / "backups"
    assert backups_folder(branch, str(tmp_path / "usb")) == tmp_path / "usb"
    assert backups_folder(branch, "kept") == branch.parent / "kept"
    prefs = Preferences()
    prefs.set("backup_folder", str(tmp_path / "usb"))
    prefs.save()
    assert backups_folder(branch) == tmp_path / "usb"


# -- the command line --------------------------------------------------------------------------


def test_the_first_command_of_the_day_takes_the_backup(
    branch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = branch.parent / "backups"
    status, _, err = run(capsys, "--db", str(branch), "list", "members")
    assert status == 0 and "today's backup written to" in err
    [taken] = scheduled_backups(branch, folder)
    assert taken.taken.date() == date.today()
    status, _, err = run(capsys, "--db", str(branch), "list", "claims")
    assert status == 0 and "backup" not in err
    assert len(scheduled_backups(branch, folder)) == 1


def test_a_new_database_and_the_demo_branch_are_not_backed_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "new.sqlite3"
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("Membership number,Last name,First name\nF1,Fictional,Fay\n")
    assert run(capsys, "--db", str(new), "import", "members", str(csv_file))[0] == 0
    assert not (tmp_path / "backups").exists()
    assert run(capsys, "--demo", "list", "members")[0] == 0
    assert run(capsys, "--demo", "list", "members")[0] == 0
    assert not (tmp_path / "data" / "demo" / "backups").exists()


@pytest.mark.parametrize(
    "error",
    [
        OSError(28, "No space left on device"),
        sqlite3.OperationalError("database or disk is full"),
        DatabaseDamaged("the backup failed its integrity check"),
    ],
)
def test_a_failing_daily_backup_does_not_stop_the_command(
    branch: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
) -> None:
    def fails(source: Path, target: Path, key: bytes | None = None) -> None:
        raise error

    monkeypatch.setattr(schedule, "copy_sqlite", fails)
    status, out, err = run(capsys, "--db", str(branch), "list", "members")
    assert status == 0 and out.count("\n") == member_count(branch) + 1
    assert "warning: today's backup could not be taken" in err


def test_backup_without_out_goes_to_the_backups_folder(
    branch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "--db", str(branch), "backup")
    assert status == 0 and "7 days, 5 weeks and 12 months" in out
    [taken] = scheduled_backups(branch, branch.parent / "backups")
    assert str(taken.path) in out
    # --out still writes exactly where it is told.
    assert (
        run(capsys, "--db", str(branch), "backup", "--out", str(tmp_path / "usb.sqlite3"))[0] == 0
    )
    assert (tmp_path / "usb.sqlite3").is_file()


def test_postgresql_is_backed_up_on_the_server(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://branch@127.0.0.1:1/branch"
    status, _, err = run(capsys, "--db", url, "restore-drill")
    assert status == 2 and "pg_dump" in err


# -- the restore drill -------------------------------------------------------------------------


def test_the_restore_drill_restores_checks_counts_and_leaves_the_database_alone(
    branch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = branch.parent / "backups"
    take_backup(branch, folder, datetime(2026, 11, 29, 9, 12))
    db = open_database(branch, officer="Test Officer")
    create_member(
        db, MemberForm(membership_number="DRILL1", first_name="Fay", last_name="Fictional")
    )
    db.dispose()
    members = member_count(branch)
    before = fingerprint(branch)

    status, out, _ = run(capsys, "--db", str(branch), "restore-drill")
    assert status == 0, out
    assert out.startswith("The backup of 29 Nov 2026 09:12 restores and passes its checks: ")
    assert f"{members - 1:,} members" in out and " cases, " in out and "ledger entries" in out
    assert f"holds {members:,} members" in out and "(1 more member since the backup)" in out
    assert fingerprint(branch) == before
    # The temporary copy is gone.
    assert sorted(p.name for p in branch.parent.iterdir()) == ["backups", "branch.sqlite3"]


def test_the_drill_of_a_chosen_backup_and_of_a_damaged_one(
    branch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb" / "copy for the office.sqlite3"
    usb.parent.mkdir()
    assert run(capsys, "--db", str(branch), "backup", "--out", str(usb))[0] == 0
    status, out, _ = run(capsys, "--db", str(branch), "restore-drill", "--backup", str(usb))
    assert status == 0 and "restores and passes its checks" in out
    assert "holds the same numbers" in out

    damage(usb, "flipped-byte")
    status, out, _ = run(capsys, "--db", str(branch), "restore-drill", "--backup", str(usb))
    assert status == 1 and "FAILED the drill" in out and "try an older backup" in out
    assert sorted(p.name for p in usb.parent.iterdir()) == [usb.name]

    status, _, err = run(capsys, "--db", str(branch), "restore-drill", "--backup", "nope.sqlite3")
    assert status == 2 and "no such backup file" in err


def test_a_drill_without_backups_says_so(branch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--db", str(branch), "restore-drill")
    assert status == 2 and "there are no backups" in err


def test_the_drill_works_on_a_backup_of_an_older_schema(branch: Path, tmp_path: Path) -> None:
    """The drill opens the copy as a restore would, migrations and all."""
    folder = branch.parent / "backups"
    backup = take_backup(branch, folder, datetime(2026, 1, 5, 9, 0))
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = 'not-a-revision'")
    conn.commit()
    conn.close()
    result = run_drill(branch, newest_backup(branch, folder))
    assert not result.passed
    assert backup_file(backup).taken == datetime(2026, 1, 5, 9, 0)
    with pytest.raises(StoreError, match="no backups"):
        newest_backup(branch, tmp_path / "empty")
