"""The window and the overlay when the cloud cannot be reached (engine = auto, a key set up):
an "On this computer" badge, a marker in the transcript, and never "captions resume shortly"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.ui.app import CaptionApp
from caption_app.ui.overlay.message import BADGE_TEXT
from tests.failover.harness import free_port
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR

pytestmark = [pytest.mark.x11, pytest.mark.timeout(120)]


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> Iterator[CaptionApp]:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    args = build_parser().parse_args(
        [
            "--api-host",
            f"ws://127.0.0.1:{free_port()}",  # refused: nothing listens there
            "--source",
            str(AUDIO_DIR / "librivox-austen-0890.wav"),
        ]
    )
    captions = CaptionApp(args, settings)
    captions.show()
    qtbot.waitExposed(captions.overlay)
    yield captions
    captions.shutdown()
    captions.window.close()
    captions.overlay.close()


def test_an_unreachable_cloud_shows_the_badge_and_a_marker_and_no_resume_shortly(
    qtbot: QtBot, app: CaptionApp
) -> None:
    statuses: list[str] = []
    app.controller.stateChanged.connect(lambda *_: statuses.append(app.overlay.status()))
    app.start()
    qtbot.waitUntil(lambda: app.overlay.badge() == BADGE_TEXT, timeout=10_000)
    badge = app.overlay.findChild(type(app.overlay._badge), "engine-badge")
    assert badge is not None and badge.isVisible() and badge.geometry().top() >= 0
    qtbot.waitUntil(
        lambda: "rather selfish" in " ".join(app.overlay.rendered_lines()).lower(), timeout=20_000
    )
    text = app.window.transcript.plain_text()
    assert "Captions continue on this computer" in text
    assert "not captioned" not in text  # a marker, not a gap
    assert not [s for s in statuses if s.startswith("Reconnecting")]
    assert "Audio stays on this computer" in app.window.status_panel.sending_label.text()
    assert "Cannot reach 127.0.0.1" in app.window.notices.text()
