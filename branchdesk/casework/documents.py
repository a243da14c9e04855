"""Documents attached to a case, copied into a folder BranchDesk manages.

A letter attached from a USB stick or a download folder is copied in, so the case keeps it when
the stick is gone. The copy's SHA-256 is recorded, so a file changed or damaged later can be
told from the one attached. The folder sits beside an SQLite database (a backup of the folder
and the file together keeps both); for a server database it is in this PC's data folder.

The documents of an encrypted database are stored sealed (branchdesk.store.sealed). Opening
one writes a plain copy into the viewing folder, which is emptied when BranchDesk starts and
closes: like an export, that copy is made because the officer asked to see the document.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from branchdesk import settings
from branchdesk.casework.models import Case, Document
from branchdesk.members.service import ValidationError
from branchdesk.store.atomic import atomic_path
from branchdesk.store.database import Database
from branchdesk.store.errors import StaleEdit
from branchdesk.store.sealed import (
    SealBroken,
    documents_folder_beside,
    is_sealed,
    plain_digest,
    seal_copy,
    unseal_copy,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class NoSharedFolder(ValidationError):
    """A shared database, but no shared folder for its documents."""


def documents_folder(db: Database) -> Path:
    """Where the case documents of `db` are kept.

    Beside an SQLite file. For a shared (PostgreSQL) database, in the shared folder set in
    Preferences, which every PC using the database must reach: a copy kept on one PC would be
    listed on the others but could not be opened there.
    """
    if db.path is not None:
        return documents_folder_beside(db.path)
    shared = str(settings.Preferences().get("documents_folder")).strip()
    if not shared:
        raise NoSharedFolder(
            {
                "document": "This database is shared between PCs, so its documents must be "
                "kept in a folder they can all reach. Set that folder in Edit › Preferences "
                "(Shared folder for case documents), then attach the document again."
            }
        )
    url = db.url
    server = _UNSAFE.sub("_", f"{url.host or 'local'}-{url.port or ''}-{url.database or ''}")
    return Path(shared) / server


def _safe_suffix(source: Path) -> str:
    suffix = source.suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


def _copy_with_hash(source: Path, target: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def attach_document(db: Database, case_id: int, source: Path, today: date | None = None) -> int:
    """Copy `source` into the case's folder and list it on the case; all or nothing."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError({"document": f"{source} is not a file that can be read."})
    folder = documents_folder(db)
    if db.path is None and not folder.parent.is_dir():
        raise ValidationError(
            {"document": f"The shared documents folder {folder.parent} cannot be reached."}
        )
    with db.read() as session:
        reference = session.scalar(select(Case.reference).where(Case.id == case_id))
    if reference is None:
        raise StaleEdit("This case has been deleted by someone else.")
    # The file's name ("J Smith fit note.pdf") stays in the database row only; the copy on disk
    # is named by the case and a random id, keeping the extension so the viewer knows it.
    stored_as = f"{reference}/{uuid.uuid4().hex}{_safe_suffix(source)}"
    target = folder / stored_as
    try:
        with atomic_path(target) as tmp:
            if db.key is not None:
                size, sha256 = seal_copy(source, tmp, db.key)
            else:
                size, sha256 = _copy_with_hash(source, tmp)
    except OSError as exc:
        raise ValidationError(
            {"document": f"{source.name} could not be copied in: {exc.strerror or exc}"}
        ) from exc
    try:
        with db.write() as session:
            if session.get(Case, case_id) is None:
                raise StaleEdit("This case has been deleted by someone else.")
            row = Document(
                case_id=case_id,
                name=source.name[:300],
                stored_as=stored_as,
                added_on=today or date.today(),
                size=size,
                sha256=sha256,
            )
            session.add(row)
            session.flush()
            return row.id
    except BaseException:
        # Not listed on the case, so not kept: no orphan copies in the folder.
        with contextlib.suppress(OSError):
            target.unlink()
        raise


@dataclass(frozen=True)
class DocumentCheck:
    path: Path
    ok: bool
    problem: str = ""


def document_path(db: Database, document: Document) -> DocumentCheck:
    """Where the copy is, and whether it is still the file that was attached."""
    try:
        path = documents_folder(db) / document.stored_as
    except NoSharedFolder as exc:
        return DocumentCheck(Path(document.stored_as), False, exc.errors["document"])
    if not path.is_file():
        return DocumentCheck(path, False, f"{document.name} is missing from {path.parent}.")
    if db.key is not None and is_sealed(path):
        try:
            sha256 = plain_digest(path, db.key)[1]
        except SealBroken:
            sha256 = ""
    else:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        sha256 = digest.hexdigest()
    if sha256 != document.sha256:
        return DocumentCheck(path, False, f"{document.name} has changed since it was attached.")
    return DocumentCheck(path, True)


def viewing_folder() -> Path:
    """Where plain copies of sealed documents are written for viewing, emptied at start and
    at close (and never inside a sync folder the database would be refused from)."""
    return settings.data_dir() / "opened-documents"


def viewable_copy(db: Database, document: Document) -> DocumentCheck:
    """The file to open for a document: the stored one, or for an encrypted database a plain
    copy in the viewing folder (recorded in the audit log as an export)."""
    check = document_path(db, document)
    if not check.ok or db.key is None or not is_sealed(check.path):
        return check
    from branchdesk.exports.text import safe_filename

    folder = viewing_folder() / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_filename(document.name, "document")
    unseal_copy(check.path, target, db.key)
    from branchdesk.store.audit import record_export

    record_export(db, "case-document", target, 1, record_id=document.id)
    return DocumentCheck(target, True)


def clear_viewing_folder() -> int:
    """Overwrite and remove the plain copies opened for viewing; returns how many."""
    from branchdesk.store.keys import shred

    folder = viewing_folder()
    removed = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*"), reverse=True):
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                shred(path)
                removed += 1
            elif path.is_dir():
                path.rmdir()
    return removed


def export_copy(db: Database, document: Document, target: Path) -> None:
    """Save a copy of a document elsewhere (to email it, say), written whole or not at all."""
    stored = documents_folder(db) / document.stored_as
    with atomic_path(target) as tmp:
        if db.key is not None and is_sealed(stored):
            unseal_copy(stored, tmp, db.key)
        else:
            shutil.copyfile(stored, tmp)
