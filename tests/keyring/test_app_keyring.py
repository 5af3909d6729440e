"""The caption window with its key in the real Secret Service: the keyring is read off the GUI
thread before a start, then the session uses the stored key; with none, the key dialog opens."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.secrets.store import KeyStore
from caption_app.qt import threads
from caption_app.ui.api_key.dialog import KeyDialog
from caption_app.ui.app import CaptionApp
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.server import StreamingServer
from tests.support.paths import AUDIO_DIR

pytestmark = pytest.mark.keyring
CLIP = "librivox-austen-0880.wav"
STORED_KEY = "sk-KEYRING-APP-5e1f0a2b9c8d7e6f"


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StreamingServer]:
    for name in ("home", "data", "tmp"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CAPTION_APP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ASSEMBLYAI_API_KEY", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    with running_server() as server:
        server.config.api_keys = {STORED_KEY}
        server.config.script = load_clip(CLIP).script(turns=1)
        yield server


def _app(server: StreamingServer, tmp_path: Path, *extra: str) -> CaptionApp:
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    args = build_parser().parse_args(
        ["--api-host", server.url, "--source", str(AUDIO_DIR / CLIP), *extra]
    )
    app = CaptionApp(args, settings)
    app.show()
    return app


def _close(app: CaptionApp) -> None:
    app.shutdown()
    app.window.close()
    app.overlay.close()


def test_a_stored_key_is_read_off_the_gui_thread_and_used(
    qtbot: QtBot, app_env: StreamingServer, secret_store: KeyStore, tmp_path: Path
) -> None:
    secret_store.set(STORED_KEY)
    app = _app(app_env, tmp_path)
    try:
        app.start()
        # The keyring read is on its own thread; the start goes on when it answers.
        assert not app.controller.running
        qtbot.waitUntil(lambda: app.controller.running, timeout=10_000)
        qtbot.waitUntil(lambda: bool(app_env.sessions()), timeout=10_000)
        assert app_env.session(0).headers["authorization"] == STORED_KEY
        app.controller.stop()
        qtbot.waitUntil(lambda: not app.controller.running, timeout=15_000)
    finally:
        _close(app)
    qtbot.waitUntil(lambda: not threads.running_worker_threads(), timeout=5_000)


def test_no_stored_key_opens_the_key_dialog(
    qtbot: QtBot, app_env: StreamingServer, secret_store: KeyStore, tmp_path: Path
) -> None:
    # With the cloud chosen explicitly; "auto" captions on this computer instead
    # (tests/local_engine/test_local_gui.py).
    app = _app(app_env, tmp_path, "--engine", "assemblyai")
    try:
        app.start()
        qtbot.waitUntil(lambda: app.dialog("key") is not None, timeout=10_000)
        assert not app.controller.running and app_env.sessions() == []
        # The fifth walk's W11: saving the key went on to start captions without a word;
        # the buttons say they do (it is the Start the person pressed).
        dialog = app.dialog("key")
        assert isinstance(dialog, KeyDialog)
        assert dialog.save_button.text() == "Check, save and start captions"
        assert dialog.session_button.text() == "Use for this session and start captions"
        # A review: closed without a key, the next Tools → API key… still said "start", and
        # a Start that found the dialog open did not.
        dialog.reject()
        app.open_key_dialog()
        again = app.dialog("key")
        assert isinstance(again, KeyDialog)
        assert again.save_button.text() == "Check and save"
        app.start()
        qtbot.waitUntil(lambda: again.save_button.text() != "Check and save", timeout=10_000)
        assert app.dialog("key") is again
        assert again.save_button.text() == "Check, save and start captions"
    finally:
        _close(app)
    qtbot.waitUntil(lambda: not threads.running_worker_threads(), timeout=5_000)
