"""The command line: every sub-command, its output and its exit status."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from branchdesk.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "demo.sqlite3")
    status, out, _ = run(capsys, "--db", path, "demo", "--seed", "7")
    assert status == 0 and "300 members" in out
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.startswith("BranchDesk ")


def test_demo_refuses_a_database_that_has_members(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "--db", demo_db, "demo")
    assert status == 2 and "already holds members" in err


def test_demo_is_repeatable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for name in ("a", "b"):
        path = str(tmp_path / f"{name}.sqlite3")
        run(capsys, "--db", path, "demo", "--seed", "3")
        outputs.append(run(capsys, "--db", path, "list", "members")[1])
    assert outputs[0] == outputs[1]
    assert "DEMO-000001" in outputs[0] and "@example.org" in outputs[0]


def test_list_search_and_reimport(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "--db", demo_db, "list", "members")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(rows) == 300
    surname = rows[0]["Last name"]
    _, found, _ = run(capsys, "--db", demo_db, "list", "members", "--search", surname.upper())
    matched = list(csv.DictReader(io.StringIO(found)))
    assert matched and all(surname.lower() in " ".join(r.values()).lower() for r in matched)
    listed = tmp_path / "listed.csv"
    listed.write_text(out)
    copy = str(tmp_path / "copy.sqlite3")
    status, out2, _ = run(capsys, "--db", copy, "import", "members", str(listed))
    assert status == 0 and "300 members added" in out2
    assert run(capsys, "--db", copy, "list", "members")[1] == out


def test_import_with_problems_exits_2_and_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Membership number,Last name,First name,Date joined\nB1,,Bee,2020-13-01\n")
    db = str(tmp_path / "x.sqlite3")
    status, _, err = run(capsys, "--db", db, "import", "members", str(bad))
    assert status == 2
    assert "line 2, Last name: Enter the member's last name." in err
    assert "line 2, Date joined: '2020-13-01' is not a date" in err
    assert "nothing was imported" in err
    assert not Path(db).exists()  # the file was checked before the database was opened


@pytest.mark.parametrize("suffix", [".xlsx", ".pdf"])
def test_export_members(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = tmp_path / f"members{suffix}"
    status, text, _ = run(
        capsys, "--db", demo_db, "export", "members", "--out", str(out), "--search", "Nowak"
    )
    assert status == 0 and out.exists()
    count = int(text.split()[0])
    assert count > 0
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(out).active
        numbers = [c.value for c in sheet["A"][4:] if c.value]
        assert len(numbers) == count and all(n.startswith("DEMO-") for n in numbers)
    else:
        from pypdf import PdfReader

        pages = PdfReader(out).pages
        assert "Nowak" in pages[0].extract_text()
        assert "Confidential" in pages[0].extract_text()


def test_export_to_an_unknown_format_exits_2(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "--db", demo_db, "export", "members", "--out", "m.docx")
    assert status == 2 and ".xlsx or .pdf" in err


def test_backup_and_restore(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "backup.sqlite3"
    assert run(capsys, "--db", demo_db, "backup", "--out", str(backup))[0] == 0
    before = run(capsys, "--db", demo_db, "list", "members")[1]
    extra = tmp_path / "extra.csv"
    extra.write_text("Membership number,Last name,First name\nNEW1,Added,Later\n")
    run(capsys, "--db", demo_db, "import", "members", str(extra))
    assert "NEW1" in run(capsys, "--db", demo_db, "list", "members")[1]
    status, out, _ = run(capsys, "--db", demo_db, "restore", str(backup))
    assert status == 0 and "as it was before is kept in" in out
    assert run(capsys, "--db", demo_db, "list", "members")[1] == before
    assert run(capsys, "--db", demo_db, "check")[0] == 0


def test_restore_refuses_a_file_that_is_not_a_backup(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database at all" * 100)
    status, _, err = run(capsys, "--db", demo_db, "restore", str(junk))
    assert status == 2 and "not a readable database backup" in err
    assert run(capsys, "--db", demo_db, "check")[0] == 0


def test_check_finds_a_broken_foreign_key(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(demo_db)
    conn.execute("UPDATE members SET employer_id = 9999 WHERE id = 1")  # foreign keys off here
    conn.commit()
    conn.close()
    status, out, _ = run(capsys, "--db", demo_db, "check")
    assert status == 1 and "foreign key: members row 1 points at a missing employers" in out


def test_check_on_a_damaged_file_reports_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00junk" * 1000)
    status, out, _ = run(capsys, "--db", str(bad), "check")
    assert status == 1 and "problem:" in out and "damaged" in out


def _damage_the_middle(path: Path) -> None:
    """Overwrite pages in the middle of the file, leaving page 1 (the header) intact."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xa5" * 8192
    path.write_bytes(bytes(data))


