"""Storage: connection settings, transactions, stale saves, the audit log, migrations."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from branchdesk.members.models import Member
from branchdesk.members.service import MemberForm, create_member, get_member, update_member
from branchdesk.store import migrate
from branchdesk.store.audit import AuditEntry
from branchdesk.store.database import Database, connect, open_database, resolve_url
from branchdesk.store.errors import DatabaseDamaged, MigrationFailed, StaleEdit, StoreError


def _form(number: str = "M1", **changes: object) -> MemberForm:
    form = MemberForm(
        membership_number=number,
        first_name="Ada",
        last_name="Example",
        employer="Northmoor Borough Council (demo)",
        workplace="Town Hall",
        personal_email="ada@example.org",
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def test_url_from_path_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(tmp_path / "a.sqlite3").database == str(tmp_path / "a.sqlite3")
    monkeypatch.setenv("BRANCHDESK_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_url(None).database == str(tmp_path / "env.sqlite3")
    monkeypatch.delenv("BRANCHDESK_DB")
    assert resolve_url(None).database == str(tmp_path / "data" / "branchdesk.sqlite3")
    url = resolve_url("postgresql://u:secret@127.0.0.1/branch")
    assert url.drivername == "postgresql+psycopg"
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        resolve_url("mysql://x/y")


def test_sqlite_connection_settings(db: Database) -> None:
    with db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_foreign_keys_are_enforced(any_db: Database) -> None:
    with pytest.raises(DBAPIError), any_db.write() as session:
        session.execute(
            text(
                "INSERT INTO members (membership_number, first_name, last_name, employer_id, "
                "department, job_title, work_email, work_phone, personal_email, personal_phone, "
                "home_address, status, subs_up_to_date, notes, created_at, updated_at, version) "
                "VALUES ('X', 'a', 'b', 999, '', '', '', '', '', '', '', 'current', true, '', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
            )
        )


def test_read_then_write_from_two_connections_waits_instead_of_failing(db: Database) -> None:
    """Without BEGIN IMMEDIATE the second writer fails at once with 'database is locked'."""
    member_id = create_member(db, _form())
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            barrier.wait(timeout=5)  # both start at once
            with db.write() as session:
                member = session.get(Member, member_id)
                assert member is not None
                time.sleep(0.2)  # both have read before either writes
                member.notes = member.notes + "x"
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors
    assert get_member(db, member_id).notes == "xx"


def test_a_stale_save_is_refused(any_db: Database) -> None:
    member_id = create_member(any_db, _form())
    mine = get_member(any_db, member_id)
    theirs = get_member(any_db, member_id)
    theirs.job_title = "Cook"
    update_member(any_db, member_id, theirs)
    mine.job_title = "Driver"
    with pytest.raises(StaleEdit, match="changed by someone else"):
        update_member(any_db, member_id, mine)
    assert get_member(any_db, member_id).job_title == "Cook"


def test_a_race_between_read_and_write_is_refused_by_the_version_column(
    any_db: Database,
) -> None:
    """Two sessions hold the same version; the database, not Python, refuses the second."""
    member_id = create_member(any_db, _form())
    with any_db.read() as first:
        stale = first.get(Member, member_id)
        assert stale is not None
        first.expunge(stale)
    with any_db.write() as session:
        member = session.get(Member, member_id)
        assert member is not None
        member.department = "Housing"
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(StaleDataError), any_db.write() as session:
        session.add(stale)
        stale.department = "Libraries"
    assert get_member(any_db, member_id).department == "Housing"


def test_audit_names_personal_fields_without_their_values(any_db: Database) -> None:
    member_id = create_member(any_db, _form())
    form = get_member(any_db, member_id)
    form.personal_email = "new-secret@example.org"
    form.status = "lapsed"
    update_member(any_db, member_id, form)
    with any_db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "members").order_by(AuditEntry.id)
        ).all()
        everything = " ".join(e.fields + e.changes for e in session.scalars(select(AuditEntry)))
    assert [e.action for e in entries] == ["create", "update"]
    assert {e.officer for e in entries} == {"Test Officer"}
    assert entries[1].row_id == member_id
    assert set(entries[1].field_list()) == {"personal_email", "status"}
    assert entries[1].change_map() == {"status": ["current", "lapsed"]}
    assert "secret" not in everything and "Ada" not in everything
    assert "Example" not in everything


def test_audit_log_is_append_only(any_db: Database) -> None:
    create_member(any_db, _form())
    for statement in ("UPDATE audit_log SET officer = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), any_db.write() as session:
            session.execute(text(statement))
    with any_db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 3


def test_deleting_a_member_is_audited(any_db: Database) -> None:
    member_id = create_member(any_db, _form())
    with any_db.write() as session:
        session.delete(session.get(Member, member_id))
    with any_db.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "delete" and last.row_id == member_id
    assert "first_name" in last.field_list() and "Ada" not in last.changes


def test_opening_twice_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    open_database(path).dispose()
    open_database(path).dispose()
    assert [p.name for p in tmp_path.iterdir() if "before-upgrade" in p.name] == []


def _failing_migrations(tmp_path: Path) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts)
    (scripts / "versions" / "0002_broken.py").write_text(
        '"""A migration that fails half way."""\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n"
        'revision = "0002_broken"\n'
        f'down_revision = "{migrate.head_revision()}"\n'
        "branch_labels = None\n"
        "depends_on = None\n\n"
        "def upgrade():\n"
        '    op.create_table("half", sa.Column("id", sa.Integer, primary_key=True))\n'
        "    op.execute(\"UPDATE members SET notes = 'changed'\")\n"
        '    raise RuntimeError("simulated failure")\n\n'
        "def downgrade():\n"
        "    pass\n"
    )
    return scripts


def test_a_failed_migration_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = migrate.head_revision()
    path = tmp_path / "branch.sqlite3"
    db = open_database(path)
    create_member(db, _form())
    db.dispose()
    monkeypatch.setattr(migrate, "MIGRATIONS", _failing_migrations(tmp_path))
    with pytest.raises(MigrationFailed, match="simulated failure"):
        open_database(path)
    backups = list(tmp_path.glob("branch.before-upgrade-*.sqlite3"))
    assert len(backups) == 1
    monkeypatch.undo()
    db = open_database(path)
    assert migrate.current_revision(db) == head
    with db.read() as session:
        tables = {r[0] for r in session.execute(text("SELECT name FROM sqlite_master"))}
        notes = session.scalars(select(Member.notes)).all()
    assert "half" not in tables and notes == [""]
    db.dispose()


def test_a_migration_that_damages_the_file_is_restored_from_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = migrate.head_revision()
    path = tmp_path / "branch.sqlite3"
    db = open_database(path)
    create_member(db, _form())
    db.dispose()
    monkeypatch.setattr(migrate, "MIGRATIONS", _failing_migrations(tmp_path))

    def upgrade_then_lose_the_file(cfg: Config, target: str) -> None:
        # Simulates DDL that escaped the transaction: the version table is gone for good.
        conn = cfg.attributes["connection"]
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.connection.driver_connection.execute("COMMIT")
        raise RuntimeError("simulated crash in DDL")

    monkeypatch.setattr(migrate.command, "upgrade", upgrade_then_lose_the_file)
    with pytest.raises(MigrationFailed, match="restored from"):
        open_database(path)
    monkeypatch.undo()
    db = open_database(path)
    assert migrate.current_revision(db) == head
    assert get_member(db, 1).first_name == "Ada"
    db.dispose()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b"garbage" + b[7:], id="header-overwritten"),
        pytest.param(lambda b: b[: len(b) // 3], id="truncated"),
        pytest.param(lambda b: b"\x00" * len(b), id="zeroed"),
    ],
)
def test_a_damaged_file_is_named_as_damaged(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "branch.sqlite3"
    db = open_database(path)
    for n in range(50):
        create_member(db, _form(f"M{n}"))
    db.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises((DatabaseDamaged, StoreError)) as info:
        db = open_database(path)
        from branchdesk.store.check import run_checks

        problems = run_checks(db)
        db.dispose()
        raise DatabaseDamaged("; ".join(problems))
    assert (
        "damaged" in str(info.value)
        or "integrity" in str(info.value)
        or "malformed" in str(info.value)
    )


def test_a_second_copy_of_the_app_sees_the_first_ones_writes(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    first, second = open_database(path), open_database(path)
    create_member(first, _form("A"))
    create_member(second, _form("B"))
    with first.read() as session:
        assert sorted(session.scalars(select(Member.membership_number))) == ["A", "B"]
    first.dispose()
    second.dispose()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_connect_does_not_create_tables(tmp_path: Path) -> None:
    db = connect(tmp_path / "raw.sqlite3")
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 0
    db.dispose()


def test_audit_changes_are_json(db: Database) -> None:
    create_member(db, _form())
    with db.read() as session:
        for entry in session.scalars(select(AuditEntry)):
            assert isinstance(json.loads(entry.fields), list)
            assert isinstance(json.loads(entry.changes), dict)


def test_a_number_taken_by_another_pc_at_the_same_moment_is_a_clear_refusal(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check-then-write race on a shared PostgreSQL database ends in a message, not a crash."""
    from branchdesk.members import service

    create_member(any_db, _form("RACE"))
    monkeypatch.setattr(service, "_number_taken", lambda *args, **kwargs: False)
    with pytest.raises(StaleEdit, match="same moment"):
        create_member(any_db, _form("RACE"))
    with any_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == 1


