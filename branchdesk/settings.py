"""Where data lives and the user's preferences.

Preferences are declared once below (key, type, default, label) and kept as JSON in the user's
config folder. Remembered window state is kept apart, by the UI, with QSettings.

`BRANCHDESK_CONFIG_DIR` and `BRANCHDESK_DATA_DIR` move both folders (tests set them, so a test
run never touches a real user's files).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from branchdesk.store.atomic import atomic_write_text

APP_NAME = "BranchDesk"
DB_FILE_NAME = "branchdesk.sqlite3"
DEMO_FILE_NAME = "branchdesk-demo.sqlite3"

log = logging.getLogger(__name__)


def data_dir() -> Path:
    override = os.environ.get("BRANCHDESK_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))


def config_dir() -> Path:
    override = os.environ.get("BRANCHDESK_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, False))


def log_dir() -> Path:
    return data_dir() / "logs"


def default_database_path() -> Path:
    return data_dir() / DB_FILE_NAME


def demo_database_path() -> Path:
    # The demo branch lives in its own folder so it can never mix with a real branch's data.
    return data_dir() / "demo" / DEMO_FILE_NAME


def is_demo_database(path: Path | None) -> bool:
    return path is not None and path.resolve().parent == demo_database_path().resolve().parent


def _os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "unknown"


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: Any
    label: str


OPTIONS: tuple[Option, ...] = (
    Option("branch_name", str, "", "Branch name"),
    Option("officer_name", str, "", "Your name (recorded in the audit log)"),
    Option("last_database", str, "", "Last database opened"),
    Option("show_casework_overview", bool, True, "Show the casework overview"),
    Option("documents_folder", str, "", "Shared folder for case documents"),
    Option("notice_months", int, 12, "Months before a contract ends that the council decides"),
    # 0: never. Covers an office PC left with casework open.
    Option("lock_after_minutes", int, 10, "Lock after this many minutes idle"),
    # Empty: a "backups" folder beside the database (store/schedule.py).
    Option("backup_folder", str, "", "Folder for the daily backups"),
)
_BY_KEY = {option.key: option for option in OPTIONS}


class Preferences:
    """The user's preferences, read from and saved to `preferences.json`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "preferences.json"
        self._values: dict[str, Any] = {o.key: o.default for o in OPTIONS}
        self._load()

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("preferences file unreadable, using defaults: %s", type(exc).__name__)
            return
        if not isinstance(raw, dict):
            return
        for key, value in raw.items():
            option = _BY_KEY.get(key)
            if option and isinstance(value, option.type):
                self._values[key] = value

    def get(self, key: str) -> Any:
        return self._values[_BY_KEY[key].key]

    def set(self, key: str, value: Any) -> None:
        option = _BY_KEY[key]
        if not isinstance(value, option.type):
            raise TypeError(f"{option.label} must be {option.type.__name__}")
        self._values[key] = value

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(self._values, indent=2, sort_keys=True))

    @property
    def branch_name(self) -> str:
        return self.get("branch_name") or "Union branch"

    @property
    def officer_name(self) -> str:
        return self.get("officer_name") or _os_login()