def test_check_finds_damage_beyond_the_first_page(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _damage_the_middle(Path(demo_db))
    status, out, _ = run(capsys, "--db", demo_db, "check")
    assert status == 1 and "problem:" in out


def test_a_damaged_database_can_be_restored(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "good.sqlite3"
    assert run(capsys, "--db", demo_db, "backup", "--out", str(backup))[0] == 0
    before = run(capsys, "--db", demo_db, "list", "members")[1]
    _damage_the_middle(Path(demo_db))
    status, out, err = run(capsys, "--db", demo_db, "restore", str(backup))
    assert status == 0, err
    kept = Path(out.split("kept in ")[1].strip())
    assert kept.exists() and kept != Path(demo_db)
    assert run(capsys, "--db", demo_db, "check")[0] == 0
    assert run(capsys, "--db", demo_db, "list", "members")[1] == before
    conn = sqlite3.connect(demo_db)
    [(action,)] = conn.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")
    conn.close()
    assert action == "restore"


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["list", "members"],
        ["export", "members", "--out", "x.xlsx"],
        ["backup", "--out", "b.sqlite3"],
    ],
)
def test_a_mistyped_database_path_is_refused_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    typo = tmp_path / "brnach.sqlite3"
    status, _, err = run(capsys, "--db", str(typo), *command)
    assert status == 2 and f"no database at {typo}" in err
    assert not typo.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["import", "members", "nope.csv"],
        ["export", "members", "--out", "members.txt"],
        ["restore", "nobackup.sqlite3"],
    ],
)
def test_bad_input_writes_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    db = tmp_path / "new.sqlite3"
    status, _, _ = run(capsys, "--db", str(db), *command)
    assert status == 2
    assert not db.exists()


def test_commands_work_while_another_copy_is_writing(
    demo_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from branchdesk.store import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 500)
    writer = sqlite3.connect(demo_db)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert run(capsys, "--db", demo_db, "check")[0] == 0
        status, out, _ = run(capsys, "--db", demo_db, "list", "members")
        assert status == 0 and out.count("\n") == 301
    finally:
        writer.rollback()
        writer.close()


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "demo", "--size", "huge")[0] == 2
    assert run(capsys, "import", "cases", "x.csv")[0] == 2
    assert run(capsys, "--db", "mysql://x/y", "check")[0] == 2


