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

from branchdesk.store.errors import AccessDenied, DatabaseDamaged, DiskFull, StoreError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from branchdesk.access.principal import Principal

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

    def __init__(
        self, url: URL, engine: Engine, officer: str = "unknown", key: bytes | None = None
    ) -> None:
        self.url = url
        self.engine = engine
        # The data key of an encrypted SQLite database (None for a plain one), for the
        # backups, checks and restores that open the file directly.
        self.key = key
        self._officer = officer
        # Who signed in (branchdesk.access.officers.sign_in). Once a database has officers'
        # accounts, every session is checked against the signed-in officer's role.
        self.principal: Principal | None = None
        self.sign_in_required = False
        self._session_maker: sessionmaker[Session] | None = None
        self._session_maker_lock = threading.Lock()
        # Set while the file is being replaced (encrypted): any session asked for meanwhile,
        # say by a list refreshing itself, is refused rather than opening the file.
        self.retired = False

    @property
    def officer(self) -> str:
        """The name the audit log records: the signed-in officer's, else the one given."""
        return self.principal.name if self.principal is not None else self._officer

    @officer.setter
    def officer(self, name: str) -> None:
        self._officer = name

    @property
    def _sessions(self) -> sessionmaker[Session]:
        # Made at the first session, not at opening: the ORM and the models take a tenth of a
        # second to import, and the window paints before it needs them.
        if self._session_maker is not None:
            return self._session_maker
        with self._session_maker_lock:
            if self._session_maker is None:
                from sqlalchemy.orm import sessionmaker

                from branchdesk.access import policy
                from branchdesk.store.audit import audit_flush

                sessions = sessionmaker(self.engine, expire_on_commit=False)
                # Every session this database makes is bound by the officer's role, and
                # writes its changes to the audit log.
                policy.install(sessions)
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
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def display_name(self) -> str:
        if self.path is not None:
            return str(self.path)
        return self.url.render_as_string(hide_password=True)

    def _check_open(self) -> None:
        if self.retired:
            raise StoreError(f"{self.display_name} was closed while it was replaced; open it again")

    def _begin(self, session: Session, system: bool) -> None:
        session.info["officer"] = self.officer
        if self.sign_in_required and not system:
            from branchdesk.access.policy import GUARD, Guard

            session.info[GUARD] = Guard(self.principal)

    @contextlib.contextmanager
    def read(self, *, system: bool = False) -> Iterator[Session]:
        """A session for reading; whatever it did is rolled back at the end.

        Objects read stay usable afterwards (detached, with the values they were read with).
        `system` lifts the role checks, for signing in and for the app's own bookkeeping.
        """
        self._check_open()
        try:
            with self._sessions() as session:
                self._begin(session, system)
                try:
                    yield session
                finally:
                    session.expunge_all()
                    session.rollback()
        except AccessDenied as refused:
            self._record_refusal(refused)
            raise

    @contextlib.contextmanager
    def write(self, *, system: bool = False) -> Iterator[Session]:
        """A session whose work is committed as one transaction, or not at all."""
        self._check_open()
        try:
            with self._sessions() as session:
                self._begin(session, system)
                connection = session.connection(execution_options={_IMMEDIATE: True})
                if not self.is_sqlite:
                    # One writer at a time, as BEGIN IMMEDIATE gives on SQLite: the audit log's
                    # hash chain needs it, and taking it first means it cannot deadlock with
                    # the row locks a transaction takes later.
                    from branchdesk.store.audit import CHAIN_LOCK_KEY

                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK_KEY})")
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except AccessDenied as refused:
            self._record_refusal(refused)
            raise
        except OperationalError as exc:
            if is_disk_full(exc):
                raise DiskFull(
                    "The disk holding the database is full: nothing from this action was "
                    "saved, and what was saved before is intact. Free some space and try again."
                ) from exc
            raise

    def _record_refusal(self, refused: AccessDenied) -> None:
        """A refused action goes into the audit log, once, after its own work rolled back."""
        if refused.recorded:
            return
        refused.recorded = True
        from branchdesk.store.audit import entry, record

        fields = [refused.action] if refused.action else []
        try:
            with self.write(system=True) as session:
                record(
                    session, [entry(self.officer, "denied", refused.table, refused.row_id, fields)]
                )
        except (DBAPIError, OSError) as exc:
            # The refusal itself stands; only its record is missing, which the log says.
            log.warning("could not record a refused action: %s", type(exc).__name__)

    def refresh_sign_in(self) -> None:
        """Note whether the database has officers' accounts: then every session needs one."""
        try:
            with self.engine.connect() as conn:
                found = conn.exec_driver_sql("SELECT 1 FROM officers LIMIT 1").first()
        except DBAPIError:
            found = None  # a schema from before officers' accounts; upgraded on opening
        self.sign_in_required = found is not None

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: URL, key: bytes | None = None) -> Engine:
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

    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        if key is not None:
            # Before anything reads the file (the dialect's own key pragma comes later and
            # sets the same key).
            from branchdesk.store.sqlfile import prepare_cipher

            prepare_cipher(dbapi_connection, key)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed transaction survives a power cut, not only a crash.
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # Deleted rows are overwritten with zeros, so erased members' details do not stay
            # behind in free pages of the file.
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: URL) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2, hide_parameters=True)


