"""Linux desktop integration: the desktop entry and the AppStream metainfo validate with the
distributions' own tools, and the icon the entry names exists in every size desktops use."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "org.captionapp.CaptionApp.desktop"
METAINFO = ROOT / "packaging" / "org.captionapp.CaptionApp.metainfo.xml"
ICONS = ROOT / "resources" / "icons" / "png"


def test_the_desktop_entry_validates() -> None:
    done = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_the_metainfo_validates() -> None:
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--explain", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"^[EW]: ", done.stdout, re.MULTILINE), done.stdout
    assert "<screenshot" in METAINFO.read_text()


@pytest.mark.parametrize("size", [16, 22, 24, 32, 48, 64, 128, 256, 512])
def test_the_icon_exists_in_each_size(size: int) -> None:
    icon = re.search(r"^Icon=(.+)$", DESKTOP.read_text(), re.MULTILINE)
    assert icon is not None
    png = (ICONS / f"{icon.group(1)}-{size}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (size, size)
