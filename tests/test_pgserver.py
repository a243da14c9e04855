"""The throwaway PostgreSQL server of tests/pgserver.py really works end to end."""

from __future__ import annotations

import os
import socket

import pytest
import sqlalchemy as sa

try:  # tests/ is a plain directory today; keep working if it becomes a package.
    import pgserver
except ImportError:  # pragma: no cover
    from tests import pgserver


def _require_server() -> None:
    reason = pgserver.available()
    if reason is None:
        return
    # CI sets BRANCHDESK_REQUIRE_POSTGRES=1: there a missing server is a broken setup,
    # not a reason to quietly skip every PostgreSQL test.
    if os.environ.get("BRANCHDESK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"BRANCHDESK_REQUIRE_POSTGRES=1 but PostgreSQL is unavailable: {reason}")
    pytest.skip(reason)


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.postgres
def test_server_lifecycle_and_sqlalchemy_roundtrip() -> None:
    _require_server()
    server = pgserver.PgServer.start()
    try:
        assert _port_open(server.port)
        urls = {name: server.create_database(name) for name in ("bd_test_one", "bd_test_two")}
        assert urls["bd_test_one"] == (
            f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/bd_test_one"
        )

        for name, url in urls.items():
            engine = sa.create_engine(url)
            try:
                with engine.begin() as conn:
                    version = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
                    assert version >= 150000, f"expected PostgreSQL 15+, got {version}"
                    assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == name
                    conn.execute(sa.text("CREATE TABLE notes (id serial PRIMARY KEY, body text)"))
                    conn.execute(
                        sa.text("INSERT INTO notes (body) VALUES (:body)"),
                        [{"body": f"{name} first"}, {"body": "ünïcödé ✓"}],
                    )
                with engine.connect() as conn:
                    rows = conn.execute(sa.text("SELECT body FROM notes ORDER BY id")).scalars()
                    # Each database has its own table: no rows leak from the other one.
                    assert list(rows) == [f"{name} first", "ünïcödé ✓"]
            finally:
                engine.dispose()

        server.drop_database("bd_test_two")
        with server.connect() as conn:
            names = conn.execute("SELECT datname FROM pg_database").fetchall()
        assert ("bd_test_one",) in names
        assert ("bd_test_two",) not in names
    finally:
        server.stop()

    assert not _port_open(server.port), "postgres still listening after stop()"
    assert not server.base.exists(), "stop() left the server's directory behind"
    server.stop()  # idempotent
