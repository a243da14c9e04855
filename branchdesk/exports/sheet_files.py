"""Where openpyxl streams a workbook's sheets before zipping them: beside the export.

In write-only mode openpyxl writes each sheet, text and all, to a file of its own in the system
temp folder, and deletes it (without overwriting) once the workbook is saved, or at exit. That
would put members' details in a shared temp folder, and leave them there if the program were
stopped part-way. Inside `sheets_beside(target)` those files go into the export's own folder,
where the export itself is going, and any still there at the end are overwritten and removed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from branchdesk.store.keys import shred

P = ParamSpec("P")
R = TypeVar("R")
PathArg = str | os.PathLike[str]

# Per thread of work (an export runs on a worker thread while another may run on the GUI's).
_FOLDER: ContextVar[Path | None] = ContextVar("branchdesk_sheet_folder", default=None)
_MADE: ContextVar[list[str] | None] = ContextVar("branchdesk_sheet_files", default=None)


def _install() -> None:
    from openpyxl.worksheet import _writer

    if getattr(_writer.create_temporary_file, "branchdesk", False):
        return
    original = _writer.create_temporary_file

    def create_temporary_file(suffix: str = "") -> str:
        folder, made = _FOLDER.get(), _MADE.get()
        if folder is None or made is None:
            return original(suffix)
        handle, name = tempfile.mkstemp(prefix=".openpyxl-", suffix=f"{suffix}.part", dir=folder)
        os.close(handle)
        _writer.ALL_TEMP_FILES.append(name)  # openpyxl's own clean-up at exit, as before
        made.append(name)
        return name

    create_temporary_file.branchdesk = True  # type: ignore[attr-defined]
    _writer.create_temporary_file = create_temporary_file


@contextlib.contextmanager
def sheets_beside(target: str | os.PathLike[str]) -> Iterator[None]:
    """Keep the sheets openpyxl streams, while writing `target`, in `target`'s folder."""
    _install()
    folder = Path(target).parent
    folder.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    folder_token, made_token = _FOLDER.set(folder), _MADE.set(made)
    try:
        yield
    finally:
        _FOLDER.reset(folder_token)
        _MADE.reset(made_token)
        for name in made:
            with contextlib.suppress(OSError):
                shred(Path(name))


def writes_sheets_beside(
    write: Callable[Concatenate[PathArg, P], R],
) -> Callable[Concatenate[PathArg, P], R]:
    """For a function writing a workbook to its first argument: `sheets_beside` that file."""

    @functools.wraps(write)
    def wrapper(path: PathArg, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with sheets_beside(path):
            return write(path, *args, **kwargs)

    return wrapper
