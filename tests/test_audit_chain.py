"""The audit log's hash chain: every writer chains, tampering is named, writers never fork it."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pgserver
import pytest
from sqlalchemy import Connection, event, select, text
from sqlalchemy.exc import DBAPIError

from branchdesk.cli import main
from branchdesk.members.importer import import_members_csv
from branchdesk.members.service import MemberForm, create_member, update_member
from branchdesk.store import audit, migrate
from branchdesk.store.audit import (
    GENESIS,
    AuditEntry,
    chain_head,
    record,
    record_event,
    record_export,
    row_hash,
    verify_chain,
    write_event,
)
from branchdesk.store.check import run_checks
from branchdesk.store.database import Database, connect, open_database

# Every name here is made up for the tests.
MEMBERS_CSV = (
    "Membership number,First name,Last name,Employer,Workplace\n"
    "T9001,Testy,Fictional,Imaginary Borough Council,Nowhere Depot\n"
    "T9002,Sample,Person,Imaginary Borough Council,Nowhere Depot\n"
)


def _member(number: str = "T1001") -> MemberForm:
    return MemberForm(membership_number=number, first_name="Testy", last_name="Fictional")


def _rows(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _problem(db: Database) -> str | None:
    with db.read() as session:
        return verify_chain(session)


def _fill(db: Database, tmp_path: Path) -> None:
    """Audit rows from every kind of writer: a flush, `record`, the member import, an event."""
    member_id = create_member(db, _member())
    form = _member()
    form.department = "Imaginary Department"
    form.version = 1
    update_member(db, member_id, form)
    with db.write() as session:
        record(session, [audit.entry(db.officer, "demo", "members", None, [], {"n": (None, 2)})])
    csv_path = tmp_path / "members.csv"
    csv_path.write_text(MEMBERS_CSV)
    import_members_csv(db, csv_path)
    write_event(db, "view", "members", member_id, ["notes"])
    record_export(db, "members", tmp_path / "out.xlsx", 3)


def test_every_writer_chains_onto_the_row_before(any_db: Database, tmp_path: Path) -> None:
    _fill(any_db, tmp_path)
    rows = _rows(any_db)
    assert len(rows) >= 8
    assert {"create", "update", "demo", "view", "export"} <= {r.action for r in rows}
    previous = GENESIS
    for row in rows:
        assert row.prev_hash == previous
        assert row.row_hash == row_hash(
            row.prev_hash,
            row.at,
            row.officer,
            row.action,
            row.table_name,
            row.row_id,
            row.fields,
            row.changes,
        )
        previous = row.row_hash
    assert _problem(any_db) is None
    assert run_checks(any_db) == []
    with any_db.read() as session:
        head = chain_head(session)
    assert head is not None and head.row == rows[-1].id and head.row_hash == rows[-1].row_hash


# -- tampering ----------------------------------------------------------------------------------


def _lift_triggers(conn: Connection) -> None:
    """What someone with the file or a superuser's login could do: lift the append-only rule."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
    else:
        conn.execute(text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE"))


def _tamper(db: Database, *statements: str, **params: Any) -> None:
    with db.engine.begin() as conn:
        _lift_triggers(conn)
        for statement in statements:
            conn.execute(text(statement), params)


@pytest.fixture
def chained(any_db: Database, tmp_path: Path) -> Iterator[tuple[Database, list[int]]]:
    _fill(any_db, tmp_path)
    ids = [row.id for row in _rows(any_db)]
    assert run_checks(any_db) == []
    yield any_db, ids


def test_an_edited_field_is_named(chained: tuple[Database, list[int]]) -> None:
    db, ids = chained
    target = ids[3]
    _tamper(db, "UPDATE audit_log SET officer = 'Someone Else' WHERE id = :id", id=target)
    problems = run_checks(db)
    assert len(problems) == 1
    assert f"audit log row {target} was changed after it was written" in problems[0]


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(
    chained: tuple[Database, list[int]],
) -> None:
    db, ids = chained
    target = ids[2]
    row = next(r for r in _rows(db) if r.id == target)
    forged = row_hash(
        row.prev_hash, row.at, row.officer, row.action, row.table_name, 999, row.fields, row.changes
    )
    _tamper(
        db,
        "UPDATE audit_log SET row_id = 999, row_hash = :forged WHERE id = :id",
        forged=forged,
        id=target,
    )
    assert run_checks(db) == [
        f"audit log row {ids[3]} does not follow row {target}: a row between them was removed, "
        "or the rows' hashes were rewritten or put out of order"
    ]


def test_a_row_deleted_from_the_middle_is_named(chained: tuple[Database, list[int]]) -> None:
    db, ids = chained
    _tamper(db, "DELETE FROM audit_log WHERE id = :id", id=ids[4])
    (problem,) = run_checks(db)
    assert problem.startswith(f"audit log row {ids[5]} does not follow row {ids[3]}")


def test_the_first_row_deleted_is_named(chained: tuple[Database, list[int]]) -> None:
    db, ids = chained
    _tamper(db, "DELETE FROM audit_log WHERE id = :id", id=ids[0])
    (problem,) = run_checks(db)
    assert problem.startswith(f"audit log row {ids[1]} does not follow the start of the log")


def test_hashes_put_out_of_order_are_named(chained: tuple[Database, list[int]]) -> None:
    db, ids = chained
    first, second = (r for r in _rows(db) if r.id in (ids[5], ids[6]))
    # Swap the two rows' links and hashes, as if the rows had been re-ordered.
    _tamper(
        db,
        "UPDATE audit_log SET prev_hash = :p, row_hash = :h WHERE id = :id",
        p=second.prev_hash,
        h=second.row_hash,
        id=first.id,
    )
    _tamper(
        db,
        "UPDATE audit_log SET prev_hash = :p, row_hash = :h WHERE id = :id",
        p=first.prev_hash,
        h=first.row_hash,
        id=second.id,
    )
    (problem,) = run_checks(db)
    assert problem.startswith(f"audit log row {first.id} ")


def test_branchdesk_check_names_the_broken_row(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db, tmp_path)
    target = _rows(db)[2].id
    _tamper(db, "UPDATE audit_log SET fields = '[\"x\"]' WHERE id = :id", id=target)
    assert db.path is not None
    status = main(["--db", str(db.path), "check"])
    out = capsys.readouterr().out
    assert status == 1
    assert f"problem: audit log row {target} was changed after it was written" in out


def test_rows_cut_from_the_end_are_found_against_the_newest_backup(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta

    from branchdesk.store.restore import restore_and_reopen
    from branchdesk.store.schedule import take_backup

    _fill(db, tmp_path)
    assert db.path is not None
    path = db.path
    folder = path.parent / "backups"
    earlier = take_backup(path, folder, datetime.now() - timedelta(days=2))
    create_member(db, MemberForm(membership_number="TAIL1", first_name="Tam", last_name="Tail"))
    take_backup(path, folder, datetime.now() - timedelta(days=1))
    last = _rows(db)[-1].id
    # What is left is still a whole chain: only the backup shows the end is gone.
    _tamper(db, "DELETE FROM audit_log WHERE id >= :id", id=last - 1)
    assert run_checks(db) == []
    status = main(["--db", str(path), "check"])
    out = capsys.readouterr().out
    assert status == 1
    assert f"problem: audit log: row {last}, the last one in the backup of" in out
    assert "rows were cut from the end of the log" in out
    # Restoring an earlier backup puts the log back to its end on purpose: not a problem.
    db.dispose()
    restore_and_reopen(path, earlier, "Test Officer")[0].dispose()
    assert main(["--db", str(path), "check"]) == 0


def test_the_log_stays_append_only(any_db: Database) -> None:
    create_member(any_db, _member())
    for statement in (
        "UPDATE audit_log SET row_hash = prev_hash",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"), any_db.write() as session:
            session.execute(text(statement))


# -- writers at once ----------------------------------------------------------------------------


def test_writers_at_once_never_follow_the_same_row(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four writers on their own connections; each pauses after reading the last hash, which
    would let another chain onto the same row if writers were not serialised."""
    original = audit.last_hash

    def slow_last_hash(connection: Connection) -> str:
        found = original(connection)
        time.sleep(0.005)
        return found

    monkeypatch.setattr(audit, "last_hash", slow_last_hash)
    spec: Any = any_db.path if any_db.is_sqlite else any_db.url.render_as_string(False)
    others = [open_database(spec, officer=f"Writer {n}") for n in range(4)]
    barrier = threading.Barrier(len(others))
    errors: list[BaseException] = []

    def write(db: Database, n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                if i % 2:
                    write_event(db, "view", "members", n * 100 + i)
                else:
                    create_member(db, _member(f"W{n}-{i}"))
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(db, n)) for n, db in enumerate(others)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for db in others:
        db.dispose()
    assert errors == []
    rows = _rows(any_db)
    assert sum(1 for r in rows if r.officer.startswith("Writer")) == 40
    assert len({r.prev_hash for r in rows}) == len(rows)  # no two rows follow the same one
    assert _problem(any_db) is None


# -- events -------------------------------------------------------------------------------------


def test_events_keep_ids_and_counts_only(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        record_event(session, "Test Officer", "sign_in_failed", "officers", 7, (), {"attempt": 3})
    # The file is named after a (made-up) member: the name must not reach the log.
    record_export(
        db, "payments", tmp_path / "Testy Fictional.PDF", 12, record_id=4, anonymised=True
    )
    events = [r for r in _rows(db) if r.action in ("sign_in_failed", "export")]
    assert [(e.action, e.table_name, e.row_id) for e in events] == [
        ("sign_in_failed", "officers", 7),
        ("export", "hardship_funds", 4),
    ]
    assert events[0].change_map() == {"attempt": [None, 3]}
    assert events[1].change_map() == {
        "anonymised": [None, True],
        "export": [None, "payments"],
        "format": [None, "pdf"],
        "rows": [None, 12],
    }
    assert "Testy" not in events[1].changes and "Fictional" not in events[1].fields
    with pytest.raises(ValueError, match="not an audit event"):
        write_event(db, "peek", "members")
    with pytest.raises(ValueError, match="not a known export"):
        record_export(db, "everything", tmp_path / "x.xlsx")


def test_each_chain_step_reads_one_row(db: Database) -> None:
    """The last hash comes from the newest row by the primary key, never a scan of the log."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    with db.write() as session:
        conn = session.connection()
        event.listen(conn, "before_cursor_execute", note)
        audit.last_hash(conn)
        event.remove(conn, "before_cursor_execute", note)
        statement, parameters = seen[-1]
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    assert re.search(r"ORDER BY audit_log\.id DESC\s+LIMIT", statement)
    # SQLite walks the table's own b-tree backwards and stops at the first row: no sort.
    assert not any("TEMP B-TREE" in str(row[-1]) for row in plan)


# -- the migration ------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at the revision before the chain, with audit rows written as it wrote them."""
    if request.param == "sqlite":
        spec: str = str(tmp_path / "old.sqlite3")
    else:
        server: pgserver.PgServer = request.getfixturevalue("pg_server")
        name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:50]
        server.drop_database(name)
        spec = server.create_database(name)
    db = connect(spec, officer="Test Officer")
    migrate.upgrade(db, "0007_officers")
    with db.engine.begin() as conn:
        for n in range(12):
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, officer, action, table_name, row_id, fields, "
                    "changes) VALUES (:at, 'Test Officer', 'create', 'members', :n, :f, '{}')"
                ),
                {"at": f"2026-05-0{1 + n % 9} 10:00:0{n % 10}.12345{n % 10}", "n": n, "f": "[]"},
            )
    yield db
    db.dispose()
    if request.param == "postgres":
        server.drop_database(name)


def test_the_upgrade_chains_the_rows_already_there(unmigrated: Database) -> None:
    migrate.upgrade(unmigrated)
    rows = _rows(unmigrated)
    assert len(rows) == 12 and rows[0].prev_hash == GENESIS
    assert _problem(unmigrated) is None
    # New rows follow on, and the log is append-only again.
    create_member(unmigrated, _member())
    assert _problem(unmigrated) is None and len(_rows(unmigrated)) == 13
    with pytest.raises(DBAPIError, match="append-only"), unmigrated.write() as session:
        session.execute(text("DELETE FROM audit_log"))


def test_the_chain_can_be_taken_off_and_put_back(tmp_path: Path) -> None:
    db = open_database(tmp_path / "down.sqlite3", officer="Test Officer")
    create_member(db, _member())
    with db.engine.begin() as conn:
        migrate.command.downgrade(migrate.alembic_config(conn), "0007_officers")
        columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(audit_log)")}
    assert "row_hash" not in columns
    migrate.upgrade(db)
    assert _problem(db) is None
    assert json.loads(_rows(db)[0].fields)
    db.dispose()
