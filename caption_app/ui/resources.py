"""Files shipped with the app: its icon and the demo clip."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
DEMO_CLIP = RESOURCES / "demo" / "sense-and-sensibility.wav"


def app_icon() -> QIcon:
    """The SVG for any size, with the rendered PNGs for the small sizes trays and menus use."""
    icon = QIcon(str(RESOURCES / "icons" / "caption-app.svg"))
    for png in sorted((RESOURCES / "icons" / "png").glob("caption-app-*.png")):
        icon.addFile(str(png))
    return icon