def test_an_update_without_the_version_it_was_read_at_is_refused(any_db: Database) -> None:
    member_id = create_member(any_db, _form())
    form = get_member(any_db, member_id)
    form.version = None
    with pytest.raises(ValueError, match="version"):
        update_member(any_db, member_id, form)


def test_upgrading_a_first_schema_database_fills_member_search(tmp_path: Path) -> None:
    from branchdesk.members.listing import MemberListing
    from branchdesk.store.database import connect

    path = tmp_path / "old.sqlite3"
    old = connect(path)
    migrate.upgrade(old, target="0001_initial")
    with old.write() as session:
        session.execute(
            text(
                "INSERT INTO employers (name, created_at, updated_at, version) "
                "VALUES ('Ëastvale Council', '2024-01-01', '2024-01-01', 1)"
            )
        )
        session.execute(
            text(
                "INSERT INTO members (membership_number, first_name, last_name, employer_id, "
                "department, job_title, work_email, work_phone, personal_email, personal_phone, "
                "home_address, status, subs_up_to_date, notes, created_at, updated_at, version) "
                "VALUES ('OLD1', 'Zoë', 'Ærøe', 1, 'Libraries', '', '', '', '', '', '', "
                "'current', 1, '', '2024-01-01', '2024-01-01', 1)"
            )
        )
    old.dispose()
    db = open_database(path)
    assert migrate.current_revision(db) == migrate.head_revision()
    assert list(tmp_path.glob("old.before-upgrade-*.sqlite3"))
    listing = MemberListing(db)
    for typed in ("zoë", "ZOË", "ærøe", "ëastvale", "librar", "old1"):
        assert len(listing.ids(typed)) == 1, typed
    db.dispose()


