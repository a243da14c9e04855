"""Daily backups of a SQLite database into a backups folder, kept by a rotation.

The first time a database is opened on a day, by the window or by a command, a backup is taken
with SQLite's backup API and checked with `integrity_check` (`backup.copy_sqlite`). The folder
is `backups` beside the database unless another is set in preferences (`backup_folder`).

Each backup is named `<database name>.backup-YYYY-MM-DD-HHMMSS.sqlite3`. The rotation keeps
the newest backup of each of the 7 most recent days that have one, of each of the 5 most recent
weeks and of each of the 12 most recent months: at most 24 files, reaching back a year. Only
files whose whole name matches that pattern for this database are ever deleted: a user's own
files in the folder, and backups of a database with another name, are never touched.

A shared PostgreSQL database is not backed up here: that is the server's job (pg_dump).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from branchdesk.store.backup import copy_sqlite
from branchdesk.store.keys import key_file_for

log = logging.getLogger(__name__)

KEEP_DAILY = 7
KEEP_WEEKLY = 5
KEEP_MONTHLY = 12
BACKUPS_FOLDER_NAME = "backups"
# A half-written backup left by a crash (atomic_path's temporary file) is removed after this.
STALE_PART_SECONDS = 24 * 3600

_STAMP = r"(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken: datetime
    kind: str  # "daily" (this module's backups) or "before-upgrade" (store/migrate.py)

    @property
    def label(self) -> str:
        """When it was taken, as people write it: 29 Nov 2026 09:12."""
        return when_label(self.taken)


def when_label(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M}"


def backups_folder(db_path: Path, configured: str | None = None) -> Path:
    """Where the database's daily backups go: the preference, else `backups` beside it.

    A relative folder in preferences is taken from the database's own folder.
    """
    if configured is None:
        from branchdesk.settings import Preferences

        configured = Preferences().get("backup_folder")
    if configured and configured.strip():
        folder = Path(configured.strip()).expanduser()
        return folder if folder.is_absolute() else db_path.parent / folder
    return db_path.parent / BACKUPS_FOLDER_NAME


def backup_name(db_path: Path, when: datetime) -> str:
    return f"{db_path.stem}.backup-{when:%Y-%m-%d-%H%M%S}.sqlite3"


def _pattern(db_path: Path) -> re.Pattern[str]:
    # The database's own name, escaped, and nothing else: another database's backups, or
    # "branchdesk.backup-2026-01-01-000000 (copy).sqlite3", never match.
    return re.compile(rf"{re.escape(db_path.stem)}\.backup-{_STAMP}\.sqlite3")


_BEFORE_UPGRADE = r"\.before-upgrade-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-\d{6}\.sqlite3"
_ANY_DAILY = re.compile(rf"(?:.+)\.backup-{_STAMP}\.sqlite3")
_ANY_BEFORE_UPGRADE = re.compile(r"(?:.+)" + _BEFORE_UPGRADE)


def _parse(match: re.Match[str] | None) -> datetime | None:
    if match is None:
        return None
    try:
        return datetime(*(int(part) for part in match.groups()))  # type: ignore[misc]
    except ValueError:
        return None  # 2026-13-45: not a name this module wrote


def parse_backup_name(path: Path) -> BackupFile | None:
    """A backup file of any database, known by its name (None if the name is not one of ours)."""
    for kind, pattern in (("daily", _ANY_DAILY), ("before-upgrade", _ANY_BEFORE_UPGRADE)):
        taken = _parse(pattern.fullmatch(path.name))
        if taken is not None:
            return BackupFile(path, taken, kind)
    return None


def _files(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return [e for e in entries if e.is_file(follow_symlinks=False)]
    except FileNotFoundError:
        return []


def scheduled_backups(db_path: Path, folder: Path) -> list[BackupFile]:
    """The database's daily backups in `folder`, newest first."""
    pattern = _pattern(db_path)
    found = []
    for entry in _files(folder):
        taken = _parse(pattern.fullmatch(entry.name))
        if taken is not None:
            found.append(BackupFile(Path(entry.path), taken, "daily"))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def restore_candidates(db_path: Path, folder: Path) -> list[BackupFile]:
    """Every backup the database could be restored from, newest first: its daily backups and
    the copies taken beside it before schema upgrades (never the "before-restore" copies,
    which may be the damaged file itself)."""
    found = scheduled_backups(db_path, folder)
    upgrade = re.compile(re.escape(db_path.stem) + _BEFORE_UPGRADE)
    for entry in _files(db_path.parent):
        taken = _parse(upgrade.fullmatch(entry.name))
        if taken is not None:
            found.append(BackupFile(Path(entry.path), taken, "before-upgrade"))
    return sorted(found, key=lambda b: b.taken, reverse=True)


def has_backup_on(db_path: Path, folder: Path, day: date) -> bool:
    return any(b.taken.date() == day for b in scheduled_backups(db_path, folder))


def to_keep(backups: list[BackupFile]) -> set[Path]:
    """The rotation: the newest backup of each of the most recent 7 days, 5 ISO weeks and 12
    months that have one."""
    newest_first = sorted(backups, key=lambda b: b.taken, reverse=True)
    keep: set[Path] = set()
    periods = (
        (lambda d: d.date(), KEEP_DAILY),
        (lambda d: d.isocalendar()[:2], KEEP_WEEKLY),
        (lambda d: (d.year, d.month), KEEP_MONTHLY),
    )
    for period, count in periods:
        seen: list[object] = []
        for backup in newest_first:
            key = period(backup.taken)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(backup.path)
    return keep


def prune(db_path: Path, folder: Path) -> list[Path]:
    """Delete the database's daily backups the rotation does not keep; returns those deleted."""
    backups = scheduled_backups(db_path, folder)
    keep = to_keep(backups)
    removed = []
    for backup in backups:
        if backup.path not in keep:
            with contextlib.suppress(FileNotFoundError):  # another copy pruned it first
                backup.path.unlink()
                removed.append(backup.path)
            # The key file beside an encrypted backup: its exact name, nothing else.
            with contextlib.suppress(FileNotFoundError):
                key_file_for(backup.path).unlink()
    _remove_stale_parts(db_path, folder)
    return removed


def _remove_stale_parts(db_path: Path, folder: Path) -> None:
    # atomic_path names its temporary file ".<target name>.<random>.part".
    part = re.compile(
        rf"\.{re.escape(db_path.stem)}\.backup-{_STAMP}\.sqlite3(?:\.keys)?\.[A-Za-z0-9_]+\.part"
    )
    now = time.time()
    for entry in _files(folder):
        if part.fullmatch(entry.name):
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_PART_SECONDS:
                    os.unlink(entry.path)


def take_backup(
    db_path: Path, folder: Path, now: datetime | None = None, key: bytes | None = None
) -> Path:
    """A checked backup into `folder` now, then the rotation. A failed backup prunes nothing.

    The backup of an encrypted database (`key`) is encrypted too, with its key file beside it.
    """
    target = folder / backup_name(db_path, now or datetime.now())
    copy_sqlite(db_path, target, key)
    removed = prune(db_path, folder)
    log.info("backup written to %s; %d older backups removed", target.name, len(removed))
    return target


def take_daily_backup(
    db_path: Path, folder: Path, now: datetime | None = None, key: bytes | None = None
) -> Path | None:
    """Today's backup if the database has none yet (None when it already has one)."""
    now = now or datetime.now()
    if not db_path.is_file() or has_backup_on(db_path, folder, now.date()):
        return None
    return take_backup(db_path, folder, now, key)
