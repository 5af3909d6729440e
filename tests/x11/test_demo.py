"""``caption-app --demo`` in real windows under Xvfb: the public-domain recording is captioned
on this computer into the overlay and the transcript, and the transcript can be exported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.ui import prompts
from caption_app.ui.app import CaptionApp
from caption_app.ui.resources import DEMO_CLIP
from tests.support.home import private_home

pytestmark = [pytest.mark.x11, pytest.mark.timeout(120)]


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> Iterator[CaptionApp]:
    private_home(tmp_path, monkeypatch, None)
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    app = CaptionApp(build_parser().parse_args(["--demo"]), settings)
    app.show()
    qtbot.waitExposed(app.overlay)
    yield app
    app.shutdown()
    app.window.close()
    app.overlay.close()


def test_the_demo_captions_into_the_overlay(
    qtbot: QtBot, demo: CaptionApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert DEMO_CLIP.is_file()
    demo.start()  # what --demo does once the window is up
    qtbot.waitUntil(lambda: demo.controller.running, timeout=5000)
    # The live words come first, dimmed ("mr john dashwood"), then the finished, formatted
    # turn ("… to do for them."), bright.
    qtbot.waitUntil(
        lambda: any(line.endswith(".") for line in demo.overlay.rendered_lines()), timeout=30_000
    )
    # Real pixels: the overlay's box holds bright (finished) caption text.
    image = demo.overlay.grab().toImage()
    pixels = np.array(
        [
            image.pixelColor(x, y).lightness()
            for y in range(0, image.height(), 2)
            for x in range(0, image.width(), 2)
        ]
    )
    assert (pixels > 200).sum() > 50, "no caption text drawn"
    qtbot.waitUntil(lambda: not demo.controller.running, timeout=60_000)
    transcript = demo.window.transcript.plain_text().lower()
    # Its first words and its last ("…made amiable himself", which tiny.en sometimes hears as
    # "…made am himself"): the whole recording was captioned.
    assert "dashwood" in transcript and transcript.rstrip(" .\n").endswith("himself"), transcript
    target = tmp_path / "demo.json"
    monkeypatch.setattr(prompts, "ask_export_path", lambda _parent, _suggested: str(target))
    demo.export()
    document = json.loads(target.read_text())
    assert document["session"]["engine"] == "Whisper tiny.en on this computer"
    assert sum(e["type"] == "turn" for e in document["entries"]) >= 4
