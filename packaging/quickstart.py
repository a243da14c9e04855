"""Set up BranchDesk from a fresh clone, then open the demo branch or run the tests.

    python3 packaging/quickstart.py demo    install, then open the window on the demo branch
    python3 packaging/quickstart.py test    install with the test tools, then run every test

Needs only Python 3.11+ (standard library). It makes a virtual environment in `.venv` at the top
of the repository and installs BranchDesk into it; later runs reuse it, reinstalling only when
pyproject.toml has changed. Arguments after `test` go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _say(text: str) -> None:
    print(f"==> {text}", flush=True)


def _install(extras: str) -> None:
    if not PYTHON.exists():
        _say(f"creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    _say("installing BranchDesk and what it needs (the first time takes a few minutes)")
    target = f".[{extras}]" if extras else "."
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on any python3
        print("BranchDesk needs Python 3.11 or newer.", file=sys.stderr)
        return 2
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "demo":
        _install("")
        _say("opening the demo branch (fictional data, kept apart from any real database)")
        return subprocess.call([str(PYTHON), "-m", "branchdesk", "--demo", *rest], cwd=ROOT)
    _install("test")
    _say("running the test suite")
    return subprocess.call([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
