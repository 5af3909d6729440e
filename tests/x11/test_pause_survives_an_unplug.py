"""Pause means no audio leaves, whatever the input does (issue 23, acceptance).

The real app under Xvfb, captioning a headset (a PulseAudio microphone over a null sink that
plays real speech) to the local v3 server. The person pauses (to talk privately), the headset
is unplugged and plugged in again, and they pick it from the Input menu: the window still says
Paused, Pause is still ticked, and the service receives not one byte, however long the
speech goes on. Un-ticking Pause then resumes captions from the headset.

Before issue 23 the session connected and streamed as soon as the input came back, while the
window said Paused, and the next un-tick was ignored.
"""

# pytest-qt's QtBot methods are untyped; the calls are what the tests are about.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QToolBar
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.model.problems import ProblemKind
from caption_app.core.model.session import SessionState
from caption_app.core.model.turns import TurnUpdate
from caption_app.ui.app import CaptionApp
from caption_app.ui.main_window.status_panel import NO_INPUT_METER_TEXT
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.server import StreamingServer
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR
from tests.support.pulse import PulseServer

pytestmark = pytest.mark.x11
CLIP = "librivox-austen-0870.wav"
HEADSET = "Caption Test Headset"


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    server = PulseServer(tmp_path / "pulse")
    server.start()
    try:
        server.load_null_sink("room", 16_000, 1, "Room")
        server.set_default_sink("room")
        server.activate()
        yield server
    finally:
        server.stop()


def _heard_ms(server: StreamingServer) -> float:
    """All the audio the service has received, over every session."""
    return sum(session.audio_ms() for session in server.sessions())


def _click_pause(qtbot: QtBot, app: CaptionApp) -> None:
    toolbar = app.window.findChild(QToolBar, "controls")
    assert toolbar is not None
    button = toolbar.widgetForAction(app.window.pause_action)
    assert button is not None and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _input_lost(app: CaptionApp) -> bool:
    problem = app.controller.status.problem
    return problem is not None and problem.kind is ProblemKind.INPUT_LOST


def _carries_on(app: CaptionApp) -> bool:
    return any(n.text.startswith("Captioning continues from") for n in app.controller.status.notes)


def _pick(app: CaptionApp, name: str) -> None:
    """The Input menu, refreshed, and the entry of ``name`` chosen, as a person does."""
    menu = app.window.input_menu
    menu.refresh()
    action = next((a for a in menu.actions() if a.text().startswith(name)), None)
    assert action is not None, [a.text() for a in menu.actions()]
    action.trigger()


def test_paused_then_unplugged_and_plugged_in_again_sends_nothing_until_resumed(
    qtbot: QtBot, pulse: PulseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert os.environ.get("DISPLAY"), "the x11 tests need an X server: run them under xvfb-run"
    private_home(tmp_path, monkeypatch, "test-key")
    headset = pulse.load_microphone("capheadset", "room.monitor", HEADSET)
    players = []
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=2)
        server.config.loop_script = True
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        args = ["--api-host", server.url, "--engine", "assemblyai", "--device", HEADSET]
        app = CaptionApp(build_parser().parse_args(args), settings)
        updates: list[TurnUpdate] = []
        app.controller.turnUpdated.connect(updates.append)
        try:
            app.show()
            qtbot.waitExposed(app.window)
            app.start()
            players.append(pulse.play(AUDIO_DIR / CLIP, "room"))
            qtbot.waitUntil(lambda: _heard_ms(server) > 1500, timeout=15_000)

            # The person pauses: the connection ends, nothing more is sent.
            _click_pause(qtbot, app)
            qtbot.waitUntil(lambda: app.controller.status.paused, timeout=5_000)
            qtbot.wait(300)  # the connection's last words and its close
            heard, sessions = _heard_ms(server), len(server.sessions())

            # The headset is unplugged, then plugged in again and picked from the menu.
            pulse.unload_module(headset)
            qtbot.waitUntil(lambda: _input_lost(app), timeout=10_000)
            assert app.window.pause_action.isChecked()
            # The meter does not keep the gone input's last reading.
            assert app.window.status_panel.meter.text() == NO_INPUT_METER_TEXT
            # The Input menu the notice points to does not show it as there (walk 2, A3).
            menu = app.window.input_menu
            entries = [a.text() for a in menu.actions() if a.isEnabled()]
            assert menu.checked_text() == "" and not [e for e in entries if HEADSET in e], entries
            assert f"{HEADSET} (not connected)" in [a.text() for a in menu.actions()]
            # The notice says what to do once (it said "pick another input" twice).
            said = [n.text for n in app.window.notices.showing() if "disconnected" in n.text]
            assert len(said) == 1 and said[0].lower().count("pick another input") == 1, said
            headset = pulse.load_microphone("capheadset", "room.monitor", HEADSET)
            _pick(app, HEADSET)
            qtbot.waitUntil(lambda: _carries_on(app), timeout=10_000)
            players.append(pulse.play(AUDIO_DIR / CLIP, "room"))
            qtbot.wait(3_000)  # the person keeps talking privately
            # The headset delivers again: that it was lost is no longer said (walk 2, A1).
            qtbot.waitUntil(lambda: app.controller.status.input_lost is False, timeout=5_000)
            said = [n.text for n in app.window.notices.showing() if "disconnected" in n.text]
            assert not said, said

            assert _heard_ms(server) == heard and len(server.sessions()) == sessions
            assert app.window.pause_action.isChecked()
            status = app.controller.status
            assert status.paused and status.state is SessionState.PAUSED and not status.sending
            assert app.window.status_panel.state_label.text() == "Paused: no audio is being sent"
            assert app.overlay.status() == "Paused"

            # Un-ticking Pause is not ignored: captions come back from the headset.
            finished_before = sum(1 for u in updates if u.turn.finished)
            _click_pause(qtbot, app)
            qtbot.waitUntil(lambda: len(server.sessions()) == sessions + 1, timeout=10_000)
            qtbot.waitUntil(lambda: server.sessions()[-1].audio_ms() > 1000, timeout=10_000)
            qtbot.waitUntil(
                lambda: sum(1 for u in updates if u.turn.finished) > finished_before,
                timeout=20_000,
            )
            assert not app.controller.status.paused and app.controller.status.sending
            app.controller.stop()
            qtbot.waitUntil(lambda: not app.controller.running, timeout=15_000)
        finally:
            for player in players:
                player.terminate()
                player.wait(timeout=5)
            app.shutdown()
            app.window.hide()
            app.overlay.hide()
