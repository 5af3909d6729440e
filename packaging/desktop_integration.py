"""The files that put Caption App in a desktop's menus, laid out under a ``share/`` folder:
the desktop entry, the icon in every size (and the SVG), and the AppStream metainfo.

The Debian package puts them under ``/usr/share``; the portable archive carries them for its
``install.sh`` to copy under ``~/.local/share``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "org.captionapp.CaptionApp"
DESKTOP_ENTRY = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"


def icon_name() -> str:
    found = re.search(r"^Icon=(.+)$", DESKTOP_ENTRY.read_text(), re.MULTILINE)
    if found is None:
        raise SystemExit(f"{DESKTOP_ENTRY} names no icon")
    return found.group(1)


def icon_sizes() -> list[int]:
    name = icon_name()
    return sorted(int(p.stem.rsplit("-", 1)[1]) for p in (ICONS / "png").glob(f"{name}-*.png"))


def lay_out(share: Path, *, exec_line: str | None = None) -> list[Path]:
    """Copy the desktop files under ``share`` (``share/applications``, ``share/icons``,
    ``share/metainfo``); ``exec_line`` replaces the entry's ``Exec=`` value. Returns the files
    written."""
    written = []
    name = icon_name()
    entry = DESKTOP_ENTRY.read_text()
    if exec_line is not None:
        entry = re.sub(r"^Exec=.*$", f"Exec={exec_line}", entry, flags=re.MULTILINE)
    target = share / "applications" / DESKTOP_ENTRY.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(entry)
    written.append(target)
    for size in icon_sizes():
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ICONS / "png" / f"{name}-{size}.png", target)
        written.append(target)
    target = share / "icons" / "hicolor" / "scalable" / "apps" / f"{name}.svg"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICONS / f"{name}.svg", target)
    written.append(target)
    target = share / "metainfo" / METAINFO.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(METAINFO, target)
    written.append(target)
    return written