def test_python_m_branchdesk(demo_db: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "branchdesk", "--db", demo_db, "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "all checks passed" in result.stdout


def test_the_demo_database_is_kept_apart(capsys: pytest.CaptureFixture[str]) -> None:
    from branchdesk.settings import default_database_path, demo_database_path

    status, out, _ = run(capsys, "--demo", "list", "members")
    assert status == 0 and "DEMO-000001" in out
    assert demo_database_path().exists() and not default_database_path().exists()


def test_list_cases_filters_by_status_rep_and_type(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "--db", demo_db, "list", "cases")
    every = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(every) == 60
    assert all(row["Reference"].startswith("C-") for row in every)
    opened = [row["Opened"] for row in every]
    assert opened == sorted(opened, reverse=True)  # newest first
    rep = every[0]["Rep"]
    status, out, _ = run(capsys, "--db", demo_db, "list", "cases", "--status", "open", "--rep", rep)
    mine = {r["Reference"]: r for r in csv.DictReader(io.StringIO(out))}
    # The rep's own cases, and those where they are second rep (not a column of the list).
    led = {r["Reference"] for r in every if r["Rep"] == rep and r["Stage"] != "Closed"}
    assert led and led <= mine.keys()
    assert all(r["Stage"] != "Closed" for r in mine.values())
    status, out, _ = run(capsys, "--db", demo_db, "list", "cases", "--type", "grievance")
    grievances = list(csv.DictReader(io.StringIO(out)))
    assert grievances and {r["Type"] for r in grievances} == {"Grievance"}
    assert len(grievances) == sum(1 for r in every if r["Type"] == "Grievance")


def test_list_cases_refuses_an_unknown_status(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "--db", demo_db, "list", "cases", "--status", "won")
    assert status == 2 and out == ""
    assert "invalid choice: 'won'" in err and "'awaiting_outcome'" in err


@pytest.mark.parametrize("suffix", [".xlsx", ".pdf"])
def test_export_cases_with_filters(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = tmp_path / f"cases{suffix}"
    status, text, _ = run(
        capsys, "--db", demo_db, "export", "cases", "--out", str(out), "--status", "open"
    )
    assert status == 0 and out.exists() and "cases exported" in text
    count = int(text.split()[0])
    _, listed, _ = run(capsys, "--db", demo_db, "list", "cases", "--status", "open")
    assert count == len(list(csv.DictReader(io.StringIO(listed))))
    status, _, err = run(
        capsys, "--db", demo_db, "export", "cases", "--out", str(out), "--type", "nonsense"
    )
    assert status == 2 and "invalid choice" in err


def test_export_case_summary_and_unknown_reference(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    _, listed, _ = run(capsys, "--db", demo_db, "list", "cases")
    reference = next(csv.DictReader(io.StringIO(listed)))["Reference"]
    out = tmp_path / "summary.pdf"
    status, text, _ = run(
        capsys, "--db", demo_db, "export", "case-summary", "--case", reference.lower(),
        "--out", str(out),
    )  # fmt: skip
    assert status == 0 and reference in text
    assert reference in PdfReader(out).pages[0].extract_text()
    missing = tmp_path / "missing.pdf"
    status, _, err = run(
        capsys, "--db", demo_db, "export", "case-summary", "--case", "C-1999-9999",
        "--out", str(missing),
    )  # fmt: skip
    assert status == 2 and "C-1999-9999" in err and not missing.exists()
    status, _, err = run(
        capsys, "--db", demo_db, "export", "case-summary", "--case", reference,
        "--out", str(tmp_path / "s.xlsx"),
    )  # fmt: skip
    assert status == 2 and "ending in .pdf" in err


def test_export_caseload_and_deadlines(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from icalendar import Calendar
    from openpyxl import load_workbook

    for suffix in (".pdf", ".xlsx"):
        out = tmp_path / f"caseload{suffix}"
        status, text, _ = run(capsys, "--db", demo_db, "export", "caseload", "--out", str(out))
        assert status == 0 and out.exists() and "open cases" in text
    assert "Oldest open" in load_workbook(tmp_path / "caseload.xlsx").sheetnames
    ics = tmp_path / "deadlines.ics"
    status, text, _ = run(capsys, "--db", demo_db, "export", "deadlines", "--out", str(ics))
    assert status == 0
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert len(events) == int(text.split()[0]) > 0
    status, _, err = run(
        capsys, "--db", demo_db, "export", "deadlines", "--out", str(tmp_path / "d.pdf")
    )
    assert status == 2 and "ending in .ics" in err
    status, _, err = run(
        capsys, "--db", demo_db, "export", "caseload", "--out", str(tmp_path / "d.ics")
    )
    assert status == 2 and ".pdf or .xlsx" in err


def test_list_claims_with_their_totals(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--db", demo_db, "list", "claims")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(rows) == 2
    assert {r["Status"] for r in rows} == {"In negotiation", "Drafting"}
    for row in rows:
        assert row["Reference"].startswith("CL-") and int(row["Demands"]) > 0
        assert Decimal(row["Annual cost"]) > 0  # a plain number a spreadsheet can add
    status, out, _ = run(capsys, "--db", demo_db, "list", "claims", "--status", "drafting")
    assert [r["Status"] for r in csv.DictReader(io.StringIO(out))] == ["Drafting"]
    status, _, err = run(capsys, "--db", demo_db, "list", "claims", "--status", "won")
    assert status == 2 and "invalid choice: 'won'" in err


def test_import_a_survey_into_a_claim(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "Respondent,Do you support the claim?,How stretched are you (1-5)?\n"
        "1,Yes,5\n2,Yes,4\n3,No,2\n",
        encoding="utf-8",
    )
    status, out, err = run(
        capsys, "--db", demo_db, "import", "survey", str(survey), "--claim", "cl-2026-001"
    )
    assert status == 0, err
    assert "3 responses to 2 questions kept with claim CL-2026-001" in out
    status, _, err = run(
        capsys, "--db", demo_db, "import", "survey", str(survey), "--claim", "CL-1999-001"
    )
    assert status == 2 and "no claim with the reference 'CL-1999-001'" in err
    broken = tmp_path / "broken.csv"
    broken.write_text("Respondent,Q1\n1,Yes\n2,Yes,extra\n", encoding="utf-8")
    status, _, err = run(
        capsys, "--db", demo_db, "import", "survey", str(broken), "--claim", "CL-2026-001"
    )
    assert status == 2 and "line 3" in err
    with sqlite3.connect(demo_db) as conn:
        # The demo's own survey, and the one imported here: the broken file added nothing.
        assert conn.execute("SELECT count(*) FROM surveys").fetchone() == (2,)
        assert conn.execute(
            "SELECT count(*) FROM survey_responses r JOIN surveys s ON s.id = r.survey_id "
            "WHERE s.name = 'survey'"
        ).fetchone() == (3,)


def test_export_claim_pack_and_claims(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    pdf = tmp_path / "pack.pdf"
    status, text, err = run(
        capsys, "--db", demo_db, "export", "claim", "--claim", "cl-2026-001", "--out", str(pdf)
    )
    assert status == 0, err
    assert "CL-2026-001" in text and str(pdf) in text
    reader = PdfReader(pdf)
    assert "Negotiation pack" in reader.pages[0].extract_text()
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in reader.pages[-1].extract_text()
    xlsx = tmp_path / "pack.xlsx"
    status, _, err = run(
        capsys, "--db", demo_db, "export", "claim", "--claim", "CL-2026-002", "--out", str(xlsx)
    )
    assert status == 0, err
    assert {"Demands", "Costing"} <= set(load_workbook(xlsx).sheetnames)
    missing = tmp_path / "missing.pdf"
    status, _, err = run(
        capsys, "--db", demo_db, "export", "claim", "--claim", "CL-1999-009", "--out", str(missing)
    )
    assert status == 2 and "CL-1999-009" in err and not missing.exists()
    status, _, err = run(
        capsys, "--db", demo_db, "export", "claim", "--claim", "CL-2026-001",
        "--out", str(tmp_path / "pack.ics"),
    )  # fmt: skip
    assert status == 2 and ".pdf or .xlsx" in err

    claims = tmp_path / "claims.xlsx"
    status, text, err = run(capsys, "--db", demo_db, "export", "claims", "--out", str(claims))
    assert status == 0 and text.startswith("2 claims exported"), err
    sheet = load_workbook(claims)["Claims"]
    references = {row[0].value for row in sheet.iter_rows(min_row=5)}
    assert references == {"CL-2026-001", "CL-2026-002"}
    status, _, err = run(
        capsys, "--db", demo_db, "export", "claims", "--out", str(tmp_path / "claims.pdf")
    )
    assert status == 2 and "ending in .xlsx" in err


def test_the_demo_pay_claim_has_a_survey_behind_it(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    out = tmp_path / "pack.pdf"
    status, _, err = run(
        capsys, "--db", demo_db, "export", "claim", "--claim", "CL-2026-001", "--out", str(out)
    )
    assert status == 0, err
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "Members back the claim" in text and "Do you support the pay claim?" in text
    assert "240 of 240 respondents answered" in text
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM survey_responses").fetchone() == (240,)
        assert conn.execute("SELECT count(*) FROM negotiation_meetings").fetchone() == (1,)


def test_import_and_list_contracts(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = Path(__file__).resolve().parent / "data" / "ocds" / "contracts-finder"
    first = sorted(samples.glob("*.json"))[0]
    status, out, err = run(capsys, "--db", demo_db, "import", "contracts", str(first))
    assert status == 0 and "1 contracts added" in out and "blank identifier" in err
    status, out, _ = run(capsys, "--db", demo_db, "import", "contracts", str(first))
    assert "0 contracts added, 0 updated, 1 unchanged" in out
    status, out, _ = run(capsys, "--db", demo_db, "list", "contracts")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 41  # the demo's 40 and the one imported
    status, out, _ = run(capsys, "--db", demo_db, "list", "contracts", "--ending-within", "12")
    soon = list(csv.DictReader(io.StringIO(out)))
    assert 0 < len(soon) < 41
    assert all(r["Decision point"] <= f"{date.today().year + 1}-12-31" for r in soon)
    broken = tmp_path / "broken.json"
    broken.write_text('{"releases": [', encoding="utf-8")
    status, _, err = run(capsys, "--db", demo_db, "import", "contracts", str(broken))
    assert status == 2 and "broken.json" in err and "not valid JSON" in err
    status, _, err = run(capsys, "--db", demo_db, "list", "contracts", "--ending-within", "-3")
    assert status == 2 and "--ending-within" in err


def test_import_contracts_csv_and_other_suffixes(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "ours.csv"
    good.write_text(
        "Service,Authority,Contractors,Status,Value,End\n"
        "Library cleaning,Northmoor Council,Acme Ltd; Bravo Ltd,outsourced,250000,2029-03-31\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, "--db", demo_db, "import", "contracts", str(good))
    assert status == 0, err
    assert "1 contracts added" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("Service,Status\nOne,outsourced\nTwo,privatised\n", encoding="utf-8")
    status, _, err = run(capsys, "--db", demo_db, "import", "contracts", str(bad))
    assert status == 2 and "line 3, Status" in err and "nothing was imported" in err
    other = tmp_path / "contracts.xml"
    other.write_text("<x/>", encoding="utf-8")
    status, _, err = run(capsys, "--db", demo_db, "import", "contracts", str(other))
    assert status == 2 and "contracts.xml" in err
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM contracts").fetchone() == (41,)


def test_export_contracts_and_briefing(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    xlsx = tmp_path / "watch.xlsx"
    status, out, err = run(capsys, "--db", demo_db, "export", "contracts", "--out", str(xlsx))
    assert status == 0, err
    assert "40 contracts exported" in out
    sheet = load_workbook(xlsx).active
    assert sheet is not None and sheet.max_row == 4 + 40
    assert "buyer/name" in [c.value for c in sheet[4]]
    pdf = tmp_path / "briefing.pdf"
    status, out, err = run(
        capsys, "--db", demo_db, "export", "outsourcing-briefing", "--out", str(pdf)
    )
    assert status == 0, err
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Outsourcing briefing" in text and "Totals by contractor" in text
    briefing = ("export", "outsourcing-briefing", "--out", str(pdf))
    status, _, err = run(capsys, "--db", demo_db, *briefing, "--authority", "Nowhere Council")
    assert status == 2 and "Nowhere Council" in err
    for what, name in (("contracts", "watch.pdf"), ("outsourcing-briefing", "b.xlsx")):
        status, _, err = run(capsys, "--db", demo_db, "export", what, "--out", str(tmp_path / name))
        assert status == 2 and name in err
        assert not (tmp_path / name).exists()
