"""The bundle recipes: what the PyInstaller spec ships, the Windows installer, the build workflow.

The spec is run here with stand-ins for PyInstaller's build steps, so the test sees the very
lists PyInstaller would get. Building a bundle takes minutes: .ci/run does that and tries the
result (packaging/build_bundle.py --smoke).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "branchdesk.spec"
ISS = PACKAGING / "windows" / "branchdesk.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"

sys.path.insert(0, str(PACKAGING))
import build_bundle  # noqa: E402
import bundle_data  # noqa: E402

from branchdesk import __version__  # noqa: E402


class _Step:
    """Stands in for one of PyInstaller's build steps and keeps what it was given."""

    made: list[_Step]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs
        self.made.append(self)


def _run_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str) -> dict[str, Any]:
    made: list[_Step] = []
    steps = {
        name: type(name, (_Step,), {"made": made})
        for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")
    }

    class Analysis(steps["Analysis"]):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.pure: list[Any] = []
            self.scripts: list[Any] = []
            self.datas: list[Any] = []
            self.binaries = [
                ("PySide6/Qt/lib/libQt6Widgets.so.6", "/x", "BINARY"),
                ("PySide6/Qt/plugins/imageformats/libqpdf.so", "/x", "BINARY"),
            ]

    steps["Analysis"] = Analysis
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "platform", platform)
    namespace: dict[str, Any] = {
        **steps,
        "SPECPATH": str(PACKAGING),
        "workpath": str(tmp_path / "build"),
        "__file__": str(SPEC),
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    namespace["made"] = made
    return namespace


def _one(made: list[_Step], kind: str) -> _Step:
    found = [step for step in made if type(step).__name__ == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    return _run_spec(tmp_path, monkeypatch, "linux")


def _shipped(spec: dict[str, Any]) -> dict[Path, str]:
    """Each file the Analysis is given as data, with the folder it goes to in the bundle."""
    datas = _one(spec["made"], "Analysis").kwargs["datas"]
    return {Path(source).resolve(): dest.replace("\\", "/") for source, dest in datas}


def test_the_spec_ships_every_resource_folder_where_the_code_looks(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from branchdesk import resources

    shipped = _shipped(spec)
    folders = [p for p in (ROOT / "resources").iterdir() if p.is_dir() and p.name != "screenshots"]
    assert {p.name for p in folders} >= {"icons", "guide"}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert shipped.get(path.resolve()) == str(path.parent.relative_to(ROOT)), path
    # Inside the bundle, resource_dir() looks in <bundle>/resources: where they were put.
    monkeypatch.setattr(sys, "_MEIPASS", "/bundle", raising=False)
    assert resources.resource_dir() == Path("/bundle/resources")
    assert all(dest.split("/")[0] in ("resources", "branchdesk") for dest in shipped.values()), (
        "everything lands under resources/ or beside the code that reads it"
    )
    assert not any("screenshots" in dest for dest in shipped.values())


def test_the_spec_ships_the_migrations_beside_migrate_py(spec: dict[str, Any]) -> None:
    from branchdesk.store import migrate

    shipped = _shipped(spec)
    folder = migrate.MIGRATIONS.resolve()
    scripts = [folder / "env.py", *sorted((folder / "versions").glob("*.py"))]
    assert len(scripts) >= 10
    for script in scripts:
        # Alembic reads them from the folder migrate.py names: the same place in the bundle.
        assert shipped.get(script) == str(script.parent.relative_to(ROOT)), script
    rules = ROOT / "branchdesk" / "casework" / "deadline_rules.json"
    assert shipped[rules.resolve()] == "branchdesk/casework"


def test_what_the_migrations_import_is_bundled(spec: dict[str, Any]) -> None:
    hidden = set(_one(spec["made"], "Analysis").kwargs["hiddenimports"])
    assert {"alembic.op", "alembic.context", "branchdesk.store.triggers"} <= hidden
    assert {"branchdesk.store.audit", "branchdesk.store.types"} <= hidden
    # Drivers SQLAlchemy loads by the URL's name: encrypted SQLite and PostgreSQL.
    assert {"sqlcipher3", "sqlalchemy.dialects.sqlite.pysqlcipher", "psycopg"} <= hidden
    assert "collections.abc.Sequence" not in hidden  # names, not modules, are left out


def test_two_programs_share_one_folder(spec: dict[str, Any]) -> None:
    made = spec["made"]
    programs = [step for step in made if type(step).__name__ == "EXE"]
    by_name = {p.kwargs["name"]: p.kwargs for p in programs}
    assert by_name["branchdesk"]["console"] is True
    assert by_name["branchdesk-gui"]["console"] is False
    # Windows and macOS folders ignore case: the names must differ by more than that.
    assert len({name.lower() for name in by_name}) == 2
    for options in by_name.values():
        assert options["exclude_binaries"] is True  # the libraries go to the shared folder
        assert options["icon"] is None  # Linux desktops find it through the .desktop file
    collect = _one(made, "COLLECT")
    assert collect.args[:2] == tuple(programs)
    assert collect.kwargs["name"] == build_bundle.BUNDLE.name
    assert not [s for s in made if type(s).__name__ == "BUNDLE"]  # no .app off macOS
    # Qt's unused plugins are dropped from the binaries, the rest kept.
    binaries = [name for name, *_ in _one(made, "Analysis").binaries]
    assert binaries == ["PySide6/Qt/lib/libQt6Widgets.so.6"]


def test_windows_programs_carry_the_icon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _run_spec(tmp_path, monkeypatch, "win32")["made"]
    programs = [step for step in made if type(step).__name__ == "EXE"]
    assert len(programs) == 2
    for program in programs:
        ico = Path(program.kwargs["icon"])
        assert ico.suffix == ".ico" and ico.read_bytes()[:4] == b"\x00\x00\x01\x00"


def test_the_mac_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _run_spec(tmp_path, monkeypatch, "darwin")["made"]
    app = _one(made, "BUNDLE").kwargs
    assert app["name"] == "BranchDesk.app"
    assert app["bundle_identifier"] == "org.branchdesk.BranchDesk"
    assert app["version"] == __version__
    assert app["info_plist"]["NSHighResolutionCapable"] is True
    assert app["info_plist"]["CFBundleShortVersionString"] == __version__
    icns = Path(app["icon"])
    assert icns.suffix == ".icns" and icns.read_bytes()[:4] == b"icns"
    # The .app runs the first program handed to BUNDLE's COLLECT: the windowed one.
    first = _one(made, "COLLECT").args[0]
    assert first.kwargs["name"] == "branchdesk-gui"


def test_platform_icons_hold_every_drawn_size(tmp_path: Path) -> None:
    import render_icons
    from PIL import Image

    ico, icns = render_icons.write_platform_icons(tmp_path)
    with Image.open(ico) as image:
        assert {w for w, _ in image.info["sizes"]} == set(render_icons.SIZES)
    with Image.open(icns) as image:
        assert (256, 256, 1) in image.info["sizes"]


@pytest.mark.parametrize(
    ("name", "wanted"),
    [
        ("PySide6/Qt/lib/libQt6Gui.so.6", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6\\Qt6Svg.dll", True),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/lib/QtWidgets.framework/Versions/A/QtWidgets", True),
        ("PySide6/Qt/lib/libQt6Quick.so.6", False),
        ("PySide6\\Qt6Qml.dll", False),
        ("PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", False),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick", False),
    ],
)
def test_only_unused_qt_files_are_dropped(name: str, wanted: bool) -> None:
    assert bundle_data.wanted(name) is wanted


# -- Windows installer --------------------------------------------------------------------------


def _inno() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The script's #defines and its sections' lines, with {#Name} defines filled in."""
    defines: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current = None
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if match := re.fullmatch(r'#define\s+(\w+)\s+"(.*)"', line):
            defines.setdefault(match[1], match[2])
        elif line.startswith("#"):
            continue
        elif match := re.fullmatch(r"\[(\w+)\]", line):
            current = match[1]
            sections.setdefault(current, [])
        else:
            assert current is not None, f"a line outside any section: {line}"
            filled = re.sub(r"\{#(\w+)\}", lambda m: defines[m[1]], line)
            sections[current].append(filled)
    return defines, sections


def _setup(sections: dict[str, list[str]]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in sections["Setup"])


def _entries(lines: list[str]) -> list[dict[str, str]]:
    """`Name: "x"; Filename: "y"; Flags: a b` lines as dicts."""
    entries = []
    for line in lines:
        parts = re.findall(r'(\w+):\s*("[^"]*"|[^;]*)(?:;|$)', line)
        entries.append({key: value.strip().strip('"') for key, value in parts})
    return entries


def test_the_installer_is_per_user_without_admin_rights() -> None:
    defines, sections = _inno()
    setup = _setup(sections)
    assert setup["PrivilegesRequired"] == "lowest"
    # Offering an all-users install would ask for administrator rights.
    assert "PrivilegesRequiredOverridesAllowed" not in setup
    assert setup["DefaultDirName"].startswith(("{autopf}\\", "{localappdata}\\Programs\\"))
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppVersion"] == defines["AppVersion"]  # a define the workflow passes in


def test_the_installer_puts_the_windowed_program_in_the_start_menu() -> None:
    _, sections = _inno()
    icons = _entries(sections["Icons"])
    gui = f"{{app}}\\{bundle_data.WINDOWED_NAME}.exe"
    start_menu = [i for i in icons if i["Name"].startswith(("{autoprograms}", "{group}"))]
    assert [i["Filename"] for i in start_menu] == [gui]
    desktop = [i for i in icons if i["Name"].startswith("{autodesktop}")]
    assert [i["Tasks"] for i in desktop] == ["desktopicon"]
    tasks = {t["Name"]: t for t in _entries(sections["Tasks"])}
    assert "unchecked" in tasks["desktopicon"]["Flags"].split()  # optional, off by default
    files = _entries(sections["Files"])
    bundle = files[0]["Source"].removesuffix("\\*").replace("\\", "/")
    assert (ISS.parent / bundle).resolve() == build_bundle.BUNDLE


def test_uninstalling_keeps_the_users_data() -> None:
    from branchdesk import settings

    _, sections = _inno()
    # Inno removes what it installed into {app}; anything more has to be asked for here.
    assert "UninstallDelete" not in sections
    assert "UninstallRun" not in sections
    assert "Code" not in sections  # no scripted deletion either
    # An upgrade clears the old version's libraries, and nothing outside the program's folder.
    cleared = [entry["Name"] for entry in _entries(sections["InstallDelete"])]
    assert cleared and all(name.startswith("{app}\\") for name in cleared)
    message = "\n".join(sections["Messages"])
    assert "AppData\\Local\\BranchDesk" in message and "kept" in message
    # The data folder (platformdirs, %LOCALAPPDATA%\BranchDesk) is not inside the program's.
    assert Path(settings.data_dir()).name != "Programs"
    assert "{localappdata}\\BranchDesk" not in ISS.read_text(encoding="utf-8")


# -- build workflow and CI ----------------------------------------------------------------------


def _workflow_jobs() -> dict[str, str]:
    """Each job's block of the workflow, by job id (two-space indented keys under `jobs:`)."""
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "\t" not in text, "YAML forbids tabs for indentation"
    top = re.findall(r"^(\w[\w-]*):", text, flags=re.MULTILINE)
    assert top == ["name", "on", "permissions", "jobs"]
    body = text.split("\njobs:\n", 1)[1]
    blocks = re.split(r"^  (\w[\w-]*):\n", body, flags=re.MULTILINE)[1:]
    return dict(zip(blocks[::2], blocks[1::2], strict=True))


def test_the_workflow_builds_on_windows_and_macos() -> None:
    try:
        import yaml
    except ImportError:
        yaml = None
    jobs = _workflow_jobs()
    assert "runs-on: windows-latest" in jobs["windows"]
    assert "runs-on: macos-latest" in jobs["macos"]
    for block in jobs.values():
        assert "python packaging/build_bundle.py" in block
        assert 'pip install -e ".[packaging]"' in block
        assert "actions/upload-artifact@v4" in block
    assert "/DAppVersion=" in jobs["windows"]
    assert str(ISS.relative_to(ROOT)).replace("/", "\\") in jobs["windows"]
    console = bundle_data.CONSOLE_NAME
    assert f"dist\\BranchDesk\\{console}.exe --version" in jobs["windows"]
    assert f"dist/BranchDesk.app/Contents/MacOS/{console} --version" in jobs["macos"]
    assert "hdiutil create" in jobs["macos"]
    assert "build_bundle.py --smoke" in jobs["linux"]
    if yaml is not None:
        parsed = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
        assert set(parsed["jobs"]) == set(jobs)


def test_ci_builds_and_tries_the_bundle_after_the_tests() -> None:
    script = ROOT / ".ci" / "run"
    subprocess.run(["bash", "-n", str(script)], check=True)
    lines = script.read_text(encoding="utf-8").splitlines()
    tests = lines.index("python3 packaging/quickstart.py test")
    smoke = lines.index(".venv/bin/python packaging/build_bundle.py --smoke")
    assert tests < smoke
    assert any("poppler-utils" in line for line in lines)


def test_the_packaging_extra_matches_the_build_script() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["packaging"]
    assert build_bundle.PYINSTALLER in extra
    assert all(re.search(r">=\d", requirement) for requirement in extra)


def test_build_output_is_not_tracked() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "dist/BranchDesk", "build/branchdesk"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == ["dist/BranchDesk", "build/branchdesk"]


# -- the smoke run's start-up hook --------------------------------------------------------------


def test_quit_after_refuses_a_bad_number(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from branchdesk import cli

    monkeypatch.setenv(cli.QUIT_AFTER_VARIABLE, "soon")
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == cli.EXIT_BAD_INPUT
    assert "BRANCHDESK_QUIT_AFTER_SECONDS must be a number" in capsys.readouterr().err


def test_quit_after_shows_the_window_and_closes_it(tmp_path: Path) -> None:
    from branchdesk import cli

    # In a process of its own, as the smoke run starts the bundle: the event loop runs to its
    # end there, which would leave this process's application quitting for the tests after.
    shot = tmp_path / "window.png"
    env = {
        **os.environ,
        cli.QUIT_AFTER_VARIABLE: "0.5",
        cli.SCREENSHOT_VARIABLE: str(shot),
        "QT_QPA_PLATFORM": "offscreen",
    }
    result = subprocess.run(
        [sys.executable, "-m", "branchdesk", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "window shown: BranchDesk" in result.stderr
    assert "window closed after 0.5 s" in result.stderr
    assert shot.stat().st_size > 10_000


def test_a_program_without_a_console_can_still_print(monkeypatch: pytest.MonkeyPatch) -> None:
    from branchdesk import cli

    # As in a windowed program on Windows: no standard output or error at all.
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert sys.stdout is not None and sys.stdout.name == os.devnull
    sys.stdout.close()
    sys.stderr.close()
