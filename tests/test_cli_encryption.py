"""Encrypted databases on the command line: set-up, unlocking, encrypt, recover."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from branchdesk.cli import main
from branchdesk.store import keys

SECRETARY, SECRET = "Sol Secretary", "first secretary pass"
SQLITE_HEADER = b"SQLite format 3\x00"
CODE = re.compile(r"^    ([A-Z2-7]{5}(?:-[A-Z2-7]{5}){7})$", re.MULTILINE)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def _code(out: str) -> str:
    found = CODE.findall(out)
    assert len(found) == 1, out
    return found[0]


@pytest.fixture
def encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """A new encrypted database and its recovery code, as printed."""
    path = str(tmp_path / "branch.sqlite3")
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", SECRET)
    status, out, err = run(
        capsys, "--db", path, "officer", "setup", "--name", SECRETARY, "--encrypt"
    )
    assert status == 0, err
    assert "encrypted database" in out and "shown this once" in out
    monkeypatch.delenv("BRANCHDESK_NEW_PASSWORD")
    return path, _code(out)


def test_an_encrypted_database_opens_only_with_an_officers_password(
    encrypted: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = encrypted
    assert Path(path).read_bytes()[:16] != SQLITE_HEADER
    status, _, err = run(capsys, "--db", path, "list", "members")
    assert status == 2 and "is encrypted: open it with --officer NAME" in err
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "not the password")
    status, _, err = run(capsys, "--db", path, "--officer", SECRETARY, "list", "members")
    assert status == 2 and "wrong name or password" in err
    monkeypatch.setenv("BRANCHDESK_PASSWORD", SECRET)
    status, out, err = run(capsys, "--db", path, "--officer", SECRETARY, "list", "members")
    assert status == 0, err
    assert out.startswith("Membership number,")
    for command in (["check"], ["backup"], ["restore-drill"]):
        status, out, err = run(capsys, "--db", path, "--officer", SECRETARY, *command)
        assert status == 0, (command, out, err)
    backups = sorted((Path(path).parent / "backups").glob("*.sqlite3"))
    assert backups and all(b.read_bytes()[:16] != SQLITE_HEADER for b in backups)
    assert all(keys.key_file_for(b).is_file() for b in backups)
    status, out, err = run(
        capsys, "--db", path, "--officer", SECRETARY, "restore", str(backups[-1])
    )
    assert status == 0 and "restored" in out, err


def test_recover_gives_a_secretary_a_new_password_and_a_new_code(
    encrypted: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, code = encrypted
    monkeypatch.setenv("BRANCHDESK_RECOVERY_CODE", "AAAAA-" + code[6:])
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", "recovered password")
    status, _, err = run(capsys, "--db", path, "recover", "--name", SECRETARY)
    assert status == 2 and "not this database's recovery code" in err
    monkeypatch.setenv("BRANCHDESK_RECOVERY_CODE", code)
    status, out, err = run(capsys, "--db", path, "recover", "--name", SECRETARY)
    assert status == 0, err
    assert _code(out) != code
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "recovered password")
    assert run(capsys, "--db", path, "--officer", SECRETARY, "check")[0] == 0
    status, out, err = run(capsys, "--db", path, "--officer", SECRETARY, "officer", "recovery-code")
    assert status == 0, err
    newest = _code(out)
    keys.unlock_with_recovery(Path(path), newest)


def test_encrypt_turns_a_plain_database_into_an_encrypted_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "branch.sqlite3")
    assert run(capsys, "--db", path, "demo")[0] == 0
    status, members, _ = run(capsys, "--db", path, "list", "members")
    assert status == 0
    surname = members.splitlines()[1].split(",")[1]
    status, _, err = run(capsys, "--db", path, "encrypt")
    assert status == 2 and "set up the secretary's account first" in err
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", SECRET)
    assert run(capsys, "--db", path, "officer", "setup", "--name", SECRETARY)[0] == 0
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", "treasurer pass 1")
    monkeypatch.setenv("BRANCHDESK_PASSWORD", SECRET)
    base = ("--db", path, "--officer", SECRETARY)
    assert (
        run(capsys, *base, "officer", "add", "--name", "Tia Treasurer", "--role", "treasurer")[0]
        == 0
    )
    assert run(capsys, *base, "backup")[0] == 0
    status, out, err = run(capsys, *base, "encrypt")
    assert status == 0, err
    assert "now encrypted" in out and "Tia Treasurer" in out
    _code(out)
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert surname.encode() not in file.read_bytes(), file
    status, after, err = run(capsys, *base, "list", "members")
    assert status == 0 and after == members, err
    monkeypatch.setenv("BRANCHDESK_PASSWORD", "treasurer pass 1")
    status, _, err = run(capsys, "--db", path, "--officer", "Tia Treasurer", "list", "funds")
    assert status == 2 and "holds no key for 'Tia Treasurer'" in err
