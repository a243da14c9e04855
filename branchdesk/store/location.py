"""Is a database file somewhere SQLite is not safe?

SQLite's locking is unreliable on network file systems, and sync tools (OneDrive, Dropbox,
Google Drive, iCloud) copy a database file while it is being written and can corrupt it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
    "smb3",
    "smbfs",
    "sshfs",
    "fuse.sshfs",
    "9p",
    "afs",
    "fuse.rclone",
    "davfs",
    "fuse.davfs2",
    "ncpfs",
    "glusterfs",
    "ceph",
}


def _mount_type(path: Path) -> str | None:
    """The file system type of the mount holding `path`, from /proc/mounts (Linux)."""
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best, kind = "", None
    target = str(path)
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1].replace("\\040", " ")
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > len(best):
            best, kind = mount, parts[2]
    return kind


def _windows_remote(path: Path) -> bool:
    if str(path).startswith("\\\\"):
        return True
    import ctypes

    drive = path.drive + "\\"
    return bool(drive) and ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # type: ignore[attr-defined]


def location_warning(path: str | os.PathLike[str] | None) -> str | None:
    """A warning to show when the database sits on a network share or in a sync folder."""
    if path is None:
        return None
    path = Path(path).expanduser().resolve()
    lowered = [part.lower() for part in path.parts]
    for part in lowered:
        if any(part == name or part.startswith(name + " -") for name in _SYNC_FOLDERS):
            return (
                f"The database is in a cloud-sync folder ({path.parent}). Sync tools can corrupt "
                "a database while it is open: keep it on this PC's own disk and use "
                "File › Back up to copy it elsewhere."
            )
    remote = False
    if sys.platform == "win32":
        remote = _windows_remote(path)
    else:
        remote = (_mount_type(path) or "") in _NETWORK_FS
    if remote:
        return (
            f"The database is on a network drive ({path.parent}). SQLite is not safe there: keep "
            "it on this PC's own disk, or share one PostgreSQL database between PCs instead."
        )
    return None