def test_search_text_follows_edits(any_db: Database) -> None:
    from branchdesk.members.listing import MemberListing

    member_id = create_member(any_db, _form())
    listing = MemberListing(any_db)
    assert listing.ids("town hall") == [member_id]
    form = get_member(any_db, member_id)
    form.workplace, form.last_name = "Riverside Depot", "Ørsted"
    update_member(any_db, member_id, form)
    assert listing.ids("town hall") == [] and listing.ids("ØRSTED riverside") == [member_id]


def test_the_head_named_in_the_revision_files_is_alembics(tmp_path: Path) -> None:
    assert migrate.declared_head() == migrate.head_revision()


def _revision_file(scripts: Path, name: str, down: str) -> None:
    (scripts / "versions" / f"{name}.py").write_text(
        f'revision = "{name}"\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n'
    )


@pytest.mark.parametrize(
    "files",
    [
        # (revision, its down_revision as written; HEAD is the real head, FIRST the first).
        pytest.param([("0900_branch", '"FIRST"')], id="two-heads"),
        pytest.param(
            [("0900_a", '"HEAD"'), ("0901_b", '"HEAD"'), ("0902_merge", '("0900_a", "0901_b")')],
            id="merge",
        ),
        pytest.param([("0900_gap", '"0899_missing"')], id="missing-parent"),
        pytest.param([("0900_computed", '"HEAD" if True else None')], id="computed"),
    ],
)
def test_the_head_is_left_to_alembic_when_the_files_are_not_plain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: list[tuple[str, str]]
) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts)
    first = min(p.stem for p in (scripts / "versions").glob("0*.py"))
    for name, down in files:
        down = down.replace("HEAD", migrate.head_revision()).replace("FIRST", first)
        _revision_file(scripts, name, down)
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    assert migrate.declared_head() is None


def test_a_new_revision_upgrades_a_database_at_the_old_head_with_a_backup_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "branch.sqlite3"
    open_database(path).dispose()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts)
    (scripts / "versions" / "0900_next.py").write_text(
        "import sqlalchemy as sa\n"
        "from alembic import op\n"
        'revision: str = "0900_next"\n'
        f'down_revision: str | None = "{migrate.head_revision()}"\n'
        "branch_labels = None\n"
        "depends_on = None\n\n"
        "def upgrade():\n"
        '    op.create_table("next", sa.Column("id", sa.Integer, primary_key=True))\n\n'
        "def downgrade():\n"
        "    pass\n"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    assert migrate.declared_head() == "0900_next"
    db = open_database(path)
    assert migrate.current_revision(db) == "0900_next"
    assert len(list(tmp_path.glob("branch.before-upgrade-*.sqlite3"))) == 1
    db.dispose()


OPEN_AND_LIST_MODULES = """
import sys
from branchdesk.store.database import open_database
db = open_database(sys.argv[1])
print("alembic" in sys.modules, "sqlalchemy.orm" in sys.modules)
with db.read() as session:
    pass
print("sqlalchemy.orm" in sys.modules)
db.dispose()
"""


def test_opening_a_database_at_head_loads_neither_alembic_nor_the_orm(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = str(tmp_path / "s.sqlite3")

    def run() -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", OPEN_AND_LIST_MODULES, path],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.splitlines()

    assert run()[0].startswith("True")  # a new file is created by the migrations
    assert run() == ["False False", "True"]  # the ORM comes with the first session
