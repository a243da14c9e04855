"""Sealed files: the case documents of an encrypted database, encrypted on disk.

A document attached to a case of an encrypted database is stored sealed: AES-256-GCM in
chunks of 1 MiB, under a key derived from the database's data key. Each chunk's nonce holds
a random per-file prefix and the chunk's number, and the last chunk is marked as last, so a
chunk changed, swapped, dropped or cut off is found when the file is read. The document's
SHA-256 in the database is that of the plain content, as for a plain database.

File layout: MAGIC, an 8-byte random nonce prefix, then the chunks, each its ciphertext and
16-byte tag.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from branchdesk.store.errors import StoreError
from branchdesk.store.keys import shred

MAGIC = b"BDSEAL1\n"
CHUNK = 1 << 20
_TAG = 16
_PREFIX = 8


class SealBroken(StoreError):
    """A sealed file was changed or cut short since it was written."""


def documents_folder_beside(db_path: Path) -> Path:
    """Where the case documents of the SQLite database at `db_path` are kept."""
    return db_path.with_name(f"{db_path.stem}-documents")


def file_key(data_key: bytes) -> bytes:
    """The documents' key: derived from the data key, so the database's key is used for
    nothing but the database."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"branchdesk case documents"
    ).derive(data_key)


def _aad(prefix: bytes, last: bool) -> bytes:
    return MAGIC + prefix + (b"\x01" if last else b"\x00")


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + number.to_bytes(4, "big")


def is_sealed(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def seal_copy(source: Path, target: Path, data_key: bytes) -> tuple[int, str]:
    """Write a sealed copy of `source` to `target`; returns the plain size and SHA-256."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cipher = AESGCM(file_key(data_key))
    prefix = secrets.token_bytes(_PREFIX)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as src, target.open("wb") as dst:
        dst.write(MAGIC + prefix)
        chunk = src.read(CHUNK)
        number = 0
        while True:
            following = src.read(CHUNK) if len(chunk) == CHUNK else b""
            last = not following
            digest.update(chunk)
            size += len(chunk)
            dst.write(cipher.encrypt(_nonce(prefix, number), chunk, _aad(prefix, last)))
            if last:
                break
            chunk, number = following, number + 1
    return size, digest.hexdigest()


def unseal_chunks(path: Path, data_key: bytes) -> Iterator[bytes]:
    """The plain content of a sealed file, chunk by chunk; SealBroken if it was tampered with."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cipher = AESGCM(file_key(data_key))
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC) + _PREFIX)
        if head[: len(MAGIC)] != MAGIC or len(head) < len(MAGIC) + _PREFIX:
            raise SealBroken(f"{path.name} is not a sealed document")
        prefix = head[len(MAGIC) :]
        block = handle.read(CHUNK + _TAG)
        number = 0
        while True:
            if len(block) < _TAG:
                raise SealBroken(f"{path.name} is cut short")
            following = handle.read(CHUNK + _TAG) if len(block) == CHUNK + _TAG else b""
            last = not following
            try:
                yield cipher.decrypt(_nonce(prefix, number), block, _aad(prefix, last))
            except InvalidTag:
                raise SealBroken(f"{path.name} has been changed or damaged") from None
            if last:
                return
            block, number = following, number + 1


def plain_digest(path: Path, data_key: bytes) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in unseal_chunks(path, data_key):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def unseal_copy(path: Path, target: Path, data_key: bytes) -> None:
    """Write the plain content of a sealed file to `target` (a copy the user asked for)."""
    with target.open("wb") as out:
        for chunk in unseal_chunks(path, data_key):
            out.write(chunk)


def seal_in_place(path: Path, data_key: bytes) -> None:
    """Replace a plain file with its sealed copy, then overwrite and remove the plain one."""
    sealing = path.with_name(f".{path.name}.sealing")
    aside = path.with_name(f".{path.name}.plain")
    try:
        seal_copy(path, sealing, data_key)
        with open(sealing, "rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            sealing.unlink()
        raise
    os.replace(path, aside)
    os.replace(sealing, path)
    shred(aside)


def _tidy_after_seal(path: Path) -> None:
    """Leftovers of a `seal_in_place` cut off part-way: a sealed copy not yet moved in is
    removed; a plain file set aside goes back if the document is missing (to be sealed next
    time), or else is overwritten and removed."""
    name = path.name[1:]
    if name.endswith(".sealing"):
        with contextlib.suppress(OSError):
            path.unlink()
    elif name.endswith(".plain"):
        document = path.with_name(name[: -len(".plain")])
        if document.exists():
            shred(path)
        else:
            os.replace(path, document)


def seal_folder(folder: Path, data_key: bytes) -> int:
    """Seal every plain file under `folder` (the documents of a database being encrypted);
    returns how many were sealed."""
    sealed = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(".") and path.is_file():
            _tidy_after_seal(path)
            # Other dot files are copies being written (atomic_path), sealed by their writer.
            continue
        if path.is_file() and not path.is_symlink() and not is_sealed(path):
            seal_in_place(path, data_key)
            sealed += 1
    return sealed
