"""Member CSV import: every problem found first, then all rows or none."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from branchdesk.members.csvformat import write_csv
from branchdesk.members.export_csv import member_csv_rows
from branchdesk.members.importer import (
    ImportRefused,
    apply_plan,
    check_members_csv,
    import_members_csv,
    preview_import,
)
from branchdesk.members.models import Employer, Member, Workplace
from branchdesk.members.service import (
    MemberForm,
    create_member,
    get_member,
    member_id_by_number,
    update_member,
)
from branchdesk.progress import Cancelled, Progress
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit

HEADER = (
    "Membership number,Last name,First name,Employer,Workplace,Date joined,Status,"
    "Subs up to date,Notes\n"
)
GOOD = HEADER + (
    "A1,Example,Ada,Northmoor Borough Council (demo),Town Hall,03/04/2021,current,yes,\n"
    "A2,Sample,Bo,Northmoor Borough Council (demo),Riverside Depot,2020-01-31,lapsed,no,"
    '"Two\nlines, with a comma"\n'
    "A3,Test,Cy,Eastvale District Council (demo),,,,,\n"
)


def _write(tmp_path: Path, text: str, name: str = "members.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Member)) or 0


def test_a_good_file_is_imported(any_db: Database, tmp_path: Path) -> None:
    result = import_members_csv(any_db, _write(tmp_path, GOOD))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    ada = get_member(any_db, member_id_by_number(any_db, "A1") or 0)
    assert (ada.first_name, ada.last_name, ada.workplace) == ("Ada", "Example", "Town Hall")
    assert ada.date_joined is not None and ada.date_joined.isoformat() == "2021-04-03"
    bo = get_member(any_db, member_id_by_number(any_db, "A2") or 0)
    assert bo.status == "lapsed" and bo.subs_up_to_date is False
    assert bo.notes == "Two\nlines, with a comma"
    with any_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Employer)) == 2
        assert session.scalar(select(func.count()).select_from(Workplace)) == 2
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.table_name).where(
                AuditEntry.table_name == "members"
            )
        ).all()
    assert actions == [("create", "members")] * 3


def test_every_bad_row_is_reported_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    text = HEADER + (
        "A1,Example,Ada,,,03/04/2021,current,yes,\n"
        ",Nobody,Nemo,,,,,,\n"
        "A3,,Cy,,,31/02/2021,sacked,maybe,\n"
        "A1,Again,Dup,,,,,,\n"
        "A5,Future,Fay,,,01/01/2999,,,\n"
        "A6,Short,Year,,,03/04/21,,,\n"
    )
    plan = check_members_csv(_write(tmp_path, text))
    found = {(p.line, p.column) for p in plan.problems}
    assert found == {
        (3, "Membership number"),
        (4, "Last name"),
        (4, "Date joined"),
        (4, "Status"),
        (4, "Subs up to date"),
        (5, "Membership number"),
        (6, "Date joined"),
        (7, "Date joined"),
    }
    messages = "\n".join(str(p) for p in plan.problems)
    assert "line 5, Membership number: membership number A1 is also on line 2" in messages
    assert "'31/02/2021' is not a date" in messages
    assert "two-digit year" in messages
    with pytest.raises(ImportRefused, match="8 problem"):
        apply_plan(db, plan)
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04\x00\x00binary", "not a text file"),
        (b"Name,Email\nAda,a@example.org\n", "no column for this field"),
        (HEADER.encode(), "header but no members"),
        (b"Membership number,Last name,First name\nA1,X,Y,extra,cells\n", "5 cells"),
    ],
)
def test_broken_files_are_named(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    plan = check_members_csv(path)
    assert not plan.ok
    assert expected in "\n".join(str(p) for p in plan.problems)


def test_missing_file(tmp_path: Path) -> None:
    plan = check_members_csv(tmp_path / "nope.csv")
    assert [str(p) for p in plan.problems] == ["file: no such file"]


def test_reimporting_updates_instead_of_duplicating(any_db: Database, tmp_path: Path) -> None:
    import_members_csv(any_db, _write(tmp_path, GOOD))
    again = import_members_csv(any_db, _write(tmp_path, GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = GOOD.replace("A3,Test,Cy", "A3,Test,Cyril").replace("Town Hall", "Central Library")
    result = import_members_csv(any_db, _write(tmp_path, changed))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    assert _count(any_db) == 3
    assert get_member(any_db, member_id_by_number(any_db, "A3") or 0).first_name == "Cyril"
    assert get_member(any_db, member_id_by_number(any_db, "A1") or 0).workplace == (
        "Central Library"
    )


def test_an_import_refuses_an_edit_form_opened_before_it(db: Database, tmp_path: Path) -> None:
    import_members_csv(db, _write(tmp_path, GOOD))
    member_id = member_id_by_number(db, "A3") or 0
    form = get_member(db, member_id)
    import_members_csv(db, _write(tmp_path, GOOD.replace("A3,Test,Cy", "A3,Test,Cyril")))
    form.job_title = "Cook"
    with pytest.raises(StaleEdit):
        update_member(db, member_id, form)


def test_the_preview_counts_new_changed_and_unchanged(any_db: Database, tmp_path: Path) -> None:
    import_members_csv(any_db, _write(tmp_path, GOOD))
    edited = GOOD.replace("A3,Test,Cy", "A3,Test,Cyril") + "A4,New,Dee,,,,,,\n"
    plan = check_members_csv(_write(tmp_path, edited, "edited.csv"))
    preview = preview_import(any_db, plan)
    assert (preview.new, preview.changed, preview.unchanged) == (1, 1, 2)
    assert _count(any_db) == 3  # a preview writes nothing
    result = apply_plan(any_db, plan)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)


def test_columns_left_out_of_a_file_keep_their_values(db: Database, tmp_path: Path) -> None:
    import_members_csv(db, _write(tmp_path, GOOD))
    partial = "Membership number,Last name,First name\nA1,Example,Adaline\n"
    import_members_csv(db, _write(tmp_path, partial, "partial.csv"))
    ada = get_member(db, member_id_by_number(db, "A1") or 0)
    assert ada.first_name == "Adaline" and ada.workplace == "Town Hall"


def test_list_output_imports_back_unchanged(any_db: Database, tmp_path: Path) -> None:
    risky = HEADER + (
        'R1,"=HYPERLINK(""http://x"",""y"")",+44 20,Eastvale District Council (demo),,,,,'
        "@SUM(1)\n"
        "R2,O'Connell,-Dash,Eastvale District Council (demo),,,,,\t=1\n"
    )
    import_members_csv(any_db, _write(tmp_path, GOOD + risky.split("\n", 1)[1]))
    out = io.StringIO()
    write_csv(out, member_csv_rows(any_db))
    printed = out.getvalue()
    # Spreadsheets must not run these as formulas.
    for line in csv.reader(io.StringIO(printed)):
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t")), cell
    before = [dict(r) for r in member_csv_rows(any_db)]
    result = import_members_csv(any_db, _write(tmp_path, printed, "listed.csv"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert [dict(r) for r in member_csv_rows(any_db)] == before
    r1 = get_member(any_db, member_id_by_number(any_db, "R1") or 0)
    assert r1.last_name == '=HYPERLINK("http://x","y")' and r1.notes == "@SUM(1)"


def test_windows_spreadsheet_csv_with_semicolons_and_cp1252(db: Database, tmp_path: Path) -> None:
    text = "Member No;Surname;Forename;Joined\r\nW1;Sørensen;Zoë;01.02.2003\r\n"
    import_members_csv(db, _write(tmp_path, text, encoding="cp1252"))
    member = get_member(db, member_id_by_number(db, "W1") or 0)
    assert (member.last_name, member.first_name) == ("Sørensen", "Zoë")
    assert member.date_joined is not None and member.date_joined.isoformat() == "2003-02-01"


def test_unknown_columns_are_a_warning_not_a_refusal(tmp_path: Path) -> None:
    plan = check_members_csv(_write(tmp_path, "Number,Surname,Forename,Shoe size\nS1,A,B,9\n"))
    assert plan.ok
    assert plan.warnings == ["column 'Shoe size' is not a member field and is ignored"]


def test_a_cancelled_import_writes_nothing(db: Database, tmp_path: Path) -> None:
    rows = "".join(
        f"N{n},Last{n},First{n},Eastvale District Council (demo),,,,,\n" for n in range(3000)
    )
    plan = check_members_csv(_write(tmp_path, HEADER + rows))
    seen: list[int] = []

    def cancel_half_way(done: int, total: int) -> None:
        seen.append(done)
        if done > total // 2:
            progress.cancel()

    progress = Progress(cancel_half_way)
    with pytest.raises(Cancelled):
        apply_plan(db, plan, progress)
    assert seen and _count(db) == 0
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Employer)) == 0


def test_a_stray_quote_is_reported_not_swallowing_rows(tmp_path: Path) -> None:
    rows = [f'N{n},Last{n},First{n},,,,,,"A note {n}"' for n in range(50)]
    rows[10] = 'N10,Last10,First10,,,,,,"said no'
    plan = check_members_csv(_write(tmp_path, HEADER + "\n".join(rows) + "\n"))
    assert not plan.ok
    assert any(p.line == 12 and "check its quotes" in p.message for p in plan.problems)


def test_a_quote_in_the_middle_of_a_quoted_cell_is_reported(tmp_path: Path) -> None:
    text = HEADER + 'Q1,Quote,Q,,,,,,"He said "no" twice"\nQ2,Next,N,,,,,,\n'
    plan = check_members_csv(_write(tmp_path, text))
    assert [p.line for p in plan.problems] == [2]


def test_round_trip_with_phone_numbers_and_apostrophes(any_db: Database) -> None:
    """Values typed in the window survive being listed, edited and imported again."""
    for n in range(40):
        create_member(
            any_db,
            MemberForm(
                membership_number=f"P{n}",
                last_name="O'Brien",
                first_name="Sam",
                personal_phone=f"+44 7700 900{n:03d}",
                job_title="'-",
                notes="At the stewards' committee; '=x",
            ),
        )
    before = [dict(r) for r in member_csv_rows(any_db)]
    assert before[0]["job_title"] == "'-" and before[0]["notes"].endswith("'=x")
    out = io.StringIO()
    write_csv(out, member_csv_rows(any_db))
    path = Path(tempfile.mkdtemp()) / "listed.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = import_members_csv(any_db, path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 40)
    assert [dict(r) for r in member_csv_rows(any_db)] == before


def test_a_new_employer_without_a_workplace_column_clears_the_old_workplace(
    db: Database, tmp_path: Path
) -> None:
    import_members_csv(db, _write(tmp_path, GOOD))
    moved = "Membership number,Last name,First name,Employer\nA1,Example,Ada,Kestrel Care (demo)\n"
    plan = check_members_csv(_write(tmp_path, moved, "moved.csv"))
    preview = preview_import(db, plan)
    assert (preview.new, preview.changed, preview.unchanged) == (0, 1, 0)
    apply_plan(db, plan)
    ada = get_member(db, member_id_by_number(db, "A1") or 0)
    assert (ada.employer, ada.workplace) == ("Kestrel Care (demo)", "")
    same = (
        "Membership number,Last name,First name,Employer\n"
        "A2,Sample,Bo,Northmoor Borough Council (demo)\n"
    )
    plan = check_members_csv(_write(tmp_path, same, "same.csv"))
    assert preview_import(db, plan).unchanged == 1
    apply_plan(db, plan)
    assert get_member(db, member_id_by_number(db, "A2") or 0).workplace == "Riverside Depot"


def test_blank_status_and_subs_keep_an_existing_members_values(
    db: Database, tmp_path: Path
) -> None:
    import_members_csv(db, _write(tmp_path, GOOD))
    blanks = HEADER + "A2,Sample,Bo,Northmoor Borough Council (demo),Riverside Depot,,,,\n"
    import_members_csv(db, _write(tmp_path, blanks, "blanks.csv"))
    bo = get_member(db, member_id_by_number(db, "A2") or 0)
    assert (bo.status, bo.subs_up_to_date) == ("lapsed", False)
    assert bo.date_joined is None and bo.notes == ""  # other blank cells empty their field


def test_a_short_row_is_a_problem(tmp_path: Path) -> None:
    plan = check_members_csv(_write(tmp_path, HEADER + "S1,Short,Row,Employer\n"))
    assert [str(p) for p in plan.problems] == ["line 2: 4 cells, but the header has 9"]


def test_a_file_mixing_encodings_is_refused(tmp_path: Path) -> None:
    data = (HEADER + "E1,Zoë,Utf,,,,,,\n").encode() + "E2,Zoë,Latin,,,,,,\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    plan = check_members_csv(path)
    [problem] = plan.problems
    assert problem.line == 3 and "mixes character encodings" in problem.message


def test_a_windows_1252_file_is_read_with_a_warning(tmp_path: Path) -> None:
    plan = check_members_csv(_write(tmp_path, HEADER + "W1,Zoë,Ann,,,,,,\n", encoding="cp1252"))
    assert plan.ok and plan.rows[0].values["last_name"] == "Zoë"
    assert any("Windows-1252" in w and "line 2" in w for w in plan.warnings)


def test_import_audit_rows_hold_no_personal_values(any_db: Database, tmp_path: Path) -> None:
    import_members_csv(any_db, _write(tmp_path, GOOD))
    import_members_csv(any_db, _write(tmp_path, GOOD.replace("A3,Test,Cy", "A3,Test,Cyril")))
    with any_db.read() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.fields, AuditEntry.changes).where(
                AuditEntry.table_name == "members"
            )
        ).all()
    text = " ".join(f + c for _, f, c in rows)
    for personal in ("Ada", "Example", "Cyril", "Two", "2021-04-03", "A1"):
        assert personal not in text
    assert [a for a, _, _ in rows] == ["create"] * 3 + ["update"]
    assert '"first_name"' in rows[-1][1]


def _parse_date_by_formats(text: str) -> object:
    """`parse_date` as it was before its fast path: every format through strptime."""
    from datetime import datetime

    from branchdesk.members.csvformat import _DATE_FORMATS

    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return "refused"


@pytest.mark.parametrize(
    "text",
    [
        "2021-04-03",
        " 2021-04-03 ",
        "2021-4-3",
        "2021-02-29",
        "2020-02-29",
        "2021-13-01",
        "0000-01-01",
        "0999-01-01",
        "2021-04-3x",
        "+021-04-03",
        "٢٠٢١-٠٤-٠٣",
        "03/04/2021",
        "03/04/21",
    ],
)
def test_parse_date_reads_every_date_as_strptime_does(text: str) -> None:
    from branchdesk.members.csvformat import parse_date

    try:
        parsed: object = parse_date(text)
    except ValueError:
        parsed = "refused"
    assert parsed == _parse_date_by_formats(text)


def test_a_protective_apostrophe_before_a_tab_is_checked_as_typed(
    db: Database, tmp_path: Path
) -> None:
    text = (
        "Membership number,Last name,First name,Work phone,Personal phone\n"
        "T1,Tab,Ok,'\t07700 900123,\n"
        "T2,Tab,Short,'\t12,\n"
    )
    plan = check_members_csv(_write(tmp_path, text))
    # The tab is trimmed for checking, as a form trims it; the value is kept as written.
    assert [(p.line, p.column) for p in plan.problems] == [(3, "Work phone")]
    assert plan.rows[0].values["work_phone"] == "\t07700 900123"


def test_each_new_member_has_its_own_audit_row(any_db: Database, tmp_path: Path) -> None:
    rows = "".join(
        f"N{n},Last{n},First{n},Employer {n % 3} (demo),Place {n % 2},,current,yes,\n"
        for n in range(2500)
    )
    import_members_csv(any_db, _write(tmp_path, HEADER + rows))
    with any_db.read() as session:
        members = dict(session.execute(select(Member.membership_number, Member.id)).all())
        entries = session.execute(
            select(AuditEntry.row_id, AuditEntry.fields, AuditEntry.changes, AuditEntry.at).where(
                AuditEntry.table_name == "members"
            )
        ).all()
        employers = dict(session.execute(select(Employer.name, Employer.id)).all())
    assert sorted(e.row_id for e in entries) == sorted(members.values())
    assert len({e.at for e in entries}) == 1  # one import, one moment
    by_id = {e.row_id: e for e in entries}
    n7 = by_id[members["N7"]]
    assert n7.fields == (
        '["employer_id", "first_name", "last_name", "membership_number", "search_text", '
        '"status", "subs_up_to_date", "workplace_id"]'
    )
    changes = json.loads(n7.changes)
    assert changes["employer_id"] == [None, employers["Employer 1 (demo)"]]
    assert changes["status"] == [None, "current"] and changes["subs_up_to_date"] == [None, True]
    assert set(changes) == {"employer_id", "workplace_id", "status", "subs_up_to_date"}


def test_new_member_ids_are_found_by_number_when_not_above_the_old_largest(
    db: Database, tmp_path: Path
) -> None:
    from branchdesk.members.importer import _new_ids

    import_members_csv(db, _write(tmp_path, GOOD))
    with db.read() as session:
        found = _new_ids(session.connection(), ["A1", "A3"], 10**9)
    assert found["A1"] == member_id_by_number(db, "A1")
    assert found["A3"] == member_id_by_number(db, "A3")


def test_the_cycle_collector_is_back_on_after_an_import_however_it_ends(
    db: Database, tmp_path: Path
) -> None:
    import gc

    assert gc.isenabled()
    import_members_csv(db, _write(tmp_path, GOOD))
    assert gc.isenabled()
    plan = check_members_csv(_write(tmp_path, GOOD.replace("A2,", "A1,"), "dup.csv"))
    assert not plan.ok and gc.isenabled()
    progress = Progress(lambda _done, _total: progress.cancel())  # stops at the next step
    with pytest.raises(Cancelled):
        apply_plan(db, check_members_csv(_write(tmp_path, GOOD, "again.csv")), progress)
    assert gc.isenabled()
