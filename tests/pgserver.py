"""A throwaway PostgreSQL server for the test run.

``PgServer.start()`` runs ``initdb`` into a fresh temporary directory and starts
``postgres`` on a free port of 127.0.0.1 with trust authentication; ``stop()``
shuts it down and removes the directory.  PostgreSQL refuses to run as root, so
under root (CI) both programs run as the ``postgres`` account, or ``nobody``.

The binaries are taken from ``$BRANCHDESK_PG_BIN`` if set, else from the newest
``/usr/lib/postgresql/*/bin`` (Debian's layout), else from ``PATH``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 30.0
# An unprivileged account to run the server as when we are root, in order of preference.
UNPRIVILEGED_USERS = ("postgres", "nobody")


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``, or None."""
    override = os.environ.get("BRANCHDESK_PG_BIN")
    if override:
        return Path(override)

    def version_key(path: Path) -> tuple[int, ...]:
        # "15" or "9.6": compare numerically so that 10 sorts after 9.6.
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    debian_dirs = Path("/usr/lib/postgresql").glob("*/bin")
    candidates = [p for p in debian_dirs if (p / "postgres").is_file()]
    if candidates:
        return max(candidates, key=version_key)
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def available() -> str | None:
    """None if a server can be started here, else the reason why not."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return "no PostgreSQL server binaries (install postgresql or set BRANCHDESK_PG_BIN)"
    for program in ("initdb", "postgres"):
        if not os.access(bin_dir / program, os.X_OK):
            return f"{bin_dir / program} is missing or not executable"
    if os.geteuid() == 0 and _unprivileged_user() is None:
        return "running as root and there is no 'postgres' or 'nobody' account to run the server"
    return None


def _unprivileged_user() -> pwd.struct_passwd | None:
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


class PgServer:
    """One running throwaway server; make it with :meth:`start`."""

    def __init__(self, bin_dir: Path, base: Path, run_as: pwd.struct_passwd | None) -> None:
        self.bin_dir = bin_dir
        self.base = base
        self.data_dir = base / "data"
        self.socket_dir = base / "sock"
        self.log_path = base / "postgres.log"
        self.port = 0
        self._run_as = run_as
        self._proc: subprocess.Popen[bytes] | None = None
        # Parent directories we had to open for the server's user, restored on stop.
        self._opened_parents: list[tuple[Path, int]] = []

    # -- life cycle ---------------------------------------------------------------------

    @classmethod
    def start(cls, base_dir: Path | None = None) -> PgServer:
        """Initialise a cluster in a new temporary directory and start a server on it."""
        reason = available()
        if reason is not None:
            raise RuntimeError(f"cannot start PostgreSQL: {reason}")
        bin_dir = find_bin_dir()
        assert bin_dir is not None  # available() checked it
        run_as = _unprivileged_user() if os.geteuid() == 0 else None
        base = Path(tempfile.mkdtemp(prefix="branchdesk-pg-", dir=base_dir))
        server = cls(bin_dir, base, run_as)
        # Registered before anything can fail so that even a half-started server is cleaned up.
        atexit.register(server.stop)
        try:
            server._prepare_dirs()
            server._initdb()
            server._launch()
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Shut the server down (fast mode) and remove its directory; safe to call twice."""
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            # SIGINT is PostgreSQL's "fast" shutdown: roll back open sessions and exit.
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                # SIGQUIT is the "immediate" shutdown, which also takes the children down.
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGQUIT)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for path, mode in reversed(self._opened_parents):
            with contextlib.suppress(OSError):
                path.chmod(mode)
        self._opened_parents.clear()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- databases ----------------------------------------------------------------------

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """A plain psycopg connection, e.g. for administrative statements."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, **kwargs
        )

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        # CREATE DATABASE cannot run inside a transaction block, hence autocommit.
        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting any sessions still on it."""
        with self.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    # -- internals ----------------------------------------------------------------------

    def _prepare_dirs(self) -> None:
        self.socket_dir.mkdir()
        if self._run_as is None:
            return
        uid, gid = self._run_as.pw_uid, self._run_as.pw_gid
        for path in (self.base, self.socket_dir):
            os.chown(path, uid, gid)
            path.chmod(0o700)
        # The server's user must be able to reach base: open (o+x only) any parent that
        # is not traversable by others, e.g. pytest's 0700 /tmp/pytest-of-root.
        for parent in self.base.resolve().parents:
            mode = stat.S_IMODE(parent.stat().st_mode)
            if not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)
                self._opened_parents.append((parent, mode))

    def _run_kwargs(self) -> dict[str, Any]:
        """subprocess arguments that run a program as the server's user, in base."""
        kwargs: dict[str, Any] = {"cwd": self.base, "env": {**os.environ, "LC_ALL": "C"}}
        if self._run_as is not None:
            kwargs.update(
                user=self._run_as.pw_uid,
                group=self._run_as.pw_gid,
                extra_groups=[],  # drop root's supplementary groups too
            )
            kwargs["env"]["HOME"] = str(self.base)
        return kwargs

    def _initdb(self) -> None:
        command = [
            str(self.bin_dir / "initdb"),
            "-D", str(self.data_dir),
            "-A", "trust",
            "-U", "postgres",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",  # nothing here needs to survive a power cut
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, **self._run_kwargs()
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def _launch(self) -> None:
        # Another process may grab the port between _free_port() and the server's bind:
        # try a few ports before giving up.
        for attempt in range(3):
            self.port = _free_port()
            command = [
                str(self.bin_dir / "postgres"),
                "-D", str(self.data_dir),
                "-k", str(self.socket_dir),
                "-h", "127.0.0.1",
                "-p", str(self.port),
                # A throwaway server: durability only costs time.
                "-c", "fsync=off",
                "-c", "full_page_writes=off",
                "-c", "synchronous_commit=off",
            ]  # fmt: skip
            with self.log_path.open("ab") as log:
                self._proc = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    **self._run_kwargs(),
                )
            try:
                self._wait_ready()
                return
            except RuntimeError:
                log_text = _tail(self.log_path)
                if attempt < 2 and self._proc.poll() is not None and "could not bind" in log_text:
                    continue
                raise

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"postgres exited with code {self._proc.returncode} while starting; "
                    f"log {self.log_path}:\n{_tail(self.log_path)}"
                )
            try:
                with self.connect(connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last_error = exc
            time.sleep(0.1)
        raise RuntimeError(
            f"postgres did not accept connections on port {self.port} within "
            f"{STARTUP_TIMEOUT:.0f} s ({last_error}); log {self.log_path}:\n{_tail(self.log_path)}"
        )
