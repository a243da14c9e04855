"""Remake the application icon's PNGs from its SVG: `python packaging/render_icons.py`.

Writes resources/icons/hicolor/<N>x<N>/apps/org.branchdesk.BranchDesk.png for each size Linux
desktops look up, and a copy of the SVG as the scalable icon. `--sheet FILE` also writes a
contact sheet of every icon at 16, 32 and 64 px on a light and a dark panel, to look at.
`--platform DIR` also writes branchdesk.ico (Windows) and branchdesk.icns (macOS) there, made of
those PNGs, for the bundles (packaging/branchdesk.spec). Runs offscreen, so it needs no display.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

# Before Qt loads: no display is needed to render.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
APP_ID = "org.branchdesk.BranchDesk"
SIZES = (16, 24, 32, 48, 64, 128, 256)
SHEET_ICONS = (
    "branchdesk",
    "tab-casework",
    "tab-demands",
    "tab-outsourcing",
    "tab-hardship",
)
SHEET_SIZES = (16, 32, 64)
SHEET_BACKGROUNDS = ("#ffffff", "#202124")


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn into a transparent size×size image."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def write_app_icons(icons: Path = ICONS) -> list[Path]:
    written = []
    source = icons / "branchdesk.svg"
    for size in SIZES:
        target = png_path(size, icons)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(source, size).save(str(target), "PNG"):
            raise OSError(f"cannot write {target}")
        written.append(target)
    scalable = icons / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, scalable)
    written.append(scalable)
    return written


def png_path(size: int, icons: Path = ICONS) -> Path:
    return icons / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def write_platform_icons(target: Path, icons: Path = ICONS) -> tuple[Path, Path]:
    """branchdesk.ico and branchdesk.icns in `target`, from the rendered PNGs.

    Each size is the SVG drawn at that size, not one big image shrunk: small sizes stay crisp.
    Pillow (which reportlab needs) writes both formats on any platform.
    """
    from PIL import Image

    target.mkdir(parents=True, exist_ok=True)
    images = {size: Image.open(png_path(size, icons)).convert("RGBA") for size in SIZES}
    largest = images[max(SIZES)]
    others = [images[size] for size in SIZES if size != max(SIZES)]
    ico = target / "branchdesk.ico"
    largest.save(ico, format="ICO", sizes=[(s, s) for s in SIZES], append_images=others)
    # The .icns sizes Pillow writes are 16 to 1024 px; ours stop at 256, the largest drawn.
    icns = target / "branchdesk.icns"
    largest.save(icns, format="ICNS", append_images=others)
    return ico, icns


def write_sheet(target: Path, icons: Path = ICONS) -> None:
    """Each icon in a row, at each size, on each background; drawn 1:1 (no scaling)."""
    gap = 12
    cell = max(SHEET_SIZES) + gap
    panel = len(SHEET_SIZES) * cell + gap
    sheet = QImage(
        len(SHEET_BACKGROUNDS) * panel,
        len(SHEET_ICONS) * cell + gap,
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    painter = QPainter(sheet)
    for column, background in enumerate(SHEET_BACKGROUNDS):
        painter.fillRect(column * panel, 0, panel, sheet.height(), QColor(background))
        for row, name in enumerate(SHEET_ICONS):
            for index, size in enumerate(SHEET_SIZES):
                x = column * panel + gap + index * cell
                painter.drawImage(x, gap + row * cell, render(icons / f"{name}.svg", size))
    painter.end()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not sheet.save(str(target), "PNG"):
        raise OSError(f"cannot write {target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet PNG here")
    parser.add_argument("--platform", type=Path, metavar="DIR", help="also write .ico and .icns")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for path in write_app_icons():
        print(path.relative_to(ROOT))
    if args.sheet:
        write_sheet(args.sheet)
        print(args.sheet)
    if args.platform:
        for path in write_platform_icons(args.platform):
            print(path)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
