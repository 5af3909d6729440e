"""The global shortcut under X11: with another application's window in front and focused (a
real window manager, mutter, decides), Ctrl+Alt+Shift+S starts captions and stops them again,
and the other window keeps the focus throughout. A chord another application holds is named.

Run under Xvfb by scripts/test; the window manager is started by ``conftest.window_manager``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.desktop import GLOBAL_KEYS_X11
from caption_app.qt.global_keys import X11KeyGrab
from caption_app.ui.app import CaptionApp
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.server import StreamingServer
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR

pytestmark = pytest.mark.x11
CLIP = "librivox-austen-0870.wav"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=2)
        yield server


def _xdotool(*args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.strip()


def test_the_global_shortcut_toggles_captions_while_another_window_has_the_focus(
    window_manager: None,
    server: StreamingServer,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private_home(tmp_path, monkeypatch, "test-key")
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    args = build_parser().parse_args(["--api-host", server.url, "--source", str(AUDIO_DIR / CLIP)])
    app = CaptionApp(args, settings)
    qtbot.addWidget(app.window)
    qtbot.addWidget(app.overlay)
    app.show()
    shortcuts = app.desktop_session.global_shortcuts
    qtbot.waitUntil(lambda: shortcuts.note == GLOBAL_KEYS_X11, timeout=10_000)
    meeting = subprocess.Popen(
        [sys.executable, "-m", "tests.wayland.meeting_window", "--x11"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        window = _xdotool("search", "--sync", "--name", "^Meeting$")
        _xdotool("windowactivate", "--sync", window.splitlines()[0])
        qtbot.waitUntil(lambda: _xdotool("getactivewindow", "getwindowname") == "Meeting")
        assert not app.controller.running

        _xdotool("key", "--clearmodifiers", "ctrl+alt+shift+s")
        qtbot.waitUntil(lambda: app.controller.running, timeout=10_000)
        qtbot.waitUntil(lambda: bool(server.sessions()), timeout=15_000)
        assert _xdotool("getactivewindow", "getwindowname") == "Meeting"

        _xdotool("key", "--clearmodifiers", "ctrl+alt+shift+s")
        qtbot.waitUntil(lambda: not app.controller.running, timeout=15_000)
        assert _xdotool("getactivewindow", "getwindowname") == "Meeting"

        # Show / hide the overlay the same way.
        _xdotool("key", "--clearmodifiers", "ctrl+alt+shift+o")
        qtbot.waitUntil(lambda: not app.overlay.isVisible(), timeout=5_000)
    finally:
        meeting.terminate()
        meeting.wait(timeout=15)
        app.desktop_session.global_shortcuts.close()
        app.shutdown()


def test_a_chord_another_application_holds_is_named(qtbot: QtBot) -> None:
    holder, second = X11KeyGrab(), X11KeyGrab()
    try:
        assert holder.bind({"global_captions": "Ctrl+Alt+Shift+F9"}) == {}
        problems = second.bind({"global_captions": "Ctrl+Alt+Shift+F9", "global_pause": "F10"})
        assert problems == {"global_captions": "Ctrl+Alt+Shift+F9 is taken by another application"}
    finally:
        holder.close()
        second.close()
