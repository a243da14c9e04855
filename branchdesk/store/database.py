"""Opening the database: SQLite on a local disk by default, PostgreSQL when a branch shares one.

One short session per unit of work: `db.read()` for looking, `db.write()` for changing. On
SQLite a write transaction starts with BEGIN IMMEDIATE, so a transaction that reads and then
writes waits for another writer (up to the busy timeout) instead of failing at once with
"database is locked".
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from branchdesk.store.errors import DatabaseDamaged, StoreError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "branchdesk_immediate"


def resolve_url(spec: str | os.PathLike[str] | None) -> URL:
    """A database from `--db`, else `BRANCHDESK_DB`, else the default file in the data folder.

    A value with `://` is a SQLAlchemy URL; anything else is a path to a SQLite file.
    """
    from branchdesk.settings import default_database_path

    if spec is None or str(spec) == "":
        spec = os.environ.get("BRANCHDESK_DB") or default_database_path()
    text = os.fspath(spec)
    if "://" in text:
        try:
            url = make_url(text)
        except Exception as exc:
            raise StoreError(f"'{text}' is not a database URL") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise StoreError(
                f"unsupported database '{url.get_backend_name()}': use a SQLite file path "
                "or a postgresql+psycopg:// URL"
            )
        if url.get_backend_name() == "postgresql" and url.drivername != "postgresql+psycopg":
            url = url.set(drivername="postgresql+psycopg")
        return url
    path = Path(text).expanduser().resolve()
    return URL.create("sqlite+pysqlite", database=str(path))


class Database:
    """An open database: its engine and the sessions made from it."""

    def __init__(self, url: URL, engine: Engine, officer: str = "unknown") -> None:
        self.url = url
        self.engine = engine
        self.officer = officer
        self._session_maker: sessionmaker[Session] | None = None
        self._session_maker_lock = threading.Lock()

    @property
    def _sessions(self) -> sessionmaker[Session]:
        # Made at the first session, not at opening: the ORM and the models take a tenth of a
        # second to import, and the window paints before it needs them.
        if self._session_maker is not None:
            return self._session_maker
        with self._session_maker_lock:
            if self._session_maker is None:
                from sqlalchemy.orm import sessionmaker

                from branchdesk.store.audit import audit_flush

                sessions = sessionmaker(self.engine, expire_on_commit=False)
                # Every session this database makes writes its changes to the audit log.
                event.listen(sessions, "after_flush", audit_flush)
                self._session_maker = sessions
            return self._session_maker

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server database."""
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    @property
    def display_name(self) -> str:
        if self.path is not None:
            return str(self.path)
        return self.url.render_as_string(hide_password=True)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; whatever it did is rolled back at the end.

        Objects read stay usable afterwards (detached, with the values they were read with).
        """
        with self._sessions() as session:
            session.info["officer"] = self.officer
            try:
                yield session
            finally:
                session.expunge_all()
                session.rollback()

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed as one transaction, or not at all."""
        with self._sessions() as session:
            session.info["officer"] = self.officer
            session.connection(execution_options={_IMMEDIATE: True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: URL) -> Engine:
    path = Path(url.database or "")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # Error messages and logs must never carry members' details from bound values.
        hide_parameters=True,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # One connection per unit of work; the files stay closed between them.
        poolclass=NullPool,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed transaction survives a power cut, not only a crash.
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: URL) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2, hide_parameters=True)


def connect(spec: str | os.PathLike[str] | None, officer: str = "unknown") -> Database:
    """Open the database without touching its schema, checking that it can be read."""
    url = resolve_url(spec)
    engine = _sqlite_engine(url) if url.get_backend_name() == "sqlite" else _postgres_engine(url)
    db = Database(url, engine, officer)
    try:
        with engine.connect() as conn:
            if db.is_sqlite:
                # A damaged or foreign file shows itself only at the first real query.
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            else:
                conn.exec_driver_sql("SELECT 1").scalar()
    except DatabaseError as exc:
        engine.dispose()
        if db.is_sqlite and is_damage(exc):
            raise DatabaseDamaged(
                f"{db.display_name} is damaged or is not a BranchDesk database "
                f"({exc.orig}). Restore it from a backup."
            ) from exc
        raise StoreError(f"cannot open {db.display_name}: {exc.orig}") from exc
    return db


def is_damage(exc: DBAPIError) -> bool:
    """Does a database error say the file is damaged (rather than busy or missing)?"""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
        return False
    text = str(exc.orig).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt", "disk image"))


def open_database(
    spec: str | os.PathLike[str] | None, officer: str = "unknown", migrate: bool = True
) -> Database:
    """Open (creating if need be) and bring the schema up to date, with a backup first."""
    db = connect(spec, officer)
    if migrate:
        from branchdesk.store.migrate import upgrade

        try:
            upgrade(db)
        except BaseException:
            db.dispose()
            raise
    return db
