"""The key file of an encrypted database: one random data key, wrapped for each officer.

An encrypted database (SQLCipher) is opened with a random 256-bit data key. The key is never
stored as it is: the key file beside the database (`branch.sqlite3.keys`) holds it wrapped
(AES-256-GCM) once for each officer, under a key derived from that officer's password with
Argon2id, and once under the branch's recovery code. The file also holds a key-check value,
an HMAC of a fixed text under the data key, which tells "this key is right, so the database
file must be damaged" apart from "this is not the key".

The file is JSON. It names no officer: each officer's entry is found by a hash of their folded
name. It is rewritten atomically.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from branchdesk.access.principal import name_key
from branchdesk.store.atomic import atomic_write_text
from branchdesk.store.errors import StoreError

FORMAT = "branchdesk-keys"
VERSION = 1
KEY_BYTES = 32
SUFFIX = ".keys"
_CHECK_TEXT = b"BranchDesk key check v1"
_RECOVERY = "recovery"
# RFC 9106's second recommended setting, as argon2-cffi's PasswordHasher uses: 64 MiB, t=3.
KDF_DEFAULTS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
# 25 random bytes as 40 base-32 characters, printed in groups of five.
RECOVERY_BYTES = 25


class KeyProblem(StoreError):
    """The database cannot be unlocked; the message says why."""


class WrongPassword(KeyProblem):
    """The password (or recovery code) does not unwrap the data key."""


class NoKeyForOfficer(KeyProblem):
    """The key file holds no key for this officer."""


class KeyFileDamaged(KeyProblem):
    """The key file is missing parts, or is not a key file at all."""


class KeyRequired(KeyProblem):
    """The database is encrypted and was opened without its key."""


def key_file_for(db_path: Path) -> Path:
    """Where the key file of the database at `db_path` lives."""
    return db_path.with_name(db_path.name + SUFFIX)


def is_encrypted(db_path: Path) -> bool:
    """Is the database at `db_path` an encrypted one (its key file is beside it)?"""
    return key_file_for(db_path).is_file()


def slot(name: str) -> str:
    """The key file's entry for an officer: a hash of the folded name, not the name itself."""
    return hashlib.sha256(f"branchdesk officer\0{name_key(name)}".encode()).hexdigest()


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def sqlcipher_key(data_key: bytes) -> str:
    """The key as SQLCipher's raw-key literal, which skips its own (slow) key derivation."""
    return f"x'{data_key.hex()}'"


def new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 5] for i in range(0, len(raw), 5))


def normalise_recovery_code(code: str) -> str:
    """The code as typed, without spaces or dashes, in capitals, with look-alikes mended."""
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    return text.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))


