"""What a PyInstaller bundle of BranchDesk carries besides the code it imports.

packaging/branchdesk.spec builds from these lists and tests/test_packaging.py checks them against
the source tree, so a new folder under resources/ or a new migration cannot be left out unseen.
Standard library only: the spec runs it inside PyInstaller.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "branchdesk"
MIGRATIONS = PACKAGE / "store" / "migrations"

APP_NAME = "BranchDesk"
BUNDLE_IDENTIFIER = "org.branchdesk.BranchDesk"
# The console program prints on every platform; the windowed one starts the window without a
# console (Windows) and is the .app's program on macOS. Names differ by more than case: Windows
# and macOS folders do not tell "branchdesk" from "BranchDesk".
CONSOLE_NAME = "branchdesk"
WINDOWED_NAME = "branchdesk-gui"

# Files the bundle never needs: editor leftovers and compiled files Python rebuilds.
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej", "~")


def resource_folders() -> list[Path]:
    """Every folder directly under resources/, each shipped whole (branchdesk.resources)."""
    return sorted(p for p in (ROOT / "resources").iterdir() if p.is_dir())


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(_SKIPPED_SUFFIXES)
    )


def data_files() -> list[tuple[str, str]]:
    """(source file, folder inside the bundle) pairs, as PyInstaller's Analysis(datas=…) takes.

    - resources/: icons, the user guide, compiled translations (resources/translations/*.qm),
      found under sys._MEIPASS/resources by branchdesk.resources.resource_dir().
    - The Alembic migrations: alembic loads env.py and versions/*.py by path, not by import,
      from the folder beside branchdesk/store/migrate.py, so they go there as plain files.
    - Package data read with importlib.resources (branchdesk/casework/*.json).
    """
    pairs: list[tuple[str, str]] = []
    # Screenshots are for the README and the AppStream listing, not for the program.
    for folder in resource_folders():
        if folder.name == "screenshots":
            continue
        pairs.extend(_placed(folder))
    pairs.extend(_placed(MIGRATIONS))
    pairs.extend(
        (str(p), str(p.parent.relative_to(ROOT)))
        for p in sorted(PACKAGE.rglob("*.json"))
        if "__pycache__" not in p.parts
    )
    return pairs


def _placed(folder: Path) -> list[tuple[str, str]]:
    return [(str(p), str(p.parent.relative_to(ROOT))) for p in _files(folder)]


def migration_imports() -> list[str]:
    """Modules the migration scripts import: PyInstaller never reads them, they are data.

    Read from the scripts themselves, so a migration importing something new still works frozen.
    """
    names: set[str] = set()
    for script in sorted(MIGRATIONS.rglob("*.py")):
        tree = ast.parse(script.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                # `from alembic import op`: op and context are modules of their own.
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(n for n in names if _is_module(n))


def _is_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


# Imported by name, not by an import statement, so PyInstaller's analysis cannot see them:
# SQLAlchemy picks a dialect and its driver from the database URL (sqlite+pysqlcipher for
# encrypted files, postgresql+psycopg for a shared database).
HIDDEN_IMPORTS = [
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.sqlite.pysqlcipher",
    "sqlcipher3",
    "sqlcipher3.dbapi2",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "psycopg_binary",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "alembic.runtime.environment",
    "alembic.runtime.migration",
]

# Big things nothing in BranchDesk uses, which hooks or optional imports would otherwise pull in.
EXCLUDES = [
    "tkinter",
    "pytest",
    "hypothesis",
    "IPython",
    "matplotlib",
    "numpy",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtWebEngineCore",
]


# Qt plugins that Qt's hooks collect but BranchDesk never loads, with the libraries only they
# need (about 25 MB): the touch-screen virtual keyboard, which needs Qt Quick and QML, and the
# plugin that draws PDF files as images (BranchDesk writes PDFs; it never displays them). Matched
# in lower case against each file's name in the bundle, on every platform.
UNUSED_QT_FILES = (
    "qtvirtualkeyboard",
    "qt6virtualkeyboard",
    "qpdf",
    "qt6pdf",
    "qtpdf",
    "qt6quick",
    "qtquick",
    "qt6qml",
    "qtqml",
)


def wanted(name: str) -> bool:
    """False for a file of UNUSED_QT_FILES, by its path inside the bundle."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return not any(part in base for part in UNUSED_QT_FILES)


def hidden_imports() -> list[str]:
    return sorted({*HIDDEN_IMPORTS, *migration_imports()})
