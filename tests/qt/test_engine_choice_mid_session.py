"""Choosing the engine while captions run (fifth walk C4, W4).

The real app, the unmodified SDK against the local v3 server, the real local engine on real
speech (a recording played in real time). Automatic with a key captions on the cloud; the
person chooses "On this computer": from that moment the service receives nothing more, in the
same session (the app said "used from the next start" and went on sending), the transcript
marks the move, and the window says where the audio goes. Choosing Automatic again brings the
cloud back in the same session.
"""

# pytest-qt's QtBot methods are untyped; the calls are what the tests are about.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caption_app.core.model.gaps import chosen_here_marker
from caption_app.core.settings import EngineChoice
from caption_app.ui.app import CaptionApp
from caption_app.ui.main_window.menu_choices import ENGINE_NEXT_START, STILL_SENT_TEXT
from tests.local_engine.speech import joined_clips
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.server import StreamingServer
from tests.support.caption_apps import open_app, opened_apps
from tests.support.home import private_home

pytestmark = pytest.mark.timeout(150)
IN_FLIGHT_MS = 400
"""Audio the cloud may still receive after the choice: chunks sent before the session took it
(it is taken within a chunk or two of 50 ms; a loaded machine may delay it a little)."""


def _heard_ms(server: StreamingServer) -> float:
    return sum(session.audio_ms() for session in server.sessions())


def _on_device(app: CaptionApp) -> bool:
    engine = app.controller.status.engine
    return app.controller.status.live and engine is not None and engine.on_device


def _on_cloud(app: CaptionApp) -> bool:
    engine = app.controller.status.engine
    return app.controller.status.live and engine is not None and not engine.on_device


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    """The cloud, saying two turns of the recording's first clip over and over."""
    with running_server() as server:
        server.config.script = load_clip("librivox-austen-0870.wav").script(turns=2)
        server.config.loop_script = True
        yield server


@pytest.fixture
def apps() -> Iterator[list[CaptionApp]]:
    yield from opened_apps()


def _app(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    url: str,
    *extra: str,
) -> CaptionApp:
    """The app with a key, captioning a recording of joined speech clips in real time."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    recording = joined_clips(tmp_path)
    return open_app(tmp_path, apps, "--api-host", url, "--source", str(recording.path), *extra)


def test_this_computer_chosen_mid_session_leaves_the_cloud_at_once_and_the_cloud_comes_back(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: StreamingServer,
    apps: list[CaptionApp],
) -> None:
    app = _app(tmp_path, monkeypatch, apps, server.url)
    app.start()
    qtbot.waitUntil(lambda: _on_cloud(app) and _heard_ms(server) > 1500, timeout=20_000)

    app.window.engine_menu.set_chosen(EngineChoice.LOCAL)
    chosen_at = _heard_ms(server)
    app.choices.engine(EngineChoice.LOCAL)
    qtbot.waitUntil(lambda: _on_device(app), timeout=30_000)
    # From the moment of the choice: at most what was already on its way (here 50 ms; the
    # local engine takes a second to begin, all of which went on to the cloud before C4).
    assert _heard_ms(server) - chosen_at <= IN_FLIGHT_MS, "audio went on to the cloud"
    heard = _heard_ms(server)
    qtbot.wait(2_000)
    assert _heard_ms(server) == heard, "audio went to the cloud after the choice"
    panel = app.window.status_panel
    assert panel.state_label.text() == "Live on this computer"  # chosen, not covering
    assert "Audio stays on this computer" in panel.sending_label.text()
    assert not [n for n in app.window.notices.showing() if n.key == ENGINE_NEXT_START]
    qtbot.waitUntil(
        lambda: chosen_here_marker() in app.window.transcript.plain_text(), timeout=5_000
    )

    sessions = len(server.sessions())
    app.window.engine_menu.set_chosen(EngineChoice.AUTO)
    app.choices.engine(EngineChoice.AUTO)
    qtbot.waitUntil(lambda: _on_cloud(app), timeout=30_000)
    assert len(server.sessions()) == sessions + 1
    assert app.controller.running  # the same session throughout
    back = "Captions are back on AssemblyAI"
    qtbot.waitUntil(lambda: back in app.window.transcript.plain_text(), timeout=5_000)


def test_a_cloud_only_session_says_the_audio_still_goes_there_and_offers_to_start_again(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: StreamingServer,
    apps: list[CaptionApp],
) -> None:
    app = _app(tmp_path, monkeypatch, apps, server.url, "--engine", "assemblyai")
    app.start()
    qtbot.waitUntil(lambda: _on_cloud(app), timeout=20_000)
    app.choices.engine(EngineChoice.ASSEMBLYAI)  # what it does already: nothing said
    assert not [n for n in app.window.notices.showing() if n.key == ENGINE_NEXT_START]

    app.choices.engine(EngineChoice.LOCAL)
    (said,) = [n for n in app.window.notices.showing() if n.key == ENGINE_NEXT_START]
    assert said.text == STILL_SENT_TEXT and said.offers_action
    assert said.action is not None
    said.action()  # "Start again now"
    qtbot.waitUntil(lambda: _on_device(app), timeout=30_000)
    heard = _heard_ms(server)
    qtbot.wait(1_000)
    assert _heard_ms(server) == heard
    assert not [n for n in app.window.notices.showing() if n.key == ENGINE_NEXT_START]
