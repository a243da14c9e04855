"""Signing in on the command line, and `branchdesk officer …`."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from branchdesk.cli import main

SECRETARY, SECRET = "Sol Secretary", "first secretary pass"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """The demo branch with its secretary's account set up."""
    path = str(tmp_path / "branch.sqlite3")
    assert run(capsys, "--db", path, "demo")[0] == 0
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", SECRET)
    status, out, _ = run(capsys, "--db", path, "officer", "setup", "--name", SECRETARY)
    assert status == 0 and "branch secretary" in out
    monkeypatch.delenv("BRANCHDESK_NEW_PASSWORD")
    return path


def _as(monkeypatch: pytest.MonkeyPatch, password: str) -> None:
    monkeypatch.setenv("BRANCHDESK_PASSWORD", password)


def test_a_database_with_accounts_needs_an_officer(
    branch: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "--db", branch, "list", "members")
    assert status == 2 and "--officer NAME" in err and out == ""


def test_a_wrong_password_is_refused_with_status_2(
    branch: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, "not the password")
    status, out, err = run(capsys, "--db", branch, "--officer", SECRETARY, "list", "members")
    assert status == 2 and "not right" in err and out == ""


def test_officers_are_added_listed_and_bound_by_their_role(
    branch: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, SECRET)
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", "treasurer pass 1")
    status, out, _ = run(
        capsys, "--db", branch, "--officer", SECRETARY, "officer", "add",
        "--name", "Tess Treasurer", "--role", "treasurer",
    )  # fmt: skip
    assert status == 0 and "added as treasurer" in out
    status, out, _ = run(capsys, "--db", branch, "--officer", SECRETARY.upper(), "officer", "list")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0
    assert [(r["name"], r["role"], r["active"]) for r in rows] == [
        (SECRETARY, "secretary", "yes"),
        ("Tess Treasurer", "treasurer", "yes"),
    ]

    _as(monkeypatch, "treasurer pass 1")
    status, out, _ = run(capsys, "--db", branch, "--officer", "Tess Treasurer", "list", "funds")
    assert status == 0 and "Northmoor" in out
    status, _, err = run(capsys, "--db", branch, "--officer", "Tess Treasurer", "list", "members")
    assert status == 0
    status, _, err = run(
        capsys, "--db", branch, "--officer", "Tess Treasurer", "export", "cases",
        "--out", str(Path(branch).with_name("cases.xlsx")),
    )  # fmt: skip
    assert status == 2 and "may not see casework" in err
    assert not Path(branch).with_name("cases.xlsx").exists()
    status, _, err = run(
        capsys, "--db", branch, "--officer", "Tess Treasurer", "officer", "add",
        "--name", "Someone Else", "--role", "auditor",
    )  # fmt: skip
    assert status == 2 and "may not change officers' accounts" in err
    # A members import writes in bulk below the ORM: it is checked before it starts.
    status, members, _ = run(
        capsys, "--db", branch, "--officer", "Tess Treasurer", "list", "members"
    )
    listed = Path(branch).with_name("members.csv")
    listed.write_text(members.replace(",current,", ",lapsed,"), encoding="utf-8")
    status, _, err = run(
        capsys, "--db", branch, "--officer", "Tess Treasurer", "import", "members", str(listed)
    )
    assert status == 2 and "may not change members" in err
    assert run(capsys, "--db", branch, "--officer", "Tess Treasurer", "list", "members")[1] == (
        members
    )

    with sqlite3.connect(branch) as conn:
        actions = conn.execute(
            "SELECT officer, action, table_name FROM audit_log WHERE action IN "
            "('denied', 'sign_in', 'sign_in_failed') ORDER BY id"
        ).fetchall()
    assert ("Tess Treasurer", "denied", "cases") in actions
    assert ("Tess Treasurer", "denied", "officers") in actions
    assert ("Tess Treasurer", "denied", "members") in actions
    assert actions.count((SECRETARY, "sign_in", "officers")) >= 3


def test_a_role_change_and_switching_an_account_off(
    branch: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, SECRET)
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", "auditor pass 12")
    base = ("--db", branch, "--officer", SECRETARY, "officer")
    assert run(capsys, *base, "add", "--name", "Avi Auditor", "--role", "auditor")[0] == 0
    status, out, _ = run(capsys, *base, "role", "--name", "avi auditor", "--role", "negotiator")
    assert status == 0 and "now negotiator" in out
    assert run(capsys, *base, "off", "--name", "Avi Auditor")[0] == 0
    _as(monkeypatch, "auditor pass 12")
    status, _, err = run(capsys, "--db", branch, "--officer", "Avi Auditor", "list", "claims")
    assert status == 2 and "switched off" in err
    _as(monkeypatch, SECRET)
    status, _, err = run(capsys, *base, "role", "--name", SECRETARY, "--role", "auditor")
    assert status == 2 and "at least one active secretary" in err
    status, _, err = run(capsys, *base, "role", "--name", "Nobody", "--role", "auditor")
    assert status == 2 and "no officer called 'Nobody'" in err


def test_setup_happens_once_and_needs_a_long_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "new.sqlite3")
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", "short")
    status, _, err = run(capsys, "--db", path, "officer", "setup", "--name", "New Secretary")
    assert status == 2 and "at least 10 characters" in err
    monkeypatch.setenv("BRANCHDESK_NEW_PASSWORD", "a long enough one")
    assert run(capsys, "--db", path, "officer", "setup", "--name", "New Secretary")[0] == 0
    _as(monkeypatch, "a long enough one")
    status, _, err = run(
        capsys, "--db", path, "--officer", "New Secretary", "officer", "setup", "--name", "Again"
    )
    assert status == 2 and "already has officers' accounts" in err


def test_check_and_backup_need_no_sign_in(
    branch: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run(capsys, "--db", branch, "check")
    assert status == 0 and "all checks passed" in out
    status, _, _ = run(capsys, "--db", branch, "backup", "--out", str(tmp_path / "copy.sqlite3"))
    assert status == 0 and (tmp_path / "copy.sqlite3").exists()


def test_the_audit_export_signs_in_and_filters_by_officer_apart(
    branch: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    _as(monkeypatch, SECRET)
    out = Path(branch).with_name("audit.xlsx")
    base = ("--db", branch, "--officer", SECRETARY, "export", "audit", "--out", str(out))
    status, _, err = run(capsys, *base)
    assert status == 0, err
    status, _, err = run(capsys, *base, "--officer", "Nobody Here")
    assert status == 2 and "no entries by an officer called 'Nobody Here'" in err
    status, _, err = run(capsys, *base, "--officer", SECRETARY.lower())
    assert status == 0, err
    sheet = load_workbook(out, read_only=True).worksheets[0]
    header = next(
        row for row in sheet.iter_rows(values_only=True) if row and row[0] and "When" in str(row)
    )
    officer_at = list(header).index("Officer")
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r and r[0]]
    assert rows and {r[officer_at] for r in rows} == {SECRETARY}