def _derive(secret: str, salt: bytes, params: dict[str, int]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=int(params["time_cost"]),
        memory_cost=int(params["memory_cost"]),
        parallelism=int(params["parallelism"]),
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _check_value(data_key: bytes) -> str:
    return hmac.new(data_key, _CHECK_TEXT, hashlib.sha256).hexdigest()


@dataclass
class _Wrapped:
    salt: bytes
    nonce: bytes
    wrapped: bytes
    kdf: dict[str, int]

    @classmethod
    def make(cls, data_key: bytes, secret: str, label: str) -> _Wrapped:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        kdf = dict(KDF_DEFAULTS)
        wrapping = _derive(secret, salt, kdf)
        return cls(salt, nonce, AESGCM(wrapping).encrypt(nonce, data_key, label.encode()), kdf)

    def open(self, secret: str, label: str) -> bytes | None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        wrapping = _derive(secret, self.salt, self.kdf)
        try:
            return AESGCM(wrapping).decrypt(self.nonce, self.wrapped, label.encode())
        except InvalidTag:
            return None

    def to_json(self) -> dict[str, Any]:
        return {
            "salt": self.salt.hex(),
            "nonce": self.nonce.hex(),
            "wrapped": self.wrapped.hex(),
            "kdf": {"name": "argon2id", **self.kdf},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Wrapped:
        kdf = data["kdf"]
        if kdf.get("name") != "argon2id":
            raise ValueError(f"unknown key derivation {kdf.get('name')!r}")
        return cls(
            bytes.fromhex(data["salt"]),
            bytes.fromhex(data["nonce"]),
            bytes.fromhex(data["wrapped"]),
            {name: int(kdf[name]) for name in KDF_DEFAULTS},
        )


@dataclass
class KeyFile:
    """The key file's content: the key-check value and the wrapped copies of the data key.

    `converted_size` is the size of the encrypted copy a conversion wrote, so that a
    conversion cut off part-way is completed only onto that very file.
    """

    check: str
    officers: dict[str, _Wrapped] = field(default_factory=dict)
    recovery: _Wrapped | None = None
    converted_size: int | None = None

    # --- reading and writing ---

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise KeyFileDamaged(f"the key file {path} is missing") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyFileDamaged(f"the key file {path} cannot be read ({exc})") from exc
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError("not a BranchDesk key file")
            if int(data.get("version", 0)) > VERSION:
                raise ValueError("written by a newer BranchDesk")
            return cls(
                check=str(data["check"]),
                officers={k: _Wrapped.from_json(v) for k, v in data["officers"].items()},
                recovery=_Wrapped.from_json(data[_RECOVERY]) if data.get(_RECOVERY) else None,
                converted_size=data.get("converted_size"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyFileDamaged(f"the key file {path} is damaged ({exc})") from exc

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "note": "Keys to an encrypted BranchDesk database. Keep it beside the database.",
            "check": self.check,
            "officers": {k: w.to_json() for k, w in sorted(self.officers.items())},
            _RECOVERY: self.recovery.to_json() if self.recovery else None,
        }
        if self.converted_size is not None:
            data["converted_size"] = self.converted_size
        atomic_write_text(path, json.dumps(data, indent=1) + "\n")

    # --- the data key ---

    def verifies(self, data_key: bytes) -> bool:
        return hmac.compare_digest(self.check, _check_value(data_key))

    def unlock(self, name: str, password: str) -> bytes:
        wrapped = self.officers.get(slot(name))
        if wrapped is None:
            raise NoKeyForOfficer(
                f"this encrypted database holds no key for '{name.strip()}'. Check the name; "
                "if it is right, the secretary sets the account a new password, which gives "
                "it a key."
            )
        return self._verified(wrapped.open(password, slot(name)), "wrong name or password")

    def unlock_with_recovery(self, code: str) -> bytes:
        if self.recovery is None:
            raise NoKeyForOfficer("this database has no recovery code")
        opened = self.recovery.open(normalise_recovery_code(code), _RECOVERY)
        return self._verified(opened, "that is not this database's recovery code")

    def _verified(self, data_key: bytes | None, wrong: str) -> bytes:
        if data_key is None:
            raise WrongPassword(wrong)
        if not self.verifies(data_key):
            raise KeyFileDamaged("the key file is damaged: its key-check value does not match")
        return data_key

    def give(self, data_key: bytes, name: str, password: str) -> None:
        """Wrap the data key for an officer's (new) password, replacing any earlier one."""
        self.officers[slot(name)] = _Wrapped.make(data_key, password, slot(name))

    def take_away(self, name: str) -> None:
        self.officers.pop(slot(name), None)

    def new_recovery(self, data_key: bytes) -> str:
        """A new recovery code (the old one stops working); shown once, stored nowhere."""
        code = new_recovery_code()
        self.recovery = _Wrapped.make(data_key, normalise_recovery_code(code), _RECOVERY)
        return code


def create_key_file(
    path: Path, data_key: bytes, name: str, password: str, *, size: int | None = None
) -> str:
    """Write a new key file for `data_key`, with the first officer's key; returns the recovery
    code, which is not stored anywhere and must be shown to the secretary once. `size` is that
    of a converted database's encrypted copy."""
    keys = KeyFile(check=_check_value(data_key), converted_size=size)
    keys.give(data_key, name, password)
    code = keys.new_recovery(data_key)
    keys.save(path)
    return code


def unlock(db_path: Path, name: str, password: str) -> bytes:
    """The data key of the encrypted database at `db_path`, unwrapped with an officer's
    password; raises a KeyProblem that says what is wrong."""
    return KeyFile.load(key_file_for(db_path)).unlock(name, password)


def unlock_with_recovery(db_path: Path, code: str) -> bytes:
    return KeyFile.load(key_file_for(db_path)).unlock_with_recovery(code)


def converted_size(path: Path) -> int | None:
    """The encrypted copy's size a conversion recorded in the key file at `path`, if any."""
    try:
        return KeyFile.load(path).converted_size
    except KeyFileDamaged:
        return None


_STAGED = ".next"
_STAGED_IN_SESSION = "branchdesk_staged_key_file"


def change_with(session: Any, db_path: Path, change: Any) -> None:
    """Change the key file as part of `session`'s transaction: `change(keys)` is written to a
    file beside it now, moved into place once the transaction commits, and removed if it rolls
    back, so the key file and the officers' accounts change together. (A crash between the
    commit and the move, a moment, leaves them apart: the secretary then sets a new password.)
    """
    from sqlalchemy import event

    live = key_file_for(db_path)
    staged = live.with_name(live.name + _STAGED)
    # A second change in the same transaction builds on the first.
    first = _STAGED_IN_SESSION not in session.info
    keys = KeyFile.load(live if first else staged)
    change(keys)
    keys.save(staged)
    if not first:
        return
    session.info[_STAGED_IN_SESSION] = staged

    def committed(_session: Any) -> None:
        os.replace(staged, live)

    def rolled_back(_session: Any) -> None:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)


def shred(path: Path) -> None:
    """Overwrite a file with zeros, flush it to the disk, then delete it.

    On a disk that writes elsewhere than where it read (SSDs, copy-on-write file systems)
    the old blocks may survive; the README says so and recommends full-disk encryption too.
    """
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        with open(path, "r+b", buffering=0) as handle:
            chunk = b"\0" * (1 << 20)
            left = size
            while left > 0:
                left -= handle.write(chunk[: min(left, len(chunk))])
            os.fsync(handle.fileno())
        path.unlink()
