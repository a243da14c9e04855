"""The window's and the tabs' icons are there, and every icon reads at 16 px, light or dark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from branchdesk.ui.icons import ICONS_DIR

SVGS = sorted(ICONS_DIR.glob("*.svg"))
# A light panel and a dark-mode one.
BACKGROUNDS = ("#ffffff", "#202124")


def _render(svg: Path, size: int, background: str | None = None) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(QColor(background) if background else QColor(Qt.GlobalColor.transparent))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def _pixels(image: QImage) -> list[QColor]:
    return [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())]


def _luminance(color: QColor) -> float:
    """Relative luminance (WCAG 2), 0 for black to 1 for white."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def _contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_window_and_each_register_tab_have_an_icon(window: Any) -> None:
    assert not window.windowIcon().isNull()
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Casework", "Negotiating demands", "Outsourcing watch", "Hardship fund"]
    for index, title in enumerate(titles):
        assert not window.tabs.tabIcon(index).isNull(), f"the {title} tab has no icon"


def test_there_are_the_app_icon_and_four_tab_icons() -> None:
    assert {p.stem for p in SVGS} == {
        "branchdesk",
        "tab-casework",
        "tab-demands",
        "tab-outsourcing",
        "tab-hardship",
    }


@pytest.mark.parametrize("svg", SVGS, ids=lambda p: p.stem)
def test_icon_renders_and_is_not_blank_at_16_px(qapp: Any, svg: Path) -> None:
    assert QSvgRenderer(str(svg)).isValid()
    opaque = [c for c in _pixels(_render(svg, 16)) if c.alpha() > 200]
    # A fifth of the square at least: a bold shape, not a hairline.
    assert len(opaque) >= 16 * 16 // 5


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("svg", SVGS, ids=lambda p: p.stem)
def test_icon_stands_out_at_16_px(qapp: Any, svg: Path, background: str) -> None:
    panel = QColor(background)
    strong = [c for c in _pixels(_render(svg, 16, background)) if _contrast(c, panel) >= 3.0]
    # WCAG's 3:1 for graphics, over a good part of the icon.
    assert len(strong) >= 16 * 16 // 8, f"{svg.stem} fades into {background}"
