"""Encrypted databases: the key file, wrong password against damaged file, officers' keys,
the recovery code, converting a plain database, sealed case documents, encrypted backups."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from branchdesk.access import encryption, officers
from branchdesk.access.roles import Role
from branchdesk.casework.documents import (
    attach_document,
    clear_viewing_folder,
    document_path,
    export_copy,
    viewable_copy,
    viewing_folder,
)
from branchdesk.casework.models import Document
from branchdesk.casework.service import CaseForm, case_id_by_reference, open_case
from branchdesk.members.service import MemberForm, create_member
from branchdesk.store import conversion, keys, sealed
from branchdesk.store.backup import check_backup_file
from branchdesk.store.check import run_checks
from branchdesk.store.database import Database, connect, open_database
from branchdesk.store.drill import run_drill
from branchdesk.store.errors import DatabaseDamaged, StoreError
from branchdesk.store.restore import restore_and_reopen
from branchdesk.store.schedule import BackupFile, prune, scheduled_backups, take_backup

SECRETARY, PASSWORD = "Sam Secretary", "secretary pass 1"
REP, REP_PASSWORD = "Rae Rep", "rep password 22"
MARK = "QZMARKENCRYPT"
SQLITE_HEADER = b"SQLite format 3\x00"


def _files_holding(folder: Path, text: str) -> list[Path]:
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and text.encode() in path.read_bytes()
    ]


def _member(db: Database, number: str = "E1", surname: str = f"Surname{MARK}") -> None:
    create_member(
        db,
        MemberForm(
            membership_number=number,
            first_name="Ela",
            last_name=surname,
            notes=f"Notes {MARK}",
        ),
    )


def _case(db: Database) -> int:
    reference = open_case(
        db,
        CaseForm(
            membership_number="E1",
            case_type="grievance",
            title=f"Grievance {MARK}",
            rep=SECRETARY,
            opened_on=date(2026, 11, 2),
        ),
        today=date(2026, 11, 2),
    )
    case_id = case_id_by_reference(db, reference)
    assert case_id is not None
    return case_id


@pytest.fixture
def branch(tmp_path: Path) -> Path:
    """An encrypted database holding one member, closed again."""
    path = tmp_path / "branch" / "branch.sqlite3"
    path.parent.mkdir()
    made = encryption.create_encrypted(path, SECRETARY, PASSWORD)
    try:
        _member(made.db)
    finally:
        made.db.dispose()
    return path


def test_a_new_encrypted_database_holds_nothing_readable(branch: Path) -> None:
    assert branch.read_bytes()[:16] != SQLITE_HEADER
    assert keys.key_file_for(branch).is_file()
    # Neither the member's details nor the officer's name are in any file beside it.
    assert _files_holding(branch.parent, MARK) == []
    assert _files_holding(branch.parent, "Secretary") == []
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(branch).execute("SELECT count(*) FROM sqlite_master").fetchone()
    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)
    try:
        assert db.encrypted and db.principal is not None
        assert db.principal.role == Role.SECRETARY
        assert run_checks(db) == []
    finally:
        db.dispose()


def test_the_key_file_keeps_no_key_or_name_in_the_clear(branch: Path) -> None:
    data = json.loads(keys.key_file_for(branch).read_text())
    assert data["format"] == "branchdesk-keys"
    key = keys.unlock(branch, SECRETARY, PASSWORD)
    text = keys.key_file_for(branch).read_text()
    assert key.hex() not in text and "sam" not in text.lower()
    assert list(data["officers"]) == [keys.slot(SECRETARY)]
    assert keys.slot(" sam  SECRETARY") == keys.slot(SECRETARY)


def test_wrong_password_and_damaged_file_are_told_apart(branch: Path) -> None:
    with pytest.raises(keys.WrongPassword, match="wrong name or password"):
        encryption.open_encrypted(branch, SECRETARY, "not the password")
    with pytest.raises(keys.NoKeyForOfficer, match="no key for 'Nobody'"):
        encryption.open_encrypted(branch, "Nobody", PASSWORD)
    with pytest.raises(keys.KeyRequired, match="is encrypted"):
        open_database(branch)
    with pytest.raises(keys.WrongPassword):
        connect(branch, key=bytes(32))
    before = branch.read_bytes()
    # A byte changed anywhere is found by SQLCipher's per-page check, with the right password.
    rng = random.Random(7)
    for n in range(12):
        damaged = branch.with_name(f"damaged{n}.sqlite3")
        data = bytearray(before)
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        damaged.write_bytes(bytes(data))
        shutil.copyfile(keys.key_file_for(branch), keys.key_file_for(damaged))
        with pytest.raises(DatabaseDamaged, match="is damaged"):
            encryption.open_encrypted(damaged, SECRETARY, PASSWORD)
        assert damaged.read_bytes() == bytes(data)  # nothing was written to it
        assert not Path(f"{damaged}-wal").exists()
    cut = branch.with_name("cut.sqlite3")
    cut.write_bytes(before[:-100])
    shutil.copyfile(keys.key_file_for(branch), keys.key_file_for(cut))
    with pytest.raises(DatabaseDamaged, match="not a whole number"):
        encryption.open_encrypted(cut, SECRETARY, PASSWORD)
    # A damaged key file is a third thing again, named as such.
    keys.key_file_for(cut).write_text('{"format": "branchdesk-keys", "officers": {')
    with pytest.raises(keys.KeyFileDamaged, match=r"key file .* is damaged"):
        encryption.open_encrypted(cut, SECRETARY, PASSWORD)
    assert branch.read_bytes() == before


def test_officers_keys_follow_their_passwords(branch: Path) -> None:
    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)
    try:
        row = officers.add_officer(db, REP, Role.CASEWORKER, REP_PASSWORD)
    finally:
        db.dispose()
    rep = encryption.open_encrypted(branch, REP, REP_PASSWORD)
    try:
        officers.change_own_password(rep, REP_PASSWORD, "rep's second pass")
    finally:
        rep.dispose()
    with pytest.raises(keys.WrongPassword):
        keys.unlock(branch, REP, REP_PASSWORD)
    encryption.open_encrypted(branch, REP, "rep's second pass").dispose()

    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)
    try:
        officers.reset_password(db, row.id, "reset by secretary")
        officers.set_active(db, row.id, False)
        assert encryption.officers_without_key(db) == []
    finally:
        db.dispose()
    # An account switched off no longer opens the file at all.
    with pytest.raises(keys.NoKeyForOfficer):
        keys.unlock(branch, REP, "reset by secretary")
    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)
    try:
        officers.set_active(db, row.id, True)
        assert encryption.officers_without_key(db) == [REP]
        officers.reset_password(db, row.id, "back again pass")
        assert encryption.officers_without_key(db) == []
    finally:
        db.dispose()
    encryption.open_encrypted(branch, REP, "back again pass").dispose()


def test_a_key_file_that_cannot_be_written_leaves_the_password_unchanged(
    branch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    try:
        monkeypatch.setattr(keys, "atomic_write_text", refuse)
        with pytest.raises(OSError):
            officers.change_own_password(db, PASSWORD, "a newer password")
        monkeypatch.undo()
    finally:
        db.dispose()
    # Both the key file and the account still take the old password.
    encryption.open_encrypted(branch, SECRETARY, PASSWORD).dispose()


def test_the_recovery_code_lets_a_secretary_back_in_once(tmp_path: Path) -> None:
    path = tmp_path / "branch.sqlite3"
    made = encryption.create_encrypted(path, SECRETARY, PASSWORD)
    code = made.recovery_code
    assert len(code.replace("-", "")) == 40 and code.count("-") == 7
    try:
        officers.add_officer(made.db, REP, Role.CASEWORKER, REP_PASSWORD)
    finally:
        made.db.dispose()
    with pytest.raises(keys.WrongPassword, match="not this database's recovery code"):
        encryption.recover(path, code[:-1] + ("A" if code[-1] != "A" else "B"), SECRETARY, "x" * 12)
    with pytest.raises(officers.OfficerError, match="not an active secretary"):
        encryption.recover(path, code, REP, "a brand new secret")
    # Typed in lower case, with spaces instead of dashes, it still works.
    again = encryption.recover(
        path, code.lower().replace("-", " "), "sam secretary", "new pass 123"
    )
    try:
        assert again.db.principal is not None and again.db.principal.name == SECRETARY
        assert again.recovery_code != code
    finally:
        again.db.dispose()
    with pytest.raises(keys.WrongPassword):
        keys.unlock(path, SECRETARY, PASSWORD)
    encryption.open_encrypted(path, SECRETARY, "new pass 123").dispose()
    with pytest.raises(keys.WrongPassword):
        encryption.recover(path, code, SECRETARY, "yet another one")
    keys.unlock_with_recovery(path, again.recovery_code)


def test_case_documents_are_sealed_and_opened_only_as_asked(branch: Path, tmp_path: Path) -> None:
    letter = tmp_path / f"letter {MARK}.txt"
    content = f"Dear employer, about {MARK}.\n".encode() * 80_000  # several chunks
    letter.write_bytes(content)
    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)
    try:
        case_id = _case(db)
        attach_document(db, case_id, letter)
        letter.unlink()
        with db.read() as session:
            document = session.query(Document).one()
        stored = document_path(db, document)
        assert stored.ok and sealed.is_sealed(stored.path)
        assert _files_holding(branch.parent, MARK) == []
        # Opening it writes a plain copy where the viewer can read it, and nowhere else.
        view = viewable_copy(db, document)
        assert view.ok and view.path.read_bytes() == content
        assert viewing_folder() in view.path.parents
        out = tmp_path / "out" / "copy.txt"
        out.parent.mkdir()
        export_copy(db, document, out)
        assert out.read_bytes() == content
        assert clear_viewing_folder() == 1 and not view.path.exists()
        # A changed byte or a cut-off end is found.
        data = bytearray(stored.path.read_bytes())
        data[len(data) // 2] ^= 1
        stored.path.write_bytes(bytes(data[:]))
        assert not document_path(db, document).ok
        stored.path.write_bytes(bytes(data[: sealed.CHUNK]))
        assert not document_path(db, document).ok
    finally:
        db.dispose()


def test_backups_of_an_encrypted_database_are_encrypted_restore_and_drill(branch: Path) -> None:
    key = keys.unlock(branch, SECRETARY, PASSWORD)
    folder = branch.parent / "backups"
    first = take_backup(branch, folder, datetime(2026, 11, 1, 9), key=key)
    assert first.read_bytes()[:16] != SQLITE_HEADER and keys.key_file_for(first).is_file()
    assert _files_holding(folder, MARK) == []
    check_backup_file(first, key)
    result = run_drill(branch, BackupFile(first, datetime(2026, 11, 1, 9), "daily"), key=key)
    assert result.passed, result.summary()
    assert result.counts["members"] == 1
    # A backup copied somewhere without its key file still drills, with the database's key.
    bare = branch.parent / "elsewhere" / "copy.sqlite3"
    bare.parent.mkdir()
    shutil.copyfile(first, bare)
    result = run_drill(branch, BackupFile(bare, datetime(2026, 11, 1, 9), "file"), key=key)
    assert result.passed, result.summary()
    # A plain backup is refused for an encrypted database, with what to do instead.
    plain = branch.parent / "plain.sqlite3"
    open_database(plain).dispose()
    with pytest.raises(StoreError, match=r"plain \(unencrypted\) backup"):
        check_backup_file(plain, key)
    # Restoring puts back the officers' keys of the time, with their accounts.
    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)
    try:
        officers.add_officer(db, REP, Role.CASEWORKER, REP_PASSWORD)
    finally:
        db.dispose()
    restored, kept = restore_and_reopen(branch, first, SECRETARY, key)
    restored.dispose()
    assert kept is not None and keys.key_file_for(kept).is_file()
    with pytest.raises(keys.NoKeyForOfficer):
        keys.unlock(branch, REP, REP_PASSWORD)
    encryption.open_encrypted(branch, SECRETARY, PASSWORD).dispose()
    # The rotation removes a pruned backup's key file with it, and nothing else.
    for day in range(2, 12):
        take_backup(branch, folder, datetime(2026, 11, day, 9), key=key)
    removed = prune(branch, folder)
    assert len(scheduled_backups(branch, folder)) < 11
    keyfiles = sorted(p.name for p in folder.glob("*.keys"))
    assert keyfiles == sorted(f"{b.path.name}.keys" for b in scheduled_backups(branch, folder))
    assert removed == []  # take_backup pruned already; nothing was left to prune


def _plain_branch(path: Path, letter: Path) -> Database:
    db = open_database(path)
    officers.create_first_officer(db, SECRETARY, PASSWORD)
    officers.add_officer(db, REP, Role.CASEWORKER, REP_PASSWORD)
    _member(db)
    letter.write_bytes(f"Plain letter {MARK}\n".encode() * 100)
    attach_document(db, _case(db), letter)
    return db


def test_a_plain_database_is_converted_with_its_documents_and_backups(tmp_path: Path) -> None:
    path = tmp_path / "branch" / "branch.sqlite3"
    path.parent.mkdir()
    db = _plain_branch(path, tmp_path / "letter.txt")
    folder = path.parent / "backups"
    take_backup(path, folder, datetime(2026, 11, 1, 9))
    assert _files_holding(path.parent, MARK)  # the scan does see plain data
    result = encryption.encrypt_database(db, PASSWORD, [folder])
    try:
        assert result.backups_failed == []
        assert result.db.principal is not None and result.db.principal.name == SECRETARY
        assert encryption.officers_without_key(result.db) == [REP]
        assert run_checks(result.db) == []
        with result.db.read() as session:
            document = session.query(Document).one()
        assert document_path(result.db, document).ok
    finally:
        result.db.dispose()
    assert _files_holding(path.parent, MARK) == []
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "backups",
        "branch-documents",
        "branch.sqlite3",
        "branch.sqlite3.keys",
    ]
    (backup,) = folder.glob("*.sqlite3")
    check_backup_file(backup, keys.unlock(path, SECRETARY, PASSWORD))
    db = encryption.open_encrypted(path, SECRETARY, PASSWORD)
    try:
        with db.read() as session:
            assert session.query(Document).count() == 1
    finally:
        db.dispose()


def test_a_conversion_needs_the_secretary_and_their_password(tmp_path: Path) -> None:
    path = tmp_path / "branch.sqlite3"
    db = _plain_branch(path, tmp_path / "letter.txt")
    try:
        with pytest.raises(officers.SignInFailed):
            encryption.encrypt_database(db, "wrong password", [])
        officers.sign_out(db)
        officers.sign_in(db, REP, REP_PASSWORD)
        with pytest.raises(StoreError, match="only a signed-in secretary"):
            encryption.encrypt_database(db, REP_PASSWORD, [])
    finally:
        db.dispose()
    assert path.read_bytes()[:16] == SQLITE_HEADER and not keys.key_file_for(path).exists()


@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_a_conversion_cut_off_part_way_is_undone_or_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    path = tmp_path / "branch.sqlite3"
    db = _plain_branch(path, tmp_path / "letter.txt")
    real_replace = os.replace
    calls: list[object] = []

    moves = {path.with_name(path.name + conversion.PLAIN_ASIDE), path, keys.key_file_for(path)}

    def crash(source: object, target: object) -> None:
        # Counts the conversion's three moves (the key file's own atomic write also renames).
        if Path(str(target)) in moves:
            calls.append(target)
        if len(calls) == fail_at:
            raise KeyboardInterrupt  # the power goes off
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(conversion.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        encryption.encrypt_database(db, PASSWORD, [])
    monkeypatch.undo()
    if fail_at == 1:
        # Nothing was moved yet: the plain database opens as before, and the leftovers go.
        reopened = open_database(path)
        assert not keys.key_file_for(path).exists()
    elif fail_at == 2:
        # The plain file was moved aside: it is put back.
        assert not path.exists()
        reopened = open_database(path)
        assert not keys.key_file_for(path).exists()
    else:
        # The encrypted file is in place: the key file follows and the plain one is removed.
        reopened = encryption.open_encrypted(path, SECRETARY, PASSWORD)
        assert reopened.encrypted
    try:
        if not reopened.encrypted:
            officers.sign_in(reopened, SECRETARY, PASSWORD)
        assert run_checks(reopened) == []
        with reopened.read() as session:
            assert session.query(Document).count() == 1
    finally:
        reopened.dispose()
    leftovers = [p.name for p in tmp_path.iterdir() if "encrypt" in p.name or ".new" in p.name]
    assert leftovers == []


def test_a_commit_that_fails_leaves_the_key_file_as_it_was(branch: Path) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    db = encryption.open_encrypted(branch, SECRETARY, PASSWORD)
    before = keys.key_file_for(branch).read_bytes()

    def disk_full(_session: object) -> None:
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    event.listen(db._sessions, "before_commit", disk_full)
    try:
        with pytest.raises(StoreError, match="disk holding the database is full"):
            officers.change_own_password(db, PASSWORD, "a newer password 1")
        with pytest.raises(StoreError):
            encryption.new_recovery_code(db, PASSWORD)
    finally:
        event.remove(db._sessions, "before_commit", disk_full)
        db.dispose()
    # Neither change reached the key file, nor left a half-made one beside it.
    assert keys.key_file_for(branch).read_bytes() == before
    assert sorted(p.name for p in branch.parent.iterdir() if ".keys" in p.name) == [
        "branch.sqlite3.keys"
    ]
    encryption.open_encrypted(branch, SECRETARY, PASSWORD).dispose()


def test_encrypting_is_refused_while_another_connection_has_the_database(
    tmp_path: Path,
) -> None:
    path = tmp_path / "branch.sqlite3"
    db = _plain_branch(path, tmp_path / "letter.txt")
    # Another program (another process: SQLite's locks work between processes) reading it.
    holder = (
        "import sqlite3, sys\n"
        f"c = sqlite3.connect({str(path)!r})\n"
        "c.execute('BEGIN'); c.execute('SELECT count(*) FROM members').fetchone()\n"
        "print('ready', flush=True); sys.stdin.readline()\n"
    )
    other = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="is open in another BranchDesk window"):
            encryption.encrypt_database(db, PASSWORD, [])
    finally:
        other.communicate("\n", timeout=30)
        db.dispose()
    assert path.read_bytes()[:16] == SQLITE_HEADER and not keys.key_file_for(path).exists()
    assert [p.name for p in tmp_path.iterdir() if "encrypt" in p.name] == []
    reopened = open_database(path)
    try:
        officers.sign_in(reopened, SECRETARY, PASSWORD)
        assert run_checks(reopened) == []
    finally:
        reopened.dispose()


def test_a_cut_off_conversion_never_removes_the_plain_copy_for_a_file_it_did_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "branch.sqlite3"
    db = _plain_branch(path, tmp_path / "letter.txt")
    real_replace = os.replace

    def crash(source: object, target: object) -> None:
        if Path(str(target)) == keys.key_file_for(path):
            raise KeyboardInterrupt
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(conversion.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        encryption.encrypt_database(db, PASSWORD, [])
    monkeypatch.undo()
    # Something else then writes a file where the encrypted copy was.
    path.write_bytes(b"")
    aside = path.with_name(path.name + conversion.PLAIN_ASIDE)
    kept = aside.read_bytes()
    with pytest.raises(StoreError, match="is kept in"):
        open_database(path)
    assert aside.read_bytes() == kept and kept[:16] == SQLITE_HEADER
