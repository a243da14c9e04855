"""A database on a disk that fills up part-way through an import: a clear message, nothing of
the import saved, everything saved before intact (RELIABILITY.md, tests worth having)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIO = Path(__file__).with_name("scenarios") / "disk_full.py"


def _namespace() -> list[str] | None:
    """A way to mount a private tmpfs: a user namespace, or a mount namespace as root."""
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return None
    for command in (["unshare", "-rm"], ["unshare", "-m"]):
        if subprocess.run([*command, "true"], capture_output=True).returncode == 0:
            return command
    return None


def test_a_full_disk_keeps_earlier_data_and_saves_nothing_of_the_import(tmp_path: Path) -> None:
    namespace = _namespace()
    if namespace is None:
        if os.environ.get("CI"):
            pytest.fail("cannot mount a private tmpfs here (unshare)")
        pytest.skip("needs Linux namespaces to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (
        f"mount -t tmpfs -o size=4m tmpfs '{disk}' && "
        f"exec '{sys.executable}' '{SCENARIO}' '{disk}' '{tmp_path}'"
    )
    done = subprocess.run(
        [*namespace, "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first"] == 0
    assert result["second"] == 2
    assert "disk holding the database is full" in result["second_message"]
    assert "nothing from this action was saved" in result["second_message"]
    assert result["members"] == 50
    assert result["integrity"] == "ok"
    assert result["check"] == 0
