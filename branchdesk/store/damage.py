"""Is a SQLite file damaged? Checked when it is opened, without writing anything.

Two checks, cheapest first:

1. The header and the file's size (microseconds, whatever the size). The first 100 bytes must
   be a SQLite header, and the file must hold exactly the number of pages the header records:
   this finds a zeroed or overwritten header, a file cut short, and bytes appended after its
   end, none of which SQLite's own checks notice until a query happens to read there.
2. `PRAGMA quick_check`, which walks every page of every table and index (but does not
   compare indexes with their tables, as `integrity_check` does). It finds a damaged page
   structure. Its cost grows with the file, about 2 ms a megabyte from the OS cache: on the
   large demo database (217 MiB, 200,000 ledger entries) 0.36 s cached and 1.4 to 2.3 s from
   the disk, or 0.5 to 0.9 s when the file is first read in one sequential pass, as done here
   (benchmarks/damage.py). So it runs at every open of a file up to FULL_CHECK_MAX_BYTES, and
   for a larger file at its first open of the day, that is, until the day's scheduled backup
   exists: taking that backup copies every page and checks the copy with `integrity_check`.

Neither check can see a changed byte inside a row's text or a number: SQLite keeps no checksum
of its pages. Of 300 random single-bit flips beyond the first page of a demo database,
quick_check found 27 and integrity_check 69; the rest changed a value or unused space. An
encrypted database is different: SQLCipher keeps an HMAC of every page, so quick_check, which
reads every page in use, finds any changed byte in them.

The file is opened with `immutable=1`, which creates no -wal or -shm file and takes no lock
(a plain read-only open of a WAL database creates both and leaves them behind). If another
program changed the file during the check, the check is repeated with a normal read-only
connection before anything is called damaged.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

HEADER = b"SQLite format 3\x00"
WAL_HEADER_BYTES = 32
# Up to this size quick_check runs at every open (about 0.15 s with the file cached).
FULL_CHECK_MAX_BYTES = 64 * 1024 * 1024
# SQLCipher 4's page size, which BranchDesk never changes.
CIPHER_PAGE_SIZE = 4096


def read_only_uri(path: Path) -> str:
    """A URI that reads `path` without creating or changing any file.

    `immutable=1` when no -wal or -journal file is beside it (nobody has it open, nothing to
    replay); otherwise `mode=ro`, which reads through the other connection's WAL. (With a WAL
    the -shm file is needed and may be created; the database file itself is never written.)
    """
    # Percent-encoded: a "#" or "?" in a folder name would otherwise end the path.
    uri = path.resolve().as_uri()
    return f"{uri}?mode=ro" if _has_side_files(path) else f"{uri}?immutable=1"


def _side_file_size(path: Path, suffix: str) -> int:
    try:
        return os.stat(f"{path}{suffix}").st_size
    except OSError:
        return 0


def _has_side_files(path: Path) -> bool:
    # A WAL holding only its header has no frames to replay: the file alone is the database.
    return _side_file_size(path, "-wal") > WAL_HEADER_BYTES or _side_file_size(path, "-journal") > 0


def header_problem(path: Path, *, encrypted: bool = False) -> str | None:
    """What is wrong with the file's header or size, or None. A missing or empty file is fine
    (SQLite makes a new database there).

    An encrypted file's header is encrypted too: only its size can be checked before the key
    is used (SQLCipher then checks every page it reads against the page's own HMAC).
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return None
        with open(path, "rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return None
    if len(header) < 100:
        return f"the file is only {size:,} bytes long, too short to be a database"
    if encrypted:
        if header[:16] == HEADER:
            return "the file is not encrypted, yet a key file is beside it"
        if size % CIPHER_PAGE_SIZE:
            return (
                f"its size ({size:,} bytes) is not a whole number of "
                f"{CIPHER_PAGE_SIZE:,}-byte pages: it is cut short or has bytes added"
            )
        return None
    if header[:16] != HEADER:
        return (
            "the file does not start like a SQLite database (its first page is overwritten; "
            f"or, if it is an encrypted database, its key file {path.name}.keys is missing "
            "from beside it)"
        )
    raw_page = int.from_bytes(header[16:18], "big")
    page_size = 65536 if raw_page == 1 else raw_page
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        return "its header records an impossible page size"
    if header[18] not in (1, 2) or header[19] not in (1, 2) or header[21:24] != b"\x40\x20\x20":
        return "its header holds values no SQLite version writes"
    pages = int.from_bytes(header[28:32], "big")
    change_counter, valid_for = header[24:28], header[92:96]
    # The size in the header is valid when the two counters agree (every SQLite since 2010).
    # A WAL or rollback journal with content may still change the size when it is replayed.
    if pages and change_counter == valid_for and not _has_side_files(path):
        expected = pages * page_size
        if size < expected:
            return (
                f"the file is cut short: it has {size:,} bytes where its header records "
                f"{expected:,}"
            )
        if size > expected:
            return (
                f"{size - expected:,} bytes were added after the end of the database "
                f"(its header records {expected:,} bytes)"
            )
    if size % page_size:
        return f"its size ({size:,} bytes) is not a whole number of {page_size:,}-byte pages"
    return None


def _prefetch(path: Path) -> None:
    # One sequential read puts the file in the OS cache far faster than quick_check's walk of
    # the b-trees reads it page by page (0.6 s instead of 2 s for 227 MB from a cold cache).
    with open(path, "rb", buffering=0) as handle:
        while handle.read(1 << 20):
            pass


def quick_check_problems(
    path: Path, *, prefetch: bool = False, key: bytes | None = None
) -> list[str]:
    """Problems `PRAGMA quick_check` reports (empty if none), reading without writing."""
    before = _stamp(path)
    problems = _quick_check(path, prefetch=prefetch, key=key)
    if problems and (_stamp(path) != before or _has_side_files(path)):
        # Another program wrote while the immutable read went on: look again, with locks.
        problems = _quick_check(path, prefetch=False, locked=True, key=key)
    return problems


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _quick_check(
    path: Path, *, prefetch: bool, locked: bool = False, key: bytes | None = None
) -> list[str]:
    from branchdesk.store import sqlfile

    uri = read_only_uri(path)
    if locked and "immutable=1" in uri:
        uri = uri.replace("immutable=1", "mode=ro")
    try:
        if prefetch:
            _prefetch(path)
        conn = sqlfile.connect(uri, key, uri=True)
        try:
            rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlfile.DatabaseError as exc:
        return [str(exc)]
    if rows == ["ok"]:
        return []
    # One row may hold several lines, under a "*** in database main ***" heading.
    lines = [line for row in rows for line in row.splitlines() if line.strip()]
    return [line for line in lines if not line.startswith("***")] or lines


def check_at_open(path: Path, today: date | None = None, key: bytes | None = None) -> str | None:
    """Why the SQLite file at `path` must not be opened, or None if it looks whole.

    Reads only. See the module's notes for what runs when, and what it cannot see. `key` is
    the data key of an encrypted database, already checked against its key file, so an error
    reading it means damage, not a wrong key.
    """
    problem = header_problem(path, encrypted=key is not None)
    if problem is not None or not path.is_file():
        return problem
    size = path.stat().st_size
    if size == 0:
        return None
    if size > FULL_CHECK_MAX_BYTES and _backed_up_today(path, today or date.today()):
        return None
    started = time.perf_counter()
    problems = quick_check_problems(path, prefetch=size > FULL_CHECK_MAX_BYTES, key=key)
    log.info("quick_check of %d MB took %.2f s", size // 2**20, time.perf_counter() - started)
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"SQLite's check of its pages found: {problems[0]}{more}"


def _backed_up_today(path: Path, today: date) -> bool:
    from branchdesk.store.schedule import backups_folder, has_backup_on

    try:
        return has_backup_on(path, backups_folder(path), today)
    except OSError:
        return False
