"""Render the application icon's SVG source into the PNG sizes Linux desktops use.

Run after changing ``resources/icons/caption-app.svg``:
``QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py``. The PNGs are committed, so
neither the app nor the bundle needs an SVG renderer at install time; PyInstaller makes the
Windows ``.ico`` and macOS ``.icns`` from the 256 px PNG when it builds there.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    out = ICONS / "png"
    out.mkdir(exist_ok=True)
    for size in SIZES:
        render(ICONS / "caption-app.svg", size).save(str(out / f"caption-app-{size}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
