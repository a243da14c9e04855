"""The rules that keep BranchDesk easy to change, checked on every run."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "branchdesk"
ROOT = PACKAGE.parent
REGISTERS = ("members", "casework", "demands", "outsourcing", "hardship")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_no_qt_outside_the_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if "ui" not in path.relative_to(PACKAGE).parts[:1]
        and path.name != "app.py"
        and any(name.split(".")[0] in ("PySide6", "shiboken6") for name in _imports(path))
    ]
    assert offenders == [], "Qt belongs in branchdesk/ui only (DESIGN.md)"


def test_store_and_exports_never_import_a_register() -> None:
    offenders = []
    for folder in ("store", "exports"):
        for path in _modules(folder):
            if path.name == "migrate.py":
                continue  # new_revision() gathers every table for developers
            for name in _imports(path):
                if name.startswith(tuple(f"branchdesk.{r}" for r in REGISTERS)):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_registers_never_import_the_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for register in REGISTERS
        for path in _modules(register)
        if any(name.startswith("branchdesk.ui") for name in _imports(path))
    ]
    assert offenders == []


def test_start_up_does_not_load_the_export_libraries() -> None:
    code = (
        "import sys, branchdesk.cli, branchdesk.members.service, branchdesk.members.listing;"
        "print(sorted(m for m in ('openpyxl', 'reportlab') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run(
        [ruff, "check", "branchdesk", "tests", "benchmarks", "packaging"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
