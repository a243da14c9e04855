"""The restore drill: prove that a backup can be used, without touching the open database.

The backup is restored (by the same code as a real restore) into a temporary folder beside
the database, opened with migrations as a real restore would be, checked (`integrity_check`
and everything `branchdesk check` runs), and its members, cases and ledger entries are counted
and compared with the database in use. The temporary copy is deleted afterwards, whatever
happened. The database in use is only read, through a connection that writes nothing.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from branchdesk.progress import Progress, silent
from branchdesk.store import sqlfile
from branchdesk.store.backup import check_backup_file, copy_key_file, restore_database
from branchdesk.store.damage import read_only_uri
from branchdesk.store.database import Database
from branchdesk.store.errors import StoreError
from branchdesk.store.keys import key_file_for
from branchdesk.store.schedule import (
    BackupFile,
    parse_backup_name,
    restore_candidates,
    when_label,
)

log = logging.getLogger(__name__)

# What is counted, by table, with the words for one and for many.
COUNTED = (
    ("members", "member", "members"),
    ("cases", "case", "cases"),
    ("ledger_entries", "ledger entry", "ledger entries"),
)
DRILL_PREFIX = ".restore-drill-"
# tempfile.mkdtemp's names: the prefix and eight letters, digits or underscores.
_DRILL_FOLDER = re.compile(re.escape(DRILL_PREFIX) + r"[a-z0-9_]{8}")

ExtraChecks = Callable[[Database], list[str]]


@dataclass
class DrillResult:
    backup: BackupFile
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int | None] = field(default_factory=dict)
    live_counts: dict[str, int | None] | None = None

    @property
    def passed(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """The result in plain words, as the window and the command line both show it."""
        name = f"The backup of {self.backup.label}"
        if not self.passed:
            listed = "; ".join(self.problems[:5])
            more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
            return (
                f"{name} FAILED the drill: {listed}{more}. Do not rely on it: keep the "
                "database as it is, and try an older backup."
            )
        text = f"{name} restores and passes its checks: {_counts_text(self.counts)}."
        if self.live_counts is None:
            return text + " The database in use could not be read to compare with it."
        changes = _differences(self.counts, self.live_counts)
        if not changes:
            return text + " The database in use holds the same numbers."
        return (
            text + f" The database in use holds {_counts_text(self.live_counts)} ({changes} since "
            "the backup)."
        )


def _words(n: int | None, one: str, many: str) -> str:
    if n is None:
        return f"no {many} table"
    return f"{n:,} {one if n == 1 else many}"


def _counts_text(counts: dict[str, int | None]) -> str:
    return ", ".join(_words(counts.get(table), one, many) for table, one, many in COUNTED)


def _differences(backup: dict[str, int | None], live: dict[str, int | None]) -> str:
    parts = []
    for table, one, many in COUNTED:
        before, now = backup.get(table), live.get(table)
        if before is None or now is None or before == now:
            continue
        diff = now - before
        word = one if abs(diff) == 1 else many
        parts.append(f"{diff:,} more {word}" if diff > 0 else f"{-diff:,} fewer {word}")
    return ", ".join(parts)


def backup_file(path: Path) -> BackupFile:
    """A backup chosen by hand: dated by its name if it is one of ours, else by its file time."""
    known = parse_backup_name(path)
    if known is not None:
        return known
    taken = datetime.fromtimestamp(path.stat().st_mtime)
    return BackupFile(path, taken, "file")


def read_counts(path: Path, key: bytes | None = None) -> dict[str, int | None]:
    """Rows in the counted tables (None for a table the schema does not have), read without
    writing anything to the file or beside it."""
    conn = sqlfile.connect(read_only_uri(path), key, uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if table in tables
            else None
            for table, _, _ in COUNTED
        }
    finally:
        conn.close()


def _scratch_folder(db_path: Path) -> Path:
    """A temporary folder on the database's own disk, clearing any a crashed drill left."""
    folder = db_path.parent
    for stale in folder.glob(DRILL_PREFIX + "*"):
        if _DRILL_FOLDER.fullmatch(stale.name) and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    try:
        return Path(tempfile.mkdtemp(prefix=DRILL_PREFIX, dir=folder))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="branchdesk-drill-"))


