"""Keep the translation files in step with the window's text, and build what the app loads.

    python packaging/translations.py update           list the window's text for translators
    python packaging/translations.py update --add fr  start a translation into another language
    python packaging/translations.py release          build the .qm the app loads from each .ts

`update` runs pyside6-lupdate over every .py under branchdesk/ui and merges what it finds into
resources/translations/branchdesk_cy.ts (Welsh) and every other branchdesk_*.ts there: new text
arrives unfinished, translations already made are kept, text no longer in the window is dropped.
A translator fills a .ts in with Qt Linguist (pyside6-linguist). `release` runs pyside6-lrelease
on each .ts to a .qm beside it, leaving out translations not yet marked done; .qm files are build
products and are not committed. Both take --folder to work somewhere else (the tests use it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "branchdesk" / "ui"
TRANSLATIONS = ROOT / "resources" / "translations"
PREFIX = "branchdesk_"
# Always kept up to date, whether or not the file exists yet: file language -> Qt language.
STANDING = {"cy": "cy_GB"}
SOURCE_LANGUAGE = "en_GB"


def tool(name: str) -> Path:
    """A PySide6 tool from the environment running this script (Scripts\\ on Windows)."""
    here = Path(sys.executable).parent
    exe = name + (".exe" if os.name == "nt" else "")
    for folder in (here, here / "Scripts", here / "bin"):
        if (folder / exe).is_file():
            return folder / exe
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found beside {sys.executable}: install PySide6 there")
    return Path(found)


def source_files(sources: Path = SOURCES) -> list[Path]:
    """Every module of the window, in a fixed order so the .ts comes out the same each time."""
    return sorted(sources.rglob("*.py"), key=lambda p: p.relative_to(sources).as_posix())


def ts_files(folder: Path) -> dict[Path, str | None]:
    """The .ts files to update, each with the language to give it if it is new."""
    found: dict[Path, str | None] = {p: None for p in sorted(folder.glob(PREFIX + "*.ts"))}
    for short, language in STANDING.items():
        path = folder / f"{PREFIX}{short}.ts"
        if path not in found:
            found[path] = language
    return dict(sorted(found.items()))


def update(
    folder: Path = TRANSLATIONS, sources: Path = SOURCES, add: str | None = None
) -> list[str]:
    """Run lupdate into each .ts in `folder` (adding one for `add`, e.g. "fr" or "pt_BR");
    returns what lupdate printed for each file."""
    folder.mkdir(parents=True, exist_ok=True)
    targets = ts_files(folder)
    if add:
        path = folder / f"{PREFIX}{add}.ts"
        targets.setdefault(path, add)
    files = [str(p) for p in source_files(sources)]
    outputs = []
    for ts, new_language in targets.items():
        command = [str(tool("pyside6-lupdate")), *files, "-ts", str(ts)]
        # Line offsets rather than numbers: a change above a text moves fewer lines of the .ts.
        command += ["-no-obsolete", "-locations", "relative"]
        command += ["-source-language", SOURCE_LANGUAGE]
        if new_language:
            command += ["-target-language", new_language]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        outputs.append(done.stdout + done.stderr)
    return outputs


def release(folder: Path = TRANSLATIONS) -> list[Path]:
    """Build branchdesk_<lang>.qm beside each .ts; returns the .qm files made."""
    made = []
    for ts in sorted(folder.glob(PREFIX + "*.ts")):
        qm = ts.with_suffix(".qm")
        # Only translations marked done ship: a half-checked one would show as final.
        command = [str(tool("pyside6-lrelease")), "-nounfinished", str(ts), "-qm", str(qm)]
        subprocess.run(command, capture_output=True, text=True, check=True)
        made.append(qm)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("update", "release"))
    parser.add_argument("--folder", type=Path, default=TRANSLATIONS, help="where the .ts files are")
    parser.add_argument("--add", metavar="LANG", help="with update: start branchdesk_LANG.ts")
    args = parser.parse_args(argv)
    try:
        if args.step == "update":
            for output in update(args.folder, add=args.add):
                print(output, end="")
        else:
            for qm in release(args.folder):
                print(f"built {qm}")
    except subprocess.CalledProcessError as failed:
        print(failed.stdout + failed.stderr, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
