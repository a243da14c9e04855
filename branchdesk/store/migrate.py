"""Schema upgrades with Alembic, applied when a database is opened.

Before a database that already has tables is upgraded, a checked backup is written beside it.
The upgrade runs in one transaction under SQLite's write lock, so two copies of BranchDesk
starting at once cannot both migrate. If it fails, and the rollback did not bring the file back
to its old revision intact, the backup is restored.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DBAPIError

from branchdesk.store.backup import backup_beside, copy_into
from branchdesk.store.database import _IMMEDIATE, Database, is_damage
from branchdesk.store.errors import DatabaseDamaged, MigrationFailed, StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None, **attributes: Any) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    cfg.attributes.update(attributes)
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, target: str = "head") -> None:
    head = head_revision() if target == "head" else target
    # Most opens find the schema current: read it without taking the write lock, so a second
    # copy of BranchDesk starts while the first is busy writing.
    try:
        if current_revision(db) == head:
            return
    except DBAPIError as exc:
        raise _damage_or(db, exc) from exc
    backup: Path | None = None
    before: str | None = None
    try:
        with db.engine.execution_options(**{_IMMEDIATE: True}).begin() as conn:
            before = MigrationContext.configure(conn).get_current_revision()
            if before == head:
                return  # another copy upgraded it while we waited for the lock
            if before is None and inspect(conn).get_table_names():
                raise StoreError(
                    f"{db.display_name} is a database of some other program, not BranchDesk's"
                )
            if db.path is not None and before is not None:
                backup = backup_beside(db.path, "before-upgrade")
                log.info("backup before upgrade written to %s", backup.name)
            command.upgrade(alembic_config(conn), target)
    except StoreError:
        raise
    except Exception as exc:
        if isinstance(exc, DBAPIError) and is_damage(exc):
            raise _damage_or(db, exc) from exc
        restored = _put_back(db, before, backup)
        note = f"; the database was restored from {backup}" if restored else ""
        raise MigrationFailed(f"upgrading the database failed ({_reason(exc)}){note}") from exc


def _reason(exc: Exception) -> str:
    return str(exc.orig) if isinstance(exc, DBAPIError) else str(exc)


def _damage_or(db: Database, exc: DBAPIError) -> StoreError:
    if is_damage(exc):
        return DatabaseDamaged(
            f"{db.display_name} is damaged ({exc.orig}). Restore it from a backup."
        )
    return StoreError(f"cannot read {db.display_name}: {exc.orig}")


def _put_back(db: Database, before: str | None, backup: Path | None) -> bool:
    if backup is None or db.path is None:
        return False
    db.dispose()
    conn = sqlite3.connect(db.path)
    try:
        healthy = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if healthy and row is not None and row[0] == before:
            return False  # the transaction rolled back cleanly
    finally:
        conn.close()
    copy_into(backup, db.path)
    return True


def new_revision(db: Database, message: str) -> None:
    """For developers: write a new revision from the difference between models and database."""
    from branchdesk.schema import metadata

    with db.engine.begin() as conn:
        cfg = alembic_config(conn, target_metadata=metadata)
        command.revision(cfg, message=message, autogenerate=True)
