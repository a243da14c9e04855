"""Schema upgrades with Alembic, applied when a database is opened.

Before a database that already has tables is upgraded, a checked backup is written beside it.
The upgrade runs in one transaction under SQLite's write lock, so two copies of BranchDesk
starting at once cannot both migrate. If it fails, and the rollback did not bring the file back
to its old revision intact, the backup is restored.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DBAPIError

from branchdesk.store import sqlfile
from branchdesk.store.backup import backup_beside, copy_into
from branchdesk.store.database import _IMMEDIATE, Database, is_damage
from branchdesk.store.errors import DatabaseDamaged, MigrationFailed, StoreError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


def __getattr__(name: str) -> ModuleType:
    # Alembic takes a tenth of a second to import; a database already at the head revision
    # (almost every start) never needs it. `migrate.command` still names alembic's commands.
    if name == "command":
        from alembic import command

        return command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def alembic_config(connection: Connection | None = None, **attributes: Any) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    cfg.attributes.update(attributes)
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# The lines of a revision file that name it and the one it follows, as Alembic writes them:
# `revision: str = "0002_member_search"`, `down_revision: str | None = "0001_initial"`.
_REVISION = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*["']([\w.-]+)["']\s*$""", re.M)
_DOWN = re.compile(r"""^down_revision\s*(?::[^=\n]*)?=\s*(?:None|["']([\w.-]+)["'])\s*$""", re.M)
_PLAIN = re.compile(r"""^(?:branch_labels|depends_on)\s*(?::[^=\n]*)?=\s*None\s*$""", re.M)


def declared_head() -> str | None:
    """The head revision read from the revision files' text, without loading Alembic.

    None unless the answer is certain: every file names its revision and the one it follows
    plainly, there are no branches, merges or dependencies, and exactly one revision is not
    followed by another. Alembic's own reading (`head_revision`) decides everything else.
    """
    revisions: set[str] = set()
    followed: set[str] = set()
    try:
        files = sorted((MIGRATIONS / "versions").glob("*.py"))
        for path in files:
            if path.name == "__init__.py":
                continue
            text = path.read_text(encoding="utf-8")
            found, down = _REVISION.findall(text), _DOWN.findall(text)
            if len(found) != 1 or len(down) != 1 or len(_PLAIN.findall(text)) != 2:
                return None
            if found[0] in revisions:
                return None
            revisions.add(found[0])
            if down[0]:
                followed.add(down[0])
    except (OSError, UnicodeDecodeError):
        return None
    heads = revisions - followed
    if len(heads) != 1 or not followed <= revisions:
        return None
    return heads.pop()


def _stored_revisions(db: Database) -> list[str] | None:
    """The revisions the database says it is at, or None if that cannot be read quickly."""
    try:
        with db.engine.connect() as conn:
            return [
                row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")
            ]
    except DBAPIError:
        return None  # no version table (a new file), or unreadable: the full check says which


def upgrade(db: Database, target: str = "head") -> None:
    # Most opens find the schema current. Compare the stored revision with the head named in
    # the revision files first: only a database that needs more loads Alembic.
    if target == "head":
        declared = declared_head()
        if declared is not None and _stored_revisions(db) == [declared]:
            return
    head = head_revision() if target == "head" else target
    # Read the revision without taking the write lock, so a second copy of BranchDesk starts
    # while the first is busy writing.
    try:
        if current_revision(db) == head:
            return
    except DBAPIError as exc:
        raise _damage_or(db, exc) from exc
    from alembic import command
    from alembic.runtime.migration import MigrationContext

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
                backup = backup_beside(db.path, "before-upgrade", db.key)
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
    conn = sqlfile.connect(db.path, db.key)
    try:
        healthy = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlfile.DatabaseError:
            row = None
        if healthy and row is not None and row[0] == before:
            return False  # the transaction rolled back cleanly
    finally:
        conn.close()
    copy_into(backup, db.path, db.key)
    return True


def new_revision(db: Database, message: str) -> None:
    """For developers: write a new revision from the difference between models and database."""
    from alembic import command

    from branchdesk.schema import metadata

    with db.engine.begin() as conn:
        cfg = alembic_config(conn, target_metadata=metadata)
        command.revision(cfg, message=message, autogenerate=True)
