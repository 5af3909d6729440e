"""The caption window on real capture devices: a missing remembered input, then switching to
microphone + system audio from the Input menu while captions run, and its You / Others labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.audio.devices import MIXED_LABEL
from caption_app.core.audio.mixed import YOU
from caption_app.core.model.turns import Turn, TurnUpdate
from caption_app.ui.app import CaptionApp
from tests.audio.rig import PulseRig
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import running_server
from tests.support.home import private_home

pytestmark = pytest.mark.pulse
CLIP = "librivox-austen-0870.wav"


def test_missing_input_falls_back_with_a_notice_then_mixes_in_system_audio(
    qtbot: QtBot,
    pulse: PulseRig,
    clips_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private_home(tmp_path, monkeypatch, "test-key")
    qsettings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    qsettings.setValue("input/device_id", "PulseAudio:usb-headset-unplugged")
    player = None
    # A microphone (hearing the 16 kHz sink) and, as system audio, the default output's
    # monitor: the 48 kHz sink, silent here.
    microphone = pulse.server.load_microphone(
        "captestmic", f"{pulse.sink16}.monitor", "Caption Test Microphone"
    )
    pulse.server.set_default_sink(pulse.sink48)
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=2)
        app = CaptionApp(build_parser().parse_args(["--api-host", server.url]), qsettings)
        try:
            updates: list[TurnUpdate] = []
            app.controller.turnUpdated.connect(updates.append)
            app.show()
            app.start()
            assert app.controller.running
            notice = app.window.notices.text()
            assert "usb-headset-unplugged" in notice and "not connected" in notice
            assert "captions come from Caption Test Microphone" in notice
            # The menu ticks the input captioned now (the eleventh walk: none was ticked, then
            # the one chosen before once it was plugged back in, while this one captioned).
            menu = app.window.input_menu
            qtbot.waitUntil(lambda: menu.checked_text().startswith("Caption Test Microphone"))
            player = pulse.server.play(clips_dir / CLIP, pulse.sink16)
            qtbot.waitUntil(
                lambda: bool(server.sessions()) and server.session(0).audio_ms() > 1500,
                timeout=10_000,
            )
            heard = np.frombuffer(server.session(0).audio_bytes(), dtype="<i2")
            assert np.abs(heard).max() > 1000, "the default input's audio reached the service"

            # Microphone + system audio, chosen from the menu while captions run.
            menu = app.window.input_menu
            mixed = next(a for a in menu.actions() if a.text().startswith(MIXED_LABEL))
            mixed.trigger()
            assert app.settings.input_device_id.startswith("mixed:")
            qtbot.waitUntil(
                lambda: len(server.sessions()) == 2 and server.session(1).audio_ms() > 500,
                timeout=10_000,
            )
            assert app.window.notices.text() == (
                "Captioning continues from Caption Test Microphone + "
                f"System audio — {pulse.description48}."
            )
            assert mixed.isChecked()
            # The mixed input's clock starts at the switch, seconds into the session: the
            # microphone side still hears the clip, so the new stream's first turn is "You".

            def mixed_turns() -> list[Turn]:
                return [u.turn for u in updates if u.turn.finished and u.turn.stream == 1]

            qtbot.waitUntil(lambda: bool(mixed_turns()), timeout=15_000)
            assert mixed_turns()[0].speaker == YOU
            app.controller.stop()
            qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)
        finally:
            if player is not None:
                player.terminate()
                player.wait(timeout=5)
            app.shutdown()
            app.window.close()
            app.overlay.close()
            pulse.server.set_default_sink(pulse.sink16)
            pulse.server.unload_module(microphone)
