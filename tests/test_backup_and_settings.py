"""Backups while the database is in use; where data lives; preferences."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from branchdesk.members.service import MemberForm, create_member
from branchdesk.settings import Preferences, default_database_path, demo_database_path
from branchdesk.store import location
from branchdesk.store.backup import backup_database
from branchdesk.store.database import Database, open_database
from branchdesk.store.errors import StoreError


def test_a_backup_taken_during_writes_holds_only_whole_transactions(
    db: Database, tmp_path: Path
) -> None:
    """Each write adds a member and its audit row together; a backup never splits them."""
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        n = 0
        while not stop.is_set() and n < 2000:
            create_member(db, MemberForm(membership_number=f"W{n}", first_name="W", last_name="X"))
            written.append(n)
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    backups = []
    try:
        while len(written) < 20:
            stop.wait(0.01)
        for k in range(5):
            backups.append(backup_database(db, tmp_path / f"backup-{k}.sqlite3"))
            stop.wait(0.02)
    finally:
        stop.set()
        writer.join(60)
    counts = []
    for path in backups:
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
        audited = conn.execute(
            "SELECT count(*) FROM audit_log WHERE table_name = 'members'"
        ).fetchone()[0]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        conn.close()
        assert members == audited
        counts.append(members)
    assert counts == sorted(counts) and counts[0] > 0


def test_a_backup_cannot_overwrite_its_own_database(db: Database) -> None:
    assert db.path is not None
    with pytest.raises(StoreError, match="cannot overwrite"):
        backup_database(db, db.path)


def test_default_folders_follow_the_environment(tmp_path: Path) -> None:
    assert default_database_path() == tmp_path / "data" / "branchdesk.sqlite3"
    assert demo_database_path().parent == tmp_path / "data" / "demo"


def test_preferences_are_saved_and_bad_values_ignored(tmp_path: Path) -> None:
    prefs = Preferences()
    assert prefs.branch_name == "Union branch" and prefs.officer_name  # defaults
    prefs.set("branch_name", "Northmoor Local Government (demo)")
    prefs.set("officer_name", "Sam Secretary")
    prefs.save()
    again = Preferences()
    assert again.branch_name == "Northmoor Local Government (demo)"
    assert again.officer_name == "Sam Secretary"
    with pytest.raises(TypeError):
        prefs.set("branch_name", 42)
    prefs.path.write_text(json.dumps({"branch_name": 42, "unknown": "x"}))
    assert Preferences().branch_name == "Union branch"
    prefs.path.write_text("{ not json")
    assert Preferences().branch_name == "Union branch"


@pytest.mark.parametrize(
    "folder",
    [
        "/home/sam/OneDrive/branch",
        "/home/sam/OneDrive - Northmoor Council/branch",
        "/Users/sam/Dropbox/union",
        "/Users/sam/Library/Mobile Documents/com~apple~CloudDocs",
        "/home/sam/Google Drive/My Drive",
    ],
)
def test_sync_folders_are_refused(folder: str) -> None:
    path = Path(folder) / "branchdesk.sqlite3"
    problem = location.location_problem(path)
    assert problem is not None and "cloud-sync folder" in problem
    assert "PostgreSQL" in problem and "does not open it there" in problem
    with pytest.raises(location.UnsafeLocation, match="cloud-sync folder"):
        location.refuse_unsafe_location(path)


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_network_file_systems_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(location, "_mount_type", lambda path: "cifs")
    monkeypatch.setattr(location, "_macos_mount_type", lambda path: "smbfs")
    monkeypatch.setattr(location.sys, "platform", platform)
    problem = location.location_problem(tmp_path / "b.sqlite3")
    assert problem is not None and "network drive" in problem
    with pytest.raises(location.UnsafeLocation):
        location.refuse_unsafe_location(tmp_path / "b.sqlite3")


def test_mount_type_reads_the_longest_matching_mount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n//server/share /mnt/branch\\040files cifs rw 0 0\n")
    real_path = Path

    def fake_path(value: str = "") -> Path:
        return real_path(mounts) if value == "/proc/mounts" else real_path(value)

    monkeypatch.setattr(location, "Path", fake_path)
    assert location._mount_type(real_path("/mnt/branch files/db.sqlite3")) == "cifs"
    assert location._mount_type(real_path("/home/x/db.sqlite3")) == "ext4"


def test_macos_mount_output_is_read() -> None:
    output = (
        "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
        "/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)\n"
        "//sam@branch-server._smb._tcp.local/branch on /Volumes/branch files "
        "(smbfs, nodev, nosuid, mounted by sam)\n"
        "server:/export on /Volumes/nfs (nfs)\n"
    )
    mounts = location.parse_macos_mounts(output)
    assert ("/Volumes/branch files", "smbfs") in mounts and ("/Volumes/nfs", "nfs") in mounts
    assert location._longest_mount("/Volumes/branch files/b.sqlite3", mounts) == "smbfs"
    assert location._longest_mount("/Users/sam/b.sqlite3", mounts) == "apfs"


def test_a_local_disk_is_not_refused(tmp_path: Path) -> None:
    assert location.location_problem(tmp_path / "b.sqlite3") is None
    assert location.location_problem(None) is None
    location.refuse_unsafe_location(tmp_path / "b.sqlite3")


def test_the_command_line_refuses_a_database_in_a_sync_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from branchdesk.cli import main

    synced = tmp_path / "OneDrive - Fictional Council" / "branchdesk.sqlite3"
    local = tmp_path / "local.sqlite3"
    open_database(local).dispose()
    synced.parent.mkdir()
    synced.write_bytes(local.read_bytes())
    before = synced.read_bytes()
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("Membership number,Last name,First name\nF1,Fictional,Fay\n")
    for command in (["list", "members"], ["import", "members", str(csv_file)], ["demo"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", str(synced), *command])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "cloud-sync folder" in err and "PostgreSQL" in err, command
    assert synced.read_bytes() == before
    # Copying it out with `backup --out` is still allowed: that is the way to move it.
    assert main(["--db", str(synced), "backup", "--out", str(tmp_path / "moved.sqlite3")]) == 0
    assert (tmp_path / "moved.sqlite3").is_file()
    fresh = tmp_path / "Dropbox" / "new.sqlite3"
    with pytest.raises(SystemExit):
        main(["--db", str(fresh), "demo"])
    assert not fresh.exists()
