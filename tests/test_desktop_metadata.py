"""The Linux desktop file and AppStream metadata: valid, and in step with the icons and version."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import branchdesk

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "org.branchdesk.BranchDesk"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def _validator(name: str) -> str:
    """The validator's path; CI must fail, not skip, when it is missing (.ci/run installs it)."""
    found = shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (Debian: desktop-file-utils, appstream)"
        if os.environ.get("BRANCHDESK_REQUIRE_POSTGRES") == "1" or os.environ.get("CI"):
            pytest.fail(f"{reason}; CI needs it")
        pytest.skip(reason)
    return found


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_is_valid() -> None:
    result = subprocess.run(
        [_validator("desktop-file-validate"), str(DESKTOP)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # It prints nothing at all when there is nothing to say, not even hints.
    assert result.stdout.strip() == "", result.stdout


def test_metainfo_is_valid() -> None:
    result = subprocess.run(
        [_validator("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_file_launches_the_gui_script_with_the_app_icon() -> None:
    entry = _desktop_entry()
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "branchdesk-gui"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'branchdesk-gui = "branchdesk.cli:main"' in pyproject
    # The window's WM class is the Qt application name set in app.py.
    assert entry["StartupWMClass"] == "BranchDesk"


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's header (the IHDR chunk always comes first)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.parametrize("size", SIZES)
def test_each_icon_size_is_there_at_its_size(size: int) -> None:
    png = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert png.is_file(), f"missing: run python packaging/render_icons.py ({png})"
    assert _png_size(png) == (size, size)


def test_scalable_icon_is_the_app_icon() -> None:
    scalable = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    source = ROOT / "resources" / "icons" / "branchdesk.svg"
    assert scalable.read_bytes() == source.read_bytes(), "run python packaging/render_icons.py"


def test_release_is_the_current_version() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    releases = root.findall("releases/release")
    assert releases, "the metainfo lists no release"
    # The newest release comes first.
    assert releases[0].get("version") == branchdesk.__version__