def run_drill(
    db_path: Path,
    backup: BackupFile,
    extra_checks: ExtraChecks | None = None,
    progress: Progress | None = None,
    key: bytes | None = None,
) -> DrillResult:
    """Restore `backup` into a temporary copy, open and check it, and compare its counts with
    the database at `db_path` (which is only read). An encrypted database's backups restore
    into an encrypted copy, with `key`."""
    from branchdesk.store.check import run_checks
    from branchdesk.store.database import open_database

    progress = progress or silent()
    result = DrillResult(backup)
    scratch = _scratch_folder(db_path)
    copy_path = scratch / "drill.sqlite3"
    try:
        progress.update(0, 4)
        try:
            restore_database(copy_path, backup.path, key)
            if key is not None and not key_file_for(copy_path).exists():
                # A backup copied without its key file: the database's own opens the copy.
                copy_key_file(db_path, copy_path)
        except StoreError as exc:
            result.problems.append(f"it does not restore: {exc}")
            return result
        progress.update(1, 4)
        try:
            copy = open_database(copy_path, officer="restore drill", key=key)
        except StoreError as exc:
            result.problems.append(f"the restored copy does not open: {exc}")
            return result
        try:
            # The program's own check of a throwaway copy, read by no officer's session.
            copy.sign_in_required = False
            progress.update(2, 4)
            result.problems += run_checks(copy)
            if extra_checks is not None:
                result.problems += extra_checks(copy)
        finally:
            copy.dispose()
        result.counts = read_counts(copy_path, key)
        progress.update(3, 4)
        try:
            result.live_counts = read_counts(db_path, key)
        except sqlfile.DatabaseError as exc:
            log.info("the database in use could not be counted: %s", type(exc).__name__)
        progress.update(4, 4)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        # The kind of backup only: a file chosen by hand may have any name.
        log.info(
            "restore drill of a %s backup: %s", backup.kind, "passed" if result.passed else "failed"
        )


def newest_backup(db_path: Path, folder: Path) -> BackupFile:
    candidates = restore_candidates(db_path, folder)
    if not candidates:
        raise StoreError(f"there are no backups of {db_path.name} in {folder} to drill")
    return candidates[0]


def newest_good_backup(
    db_path: Path, folder: Path, progress: Progress | None = None, key: bytes | None = None
) -> tuple[BackupFile | None, list[tuple[BackupFile, str]]]:
    """The newest backup that passes its checks, and those newer than it that failed (why)."""
    progress = progress or silent()
    candidates = restore_candidates(db_path, folder)
    failed: list[tuple[BackupFile, str]] = []
    for n, candidate in enumerate(candidates):
        progress.update(n, len(candidates))
        try:
            check_backup_file(candidate.path, key)
        except (StoreError, OSError) as exc:
            failed.append((candidate, str(exc)))
            continue
        return candidate, failed
    return None, failed


def describe(backup: BackupFile) -> str:
    kind = {"daily": "daily backup", "before-upgrade": "taken before an upgrade"}.get(
        backup.kind, "backup file"
    )
    return f"{when_label(backup.taken)} ({kind})"


def recovery_advice(
    db_path: Path,
    folder: Path,
    restore_command: Callable[[Path], str],
    key: bytes | None = None,
) -> str:
    """What to do about a damaged database: the newest good backup and the command to restore
    it (`restore_command` writes the command line for a backup file)."""
    good, failed = newest_good_backup(db_path, folder, key=key)
    fail = "backup failed its" if len(failed) == 1 else "backups failed their"
    skipped = f" ({len(failed)} newer {fail} checks)" if failed else ""
    if good is None:
        return (
            f"No good backup of it was found in {folder} or beside it{skipped}. If a backup is "
            f"kept elsewhere, restore it with:\n  {restore_command(Path('BACKUP-FILE'))}"
        )
    return (
        f"The newest good backup is from {describe(good)}{skipped}. To restore it (the damaged "
        f"file is kept beside the database as a before-restore copy), run:\n"
        f"  {restore_command(good.path)}"
    )