def connect(
    spec: str | os.PathLike[str] | None, officer: str = "unknown", key: bytes | None = None
) -> Database:
    """Open the database without touching its schema, checking that it can be read.

    An encrypted SQLite database (one with a key file beside it) needs its data key, which
    `branchdesk.store.keys.unlock` gives from an officer's name and password.
    """
    url = resolve_url(spec)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        from branchdesk.store.damage import check_at_open

        path = Path(url.database)
        url = _keyed_url(url, path, key)
        # Before any connection, which would create -wal and -shm files beside a damaged file.
        problem = check_at_open(path, key=key)
        if problem is not None:
            raise DatabaseDamaged(
                f"{url.database} is damaged: {problem}. BranchDesk has not changed the file; "
                "restore it from a backup."
            )
    elif key is not None:
        raise StoreError("only a SQLite database file can be encrypted")
    engine = (
        _sqlite_engine(url, key) if url.get_backend_name() == "sqlite" else _postgres_engine(url)
    )
    db = Database(url, engine, officer, key)
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
    if key is not None and db.path is not None:
        from branchdesk.store.sealed import documents_folder_beside, seal_folder

        # Documents of a conversion cut off before they were sealed are sealed now. One that
        # cannot be (open in another program) is tried again at the next open.
        try:
            seal_folder(documents_folder_beside(db.path), key)
        except (OSError, StoreError) as exc:
            log.warning("case documents not all sealed yet: %s", type(exc).__name__)
    db.refresh_sign_in()
    return db


def _keyed_url(url: URL, path: Path, key: bytes | None) -> URL:
    """The URL for the SQLCipher driver with `key` if the database is encrypted; refuses a
    missing key, a key that is not this database's, and a key for a plain database."""
    from branchdesk.store import keys
    from branchdesk.store.conversion import finish_interrupted

    # A conversion to an encrypted database cut off part-way is completed or undone first.
    finish_interrupted(path)
    if not keys.is_encrypted(path):
        if key is not None:
            raise StoreError(f"{path} is not an encrypted database")
        return url
    if key is None:
        raise keys.KeyRequired(
            f"{path} is encrypted: it opens with an officer's name and password "
            "(--officer NAME on the command line)"
        )
    if not keys.KeyFile.load(keys.key_file_for(path)).verifies(key):
        raise keys.WrongPassword(f"that key does not open {path}")
    return url.set(drivername="sqlite+pysqlcipher", password=keys.sqlcipher_key(key))


def is_disk_full(exc: DBAPIError) -> bool:
    """Did SQLite or PostgreSQL run out of disk space?"""
    text = str(exc.orig).lower()
    return "disk is full" in text or "no space left" in text


def is_damage(exc: DBAPIError) -> bool:
    """Does a database error say the file is damaged (rather than busy or missing)?"""
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
        return False
    text = str(exc.orig).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt", "disk image"))


def open_database(
    spec: str | os.PathLike[str] | None,
    officer: str = "unknown",
    migrate: bool = True,
    key: bytes | None = None,
) -> Database:
    """Open (creating if need be) and bring the schema up to date, with a backup first."""
    db = connect(spec, officer, key)
    if migrate:
        from branchdesk.store.migrate import upgrade

        try:
            upgrade(db)
        except BaseException:
            db.dispose()
            raise
        db.refresh_sign_in()
    return db
