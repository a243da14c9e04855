"""Build BranchDesk's one-folder bundle with PyInstaller, and with `--smoke` try it out.

    python packaging/build_bundle.py            build dist/BranchDesk (BranchDesk.app on macOS)
    python packaging/build_bundle.py --smoke    build, then run the bundle's own programs
    python packaging/build_bundle.py --smoke --no-build    try out the bundle already built

Run it with the virtual environment's Python (`.venv/bin/python`): PyInstaller bundles the
packages of the Python that runs it, and is installed into it first if it is missing. The smoke
run works in temporary folders only (database, settings, exports) and prints each step; a step
that fails stops it with the bundle's own output and exit status 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "branchdesk.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / "BranchDesk"
PYINSTALLER = "pyinstaller>=6.10"
# Long enough for the Casework tab, built just after the window first paints, to appear.
GUI_SECONDS = 4
# No step should take this long; a hung program fails the run instead of the CI job's timeout.
STEP_TIMEOUT = 300


class SmokeFailed(Exception):
    pass


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def ensure_pyinstaller() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        say(f"installing {PYINSTALLER} into {sys.prefix}")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                PYINSTALLER,
            ],
            check=True,
        )


def compile_translations() -> None:
    """The .qm files the bundle carries, if the translation tooling is there."""
    script = ROOT / "packaging" / "translations.py"
    if script.is_file():
        say("compiling translations: packaging/translations.py release")
        subprocess.run([sys.executable, str(script), "release"], cwd=ROOT, check=True)


def build() -> float:
    ensure_pyinstaller()
    compile_translations()
    say(f"building {BUNDLE.relative_to(ROOT)} with PyInstaller")
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level=WARN",
            f"--distpath={DIST}",
            f"--workpath={WORK}",
            str(SPEC),
        ],
        cwd=ROOT,
        check=True,
    )
    return time.monotonic() - started


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def program(name: str) -> Path:
    suffix = ".exe" if os.name == "nt" else ""
    path = BUNDLE / f"{name}{suffix}"
    if not path.is_file():
        raise SmokeFailed(f"{path} is missing: build the bundle first")
    return path


class Smoke:
    """Runs the bundle's programs with their own temporary data and settings folders."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.db = scratch / "smoke.sqlite3"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
        self.env.update(
            BRANCHDESK_DATA_DIR=str(scratch / "data"),
            BRANCHDESK_CONFIG_DIR=str(scratch / "config"),
            QT_QPA_PLATFORM="offscreen",
        )
        # The venv's packages must not stand in for what the bundle is missing.
        self.env.pop("PYTHONPATH", None)
        self.env.pop("VIRTUAL_ENV", None)

    def run(
        self, args: Sequence[str], name: str = "branchdesk", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = [str(program(name)), *args]
        say(shlex.join([name, *args]))
        result = subprocess.run(
            command,
            cwd=self.scratch,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            stdin=subprocess.DEVNULL,  # never wait at a password prompt
        )
        if result.returncode != 0 or "Traceback" in result.stderr:
            raise SmokeFailed(self._report(command, result, "failed"))
        return result

    @staticmethod
    def _report(
        command: Sequence[str], result: subprocess.CompletedProcess[str], problem: str
    ) -> str:
        return (
            f"{' '.join(command)} {problem} (exit status {result.returncode})\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )

    def check(self, ok: bool, problem: str, result: subprocess.CompletedProcess[str]) -> None:
        if not ok:
            raise SmokeFailed(self._report(result.args, result, problem))

    def version(self) -> None:
        from branchdesk import __version__

        result = self.run(["--version"])
        expected = f"BranchDesk {__version__}"
        self.check(result.stdout.strip() == expected, f"did not print {expected!r}", result)

    def demo(self) -> None:
        result = self.run(["--db", str(self.db), "demo"])
        self.check("demo branch written" in result.stdout, "wrote no demo branch", result)

    def database_check(self) -> None:
        result = self.run(["--db", str(self.db), "check"])
        self.check("all checks passed" in result.stdout, "did not pass its checks", result)

    def listed(self, what: str) -> list[dict[str, str]]:
        result = self.run(["--db", str(self.db), "list", what])
        return list(csv.DictReader(io.StringIO(result.stdout)))

    def xlsx_export(self) -> None:
        from openpyxl import load_workbook

        members = self.listed("members")
        out = self.scratch / "members.xlsx"
        result = self.run(["--db", str(self.db), "export", "members", "--out", str(out)])
        sheet = load_workbook(out, read_only=True).worksheets[0]
        rows = [r for r in sheet.iter_rows(values_only=True) if any(c is not None for c in r)]
        numbers = {str(c) for row in rows for c in row if c is not None}
        self.check(len(members) > 0, "listed no members", result)
        missing = [m["Membership number"] for m in members if m["Membership number"] not in numbers]
        self.check(
            not missing, f"workbook lacks {len(missing)} listed members, e.g. {missing[:3]}", result
        )
        print(f"    {out.name}: {len(rows)} rows with every one of {len(members)} members")

    def pdf_export(self) -> None:
        cases = self.listed("cases")
        out = self.scratch / "cases.pdf"
        result = self.run(["--db", str(self.db), "export", "cases", "--out", str(out)])
        text, pages = pdf_text(out)
        self.check(pages >= 1, "wrote a PDF without pages", result)
        self.check("Confidential" in text, "PDF lacks its Confidential marking", result)
        missing = [c["Reference"] for c in cases if c["Reference"] not in text]
        self.check(not missing, f"PDF lacks cases {missing[:3]}", result)
        print(f"    {out.name}: {pages} pages naming all {len(cases)} cases")

    def calendar_export(self) -> None:
        out = self.scratch / "deadlines.ics"
        result = self.run(["--db", str(self.db), "export", "deadlines", "--out", str(out)])
        text = out.read_text(encoding="utf-8")
        events = text.count("BEGIN:VEVENT")
        self.check(text.startswith("BEGIN:VCALENDAR") and events > 0, "no calendar events", result)
        print(f"    {out.name}: {events} events")

    def encrypted_database(self) -> None:
        """SQLCipher, Argon2 and AES-GCM: loaded by name or from C, the likeliest to be missed."""
        path = self.scratch / "encrypted.sqlite3"
        name = "Demo Secretary"
        password = "a demo password for the smoke run"
        result = self.run(
            ["--db", str(path), "officer", "setup", "--encrypt", "--name", name],
            env={"BRANCHDESK_NEW_PASSWORD": password},
        )
        self.check("Recovery code" in result.stdout, "gave no recovery code", result)
        self.check(not path.read_bytes().startswith(b"SQLite format 3"), "wrote it plain", result)
        result = self.run(
            ["--db", str(path), "--officer", name, "check"],
            env={"BRANCHDESK_PASSWORD": password},
        )
        self.check("all checks passed" in result.stdout, "could not reopen it", result)

    def window(self) -> None:
        shot = self.scratch / "window.png"
        result = self.run(
            ["--demo"],
            name="branchdesk-gui",
            env={
                "BRANCHDESK_QUIT_AFTER_SECONDS": str(GUI_SECONDS),
                "BRANCHDESK_SCREENSHOT": str(shot),
            },
        )
        self.check("window shown: BranchDesk" in result.stderr, "showed no window", result)
        self.check("window closed" in result.stderr, "did not close its window", result)
        self.check(shot.is_file() and shot.stat().st_size > 10_000, "drew an empty window", result)
        kept = WORK / "smoke-window.png"
        WORK.mkdir(exist_ok=True)
        shutil.copyfile(shot, kept)
        print(f"    window drawn and closed cleanly; picture in {kept.relative_to(ROOT)}")


def pdf_text(path: Path) -> tuple[str, int]:
    """The PDF's text and page count: pdftotext (poppler-utils) if there, else pypdf."""
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        return text, text.count("\f") or 1
    from pypdf import PdfReader

    reader = PdfReader(path)
    return "\n".join(page.extract_text() or "" for page in reader.pages), len(reader.pages)


def smoke() -> float:
    say(f"trying out {BUNDLE.relative_to(ROOT)}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="branchdesk-smoke-") as scratch:
        steps = Smoke(Path(scratch))
        steps.version()
        steps.demo()
        steps.database_check()
        steps.xlsx_export()
        steps.pdf_export()
        steps.calendar_export()
        steps.encrypted_database()
        steps.window()
    return time.monotonic() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="run the bundle's checks after")
    parser.add_argument("--no-build", action="store_true", help="use the bundle already built")
    args = parser.parse_args(argv)
    if not args.no_build:
        seconds = build()
        size = folder_size(BUNDLE) / 1_000_000
        say(f"built {BUNDLE.relative_to(ROOT)} in {seconds:.0f} s: {size:.0f} MB")
    if args.smoke:
        if sys.platform == "darwin" or os.name == "nt":
            say("the smoke run is for Linux; the workflow checks --version on other systems")
            return 0
        try:
            seconds = smoke()
        except (SmokeFailed, subprocess.TimeoutExpired) as exc:
            print(f"\nbundle smoke run FAILED: {exc}", file=sys.stderr)
            return 1
        say(f"the bundle passed its smoke run in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
