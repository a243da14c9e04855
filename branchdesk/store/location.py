"""Is a database file somewhere SQLite is not safe? If so, it is not opened there.

SQLite's locking is unreliable on network file systems, and sync tools (OneDrive, Dropbox,
Google Drive, iCloud) copy a database file while it is being written and can corrupt it. A
branch that wants one set of records on several PCs shares a PostgreSQL database instead.

The file system is read from /proc/mounts on Linux, from `mount` on macOS and from the drive
type on Windows; a sync folder is known by its name anywhere in the path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from branchdesk.store.errors import StoreError

_SYNC_FOLDERS = (
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "my drive",
    "icloud",
    "icloud drive",
    "mobile documents",
    "box sync",
    "nextcloud",
    "owncloud",
    "sharepoint",
)
_NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb",
    "smb3",
    "smbfs",
    "afpfs",
    "webdav",
    "sshfs",
    "fuse.sshfs",
    "osxfuse",
    "macfuse",
    "9p",
    "afs",
    "fuse.rclone",
    "fuse.s3fs",
    "fuse.gcsfuse",
    "davfs",
    "fuse.davfs2",
    "ncpfs",
    "glusterfs",
    "fuse.glusterfs",
    "ceph",
    "fuse.ceph",
}

ADVICE = (
    "Close BranchDesk, move the database file to a folder on this PC's own disk and open it "
    "from there. To share one branch's records between PCs, use a shared PostgreSQL database "
    'instead (see "Sharing one database between PCs" in the README).'
)


class UnsafeLocation(StoreError):
    """The SQLite file is on a network share or in a cloud-sync folder."""


def _longest_mount(target: str, mounts: list[tuple[str, str]]) -> str | None:
    best, kind = "", None
    for mount, fs_type in mounts:
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > len(best):
            best, kind = mount, fs_type
    return kind


def _mount_type(path: Path) -> str | None:
    """The file system type of the mount holding `path`, from /proc/mounts (Linux)."""
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    mounts = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 3:
            mounts.append((parts[1].replace("\\040", " "), parts[2]))
    return _longest_mount(str(path), mounts)


# `mount` on macOS: "//sam@server/branch on /Volumes/branch (smbfs, nodev, nosuid, …)".
_MACOS_MOUNT = re.compile(r"^.+? on (?P<mount>/.*) \((?P<type>[^,()]+)(?:,[^()]*)?\)$")


def parse_macos_mounts(text: str) -> list[tuple[str, str]]:
    mounts = []
    for line in text.splitlines():
        match = _MACOS_MOUNT.match(line.strip())
        if match:
            mounts.append((match["mount"], match["type"].strip()))
    return mounts


def _macos_mount_type(path: Path) -> str | None:
    try:
        text = subprocess.run(
            ["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return _longest_mount(str(path), parse_macos_mounts(text))


def _windows_remote(path: Path) -> bool:
    if str(path).startswith("\\\\"):
        return True
    import ctypes

    drive = path.drive + "\\"
    return bool(drive) and ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # type: ignore[attr-defined]


def _sync_folder(path: Path) -> str | None:
    for part in path.parts:
        lowered = part.lower()
        if any(lowered == name or lowered.startswith(name + " -") for name in _SYNC_FOLDERS):
            return part
    return None


def _network_type(path: Path) -> str | None:
    """The network file system holding `path` ("network drive" on Windows), or None."""
    if sys.platform == "win32":
        return "network drive" if _windows_remote(path) else None
    kind = _macos_mount_type(path) if sys.platform == "darwin" else _mount_type(path)
    return kind if (kind or "").lower() in _NETWORK_FS else None


def location_problem(path: str | os.PathLike[str] | None) -> str | None:
    """Why a SQLite database must not be opened at `path`, or None if it may."""
    if path is None:
        return None
    path = Path(path).expanduser().resolve()
    folder = _sync_folder(path)
    if folder is not None:
        return (
            f"The database {path} is in a cloud-sync folder ({folder}). Sync tools copy a "
            "database while it is being written and can damage it, so BranchDesk does not "
            f"open it there. {ADVICE}"
        )
    kind = _network_type(path)
    if kind is not None:
        return (
            f"The database {path} is on a network drive ({kind}). SQLite cannot lock a file "
            "reliably over a network, and two PCs writing at once can damage it, so BranchDesk "
            f"does not open it there. {ADVICE}"
        )
    return None


# The window's status bar still calls it a warning; it is now the reason for a refusal.
location_warning = location_problem


def refuse_unsafe_location(path: str | os.PathLike[str] | None) -> None:
    """Raise UnsafeLocation if a SQLite database must not be opened at `path`."""
    problem = location_problem(path)
    if problem is not None:
        raise UnsafeLocation(problem)
