"""Issue 24's walk, item by item, in real windows under Xvfb with openbox (the window manager of
LXQt) managing them: what the window says is true at every moment, and the overlay never gets in
the person's way. Each test is named after its item.

The tests drive the app as a person does (Start, the key dialog, Settings, clicks with xdotool)
against real parts (the local v3 server, a server process killed and restarted, the real local
engine, the real keyring, a real tray) and read what a person reads: the notice bar's text,
the status line, the sending light, the overlay's words, window geometry and X properties.
"""

from __future__ import annotations

import re
import subprocess
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.secrets.store import KeyStore
from caption_app.ui.api_key.dialog import KeyDialog
from caption_app.ui.app import CaptionApp
from caption_app.ui.settings.dialog import SettingsDialog
from tests.failover.harness import ServerProcess, cloud_script, free_port, heard_script
from tests.local_engine.speech import joined_clips, normalise
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.server import StreamingServer
from tests.support.caption_apps import opened_apps
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR
from tests.support.secret_service import secret_service

pytestmark = [pytest.mark.x11, pytest.mark.timeout(120)]
CLIP = "librivox-austen-0880.wav"
SHORT = "goforward.wav"
WRONG_KEY = "wrong-key-in-the-environment-0000"
NO_ACCOUNT = "with no account"
"""The first launch's notice: captions need no account; the cloud needs a key."""


@pytest.fixture(scope="module", autouse=True)
def openbox() -> Iterator[None]:
    """openbox manages the windows (reparenting them into frames), as on an LXQt desktop."""
    wm = subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    yield
    wm.terminate()
    wm.wait(5)


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=1)
        yield server


def _app(tmp_path: Path, *args: str) -> CaptionApp:
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    captions = CaptionApp(build_parser().parse_args(list(args)), settings)
    captions.show()
    return captions


def _dock(app: CaptionApp, where: str) -> None:
    """Settings → Overlay → Position: ``where`` ("top", "bottom" or "floating"), then OK."""
    app.open_settings()
    settings = app.dialog("settings")
    assert isinstance(settings, SettingsDialog)
    page = settings.overlay_page
    page.dock_combo.setCurrentIndex(page.dock_combo.findData(where))
    settings.ok_button.click()


def _docked_at_the_top(qtbot: QtBot, app: CaptionApp) -> QRect:
    """Dock at the top and wait for the edge to be reserved; the main window's frame then."""
    _dock(app, "top")
    screen = QGuiApplication.primaryScreen()
    qtbot.waitUntil(lambda: screen.availableGeometry().top() > 0, timeout=5_000)
    qtbot.wait(300)
    return app.window.frameGeometry()


def _opened_over_the_main_window(
    qtbot: QtBot, app: CaptionApp, dialog: QWidget | None, window: QRect
) -> None:
    """Clear of the overlay and over the main window, as a dialog opens (sideways by a few
    pixels at most)."""
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.wait(300)
    placed = dialog.frameGeometry()
    assert not placed.intersects(app.overlay.frameGeometry()), (dialog, placed)
    assert abs(placed.center().x() - window.center().x()) < 40, (dialog, placed, window)


@pytest.fixture
def apps() -> Iterator[list[CaptionApp]]:
    yield from opened_apps()


# --- what a person reads --------------------------------------------------------------------


def _notice(app: CaptionApp) -> str:
    """The notice bar's words ("" while it is hidden)."""
    bar = app.window.notices
    return bar.message.text() if bar.isVisible() else ""


def _status_line(app: CaptionApp) -> str:
    return app.window.status_panel.state_label.text()


def _light(app: CaptionApp) -> str:
    return app.window.status_panel.sending_label.text()


def _overlay_text(app: CaptionApp) -> str:
    return " ".join(app.overlay.rendered_lines())


@dataclass(frozen=True)
class Seen:
    """One moment of the window and the overlay, as a person sees them."""

    at: float
    notice: str
    status_line: str
    status_rows: int
    light: str
    badge: str
    overlay_says: str


@dataclass
class Watch:
    """Looks at the window every 20 ms and keeps each new sight (what a person glancing at it
    would see; a contradiction that lasts longer than a frame or two is caught)."""

    app: CaptionApp
    seen: list[Seen] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._timer = QTimer()
        self._timer.timeout.connect(self.look)
        self._timer.start(20)

    def look(self) -> None:
        app = self.app
        label = app.window.status_panel.state_label
        rows = round(label.height() / max(1, label.fontMetrics().lineSpacing()))
        sight = Seen(
            round(time.monotonic() - self.started, 2),
            _notice(app),
            _status_line(app),
            rows,
            _light(app),
            app.overlay.badge(),
            app.overlay.status(),
        )
        last = self.seen[-1] if self.seen else None
        if last is None or (sight.notice, sight.status_line, sight.light, sight.badge) != (
            last.notice,
            last.status_line,
            last.light,
            last.badge,
        ):
            self.seen.append(sight)

    def stop(self) -> None:
        self._timer.stop()

    def table(self) -> str:
        return "\n".join(str(s) for s in self.seen)


def _silence_then_speech(path: Path, silence_s: float) -> Path:
    with wave.open(str(AUDIO_DIR / SHORT), "rb") as speech:
        rate, frames = speech.getframerate(), speech.readframes(speech.getnframes())
        width, channels = speech.getsampwidth(), speech.getnchannels()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(np.zeros(int(rate * silence_s) * channels, np.int16).tobytes() + frames)
    return path


def _stop(qtbot: QtBot, app: CaptionApp) -> None:
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)


# --- words that outlive their truth ---------------------------------------------------------


def test_item_1_no_sound_is_withdrawn_when_speech_flows(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    clip = _silence_then_speech(tmp_path / "quiet-then-speech.wav", 11.0)
    with running_server() as server:
        server.config.script = load_clip(SHORT).script(turns=1)
        app = _app(
            tmp_path, "--api-host", server.url, "--engine", "assemblyai", "--source", str(clip)
        )
        apps.append(app)
        app.start()
        qtbot.waitUntil(lambda: "No sound from" in _notice(app), timeout=20_000)
        assert app.window.notices.dismiss_button.text() == "Dismiss"  # no pile
        # Sound arrives: the question is answered at once, while captions flow.
        qtbot.waitUntil(lambda: "No sound from" not in _notice(app), timeout=5_000)
        assert app.controller.running
        qtbot.waitUntil(lambda: "forward" in _overlay_text(app).lower(), timeout=10_000)
        assert "No sound from" not in _notice(app)
        _stop(qtbot, app)


def test_item_2_the_first_launch_notice_goes_once_a_key_is_saved_in_the_keyring(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    private_home(tmp_path, monkeypatch, None)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")  # the real Secret Service (gnome-keyring)
    with secret_service():
        store = KeyStore()
        store.delete()
        try:
            app = _app(tmp_path, "--api-host", server.url)
            apps.append(app)
            assert NO_ACCOUNT in _notice(app)
            app.open_key_dialog()  # Tools → API key…
            dialog = app.dialog("key")
            assert isinstance(dialog, KeyDialog)
            qtbot.waitUntil(dialog.key_edit.isVisible, timeout=10_000)
            dialog.key_edit.setText(TEST_API_KEY)
            qtbot.waitUntil(dialog.save_button.isEnabled, timeout=10_000)
            dialog.save_button.click()  # checked against the server, then kept in the keyring
            qtbot.waitUntil(lambda: store.get() == TEST_API_KEY, timeout=15_000)
            qtbot.waitUntil(lambda: NO_ACCOUNT not in _notice(app), timeout=5_000)
            dialog.close()
            # A later launch, the key in the keyring: not said again, at first or later.
            later = _app(tmp_path, "--api-host", server.url)
            apps.append(later)
            qtbot.waitExposed(later.window)
            assert NO_ACCOUNT not in _notice(later)
            qtbot.wait(1000)
            assert NO_ACCOUNT not in _notice(later)
        finally:
            store.delete()


def _words(text: str) -> list[str]:
    return normalise(re.sub(r"^\d\d:\d\d:\d\d\s+", "", text)).split()


@pytest.mark.timeout(240)
def test_items_3_and_6_a_real_failover_and_the_cloud_back(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """engine = auto, a key set up: the cloud (a server process) captions, is killed
    (SIGKILL) mid-sentence, the real local engine takes over, the cloud is started again and
    captions go back to it. Throughout, nothing shown contradicts what is happening."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    recording = joined_clips(tmp_path)
    cloud = ServerProcess(free_port(), heard_script(tmp_path))
    cloud.start()
    app = _app(tmp_path, "--api-host", cloud.url, "--source", str(recording.path))
    apps.append(app)
    watch = Watch(app)
    try:
        app.start()
        text = app.window.transcript.plain_text
        qtbot.waitUntil(lambda: "dashwood" in text().lower(), timeout=30_000)
        qtbot.wait(700)
        cloud.kill()  # mid-sentence: "…had then leisure to consider…"
        qtbot.waitUntil(lambda: app.overlay.badge() != "", timeout=30_000)  # this computer
        qtbot.waitUntil(lambda: _status_line(app).startswith("Live"), timeout=30_000)
        qtbot.wait(2000)
        cloud.start()  # the cloud answers again
        qtbot.waitUntil(lambda: "Captions are back" in text(), timeout=30_000)
        qtbot.waitUntil(lambda: _status_line(app) == "Live", timeout=15_000)
        qtbot.wait(1000)
        watch.look()
        _stop(qtbot, app)
    finally:
        watch.stop()
        cloud.kill()
    seen, table = watch.seen, watch.table()
    transcript = app.window.transcript.plain_text()
    print(f"\n{table}\n{transcript}")

    # Item 6: in Automatic nobody is told to do by hand what the app does by itself; the
    # status line stays one line and says what happens, not why (the notice says that).
    assert not [s for s in seen if "Engine menu" in s.notice], table
    assert all(s.status_rows == 1 for s in seen), table
    assert not [s for s in seen if s.notice and s.status_line in s.notice], table
    # Item 6: the audio handed over was captioned: no "not captioned" row, and the words at
    # the switch are captioned once.
    assert "not captioned" not in transcript, transcript
    rows = transcript.splitlines()
    switch = next(i for i, row in enumerate(rows) if "continue on this computer" in row)
    before, after = _words(rows[switch - 1]), _words(rows[switch + 1])
    assert not [k for k in (1, 2, 3) if before[-k:] == after[:k]], (before, after)
    # Item 3: the news of the cloud's absence lasts exactly while this computer stands in.
    absent = [s for s in seen if "did not come back" in s.notice]
    assert absent, table
    assert all(s.badge and "on this computer" in s.status_line.lower() for s in absent), table
    # ...and once this computer has taken over, nothing says it will if the cloud stays away.
    assert not [s for s in seen if s.badge and "by themselves" in s.notice], table
    back = next(
        i for i, s in enumerate(seen) if s.status_line == "Live" and i > seen.index(absent[0])
    )
    assert not [s for s in seen[back:] if s.notice or s.badge], table
    # Item 5: "Sending audio to the cloud" only while captions are live on the cloud.
    assert not [s for s in seen if "Sending audio" in s.light and s.status_line != "Live"], table
    lost = [s for s in seen if "was lost" in s.notice or "Cannot reach" in s.notice]
    assert not [s for s in lost if "Sending audio" in s.light], table
    # Items 5 and 6: on the way back to the cloud nothing says the speech model is starting,
    # and the light never says audio stays here beside "Connecting to" the cloud.
    local_live = next(i for i, s in enumerate(seen) if "Live on this computer" in s.status_line)
    assert not [s for s in seen[local_live:] if "Starting the speech model" in s.status_line]
    assert not [
        s for s in seen if "Connecting to" in s.status_line and "stays on this computer" in s.light
    ], table


def test_item_4_and_8_a_rejected_key_until_a_good_one_and_the_dialog_ready_for_it(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    private_home(tmp_path, monkeypatch, WRONG_KEY)
    source = str(AUDIO_DIR / CLIP)
    app = _app(tmp_path, "--api-host", server.url, "--engine", "assemblyai", "--source", source)
    apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: isinstance(app.dialog("key"), KeyDialog), timeout=10_000)
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    qtbot.waitExposed(dialog)
    notice = _notice(app)
    assert "rejected" in notice and "ASSEMBLYAI_API_KEY" in notice, notice
    assert not notice.endswith("….")
    assert dialog.key_edit.isVisible()  # ready for the new key, no Replace… first
    said = dialog.status_label.text()
    assert said.count("rejected") == 1 and "ASSEMBLYAI_API_KEY" in said, said
    # Item 16: the title is short enough for the window manager to show it whole.
    title_width = dialog.fontMetrics().horizontalAdvance(dialog.windowTitle())
    assert "…" not in dialog.windowTitle() and title_width < dialog.width() - 120
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)
    # Item 8: the start that failed is no session: History lists none.
    app.open_history()
    history = app.dialog("history")
    assert history is not None
    qtbot.waitExposed(history)
    assert history.model.rowCount() == 0  # type: ignore[attr-defined]
    history.close()
    dialog.key_edit.setText(TEST_API_KEY)
    dialog.session_button.click()  # checked against the server, used for the session
    qtbot.waitUntil(lambda: "rejected" not in _notice(app), timeout=15_000)
    qtbot.waitUntil(lambda: _status_line(app) == "Live", timeout=15_000)
    assert "rejected" not in _notice(app)
    _stop(qtbot, app)
    # Later local sessions say nothing of the key either.
    here = next(
        a for a in app.window.engine_menu.actions() if a.text().startswith("On this computer")
    )
    here.trigger()  # Engine → On this computer
    assert "rejected" not in _notice(app)


@pytest.mark.timeout(180)
def test_item_8_in_automatic_captions_go_on_here_while_the_person_decides(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    private_home(tmp_path, monkeypatch, WRONG_KEY)
    recording = joined_clips(tmp_path)
    app = _app(tmp_path, "--api-host", server.url, "--source", str(recording.path))
    apps.append(app)
    app.start()
    # The speech is captioned on this computer while the person decides; the notice offers
    # the key (third walk C1: a dialog opening by itself covered the captions mid-meeting).
    qtbot.waitUntil(lambda: "dashwood" in _overlay_text(app).lower(), timeout=60_000)
    assert app.dialog("key") is None
    assert app.window.notices.action_button.text() == "Enter key…"
    assert _status_line(app).startswith("Live on this computer")
    assert "Audio stays on this computer" in _light(app)
    notice = _notice(app)
    assert "rejected" in notice and "Captions run on this computer" in notice, notice
    _stop(qtbot, app)


def test_item_5_the_light_never_says_sending_beside_cannot_reach(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """The cloud alone (engine = assemblyai): live, then its server is killed; every retry is
    refused. The light says "Sending" only while captions are live."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    recording = joined_clips(tmp_path)
    cloud = ServerProcess(free_port(), cloud_script(tmp_path)[0])
    cloud.start()
    source = str(recording.path)
    app = _app(tmp_path, "--api-host", cloud.url, "--engine", "assemblyai", "--source", source)
    apps.append(app)
    watch = Watch(app)
    try:
        app.start()
        qtbot.waitUntil(lambda: "Sending audio" in _light(app), timeout=15_000)
        qtbot.wait(1000)
        cloud.kill()
        qtbot.waitUntil(lambda: "Cannot reach" in _notice(app), timeout=15_000)
        qtbot.wait(4000)  # retries come and go meanwhile
        _stop(qtbot, app)
    finally:
        watch.stop()
        cloud.kill()
    seen, table = watch.seen, watch.table()
    trouble = ("Cannot reach", "was lost")
    assert not [
        s for s in seen if "Sending audio" in s.light and any(t in s.notice for t in trouble)
    ]
    assert not [s for s in seen if "Sending audio" in s.light and s.status_line != "Live"], table


@pytest.mark.timeout(180)
def test_item_5_while_the_local_model_loads_it_is_not_live(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, None)
    recording = joined_clips(tmp_path)  # long enough to outlast the model's loading
    app = _app(tmp_path, "--engine", "local", "--source", str(recording.path))
    apps.append(app)
    watch = Watch(app)
    try:
        app.start()
        qtbot.waitUntil(lambda: _status_line(app).startswith("Live"), timeout=90_000)
        qtbot.waitUntil(lambda: "dashwood" in _overlay_text(app).lower(), timeout=30_000)
        _stop(qtbot, app)
    finally:
        watch.stop()
    table = watch.table()
    assert not [s for s in watch.seen if s.status_line.startswith("Live") and "Not" in s.light]
    loading = [s for s in watch.seen if "Starting the speech model" in s.status_line]
    assert loading and all("stays on this computer" in s.light for s in loading), table


def test_item_7_the_overlay_says_captions_stopped_and_the_recording_ended(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    server.config.script = load_clip(SHORT).script(turns=1)
    source = str(AUDIO_DIR / SHORT)
    app = _app(tmp_path, "--api-host", server.url, "--engine", "assemblyai", "--source", source)
    apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)
    assert "End of the recording" in _overlay_text(app)
    app.start()
    qtbot.waitUntil(lambda: _status_line(app) == "Live", timeout=10_000)
    _stop(qtbot, app)
    assert "Captions stopped" in _overlay_text(app)


# --- the overlay in the way -----------------------------------------------------------------


def _click(widget: QWidget, at: QPoint | None = None) -> None:
    """A real click (xdotool) on ``widget`` (its middle, or ``at``), wherever it is."""
    where = widget.mapToGlobal(at if at is not None else widget.rect().center())
    subprocess.run(
        ["xdotool", "mousemove", str(where.x()), str(where.y()), "click", "1"], check=True
    )


def test_item_9_dialogs_open_where_the_overlay_is_not_and_take_their_clicks(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    # The overlay across the middle of the screen, where the dialogs open by default.
    app.overlay.setGeometry(
        QRect(screen.center().x() - 400, screen.center().y() - 60, 800, app.overlay.height())
    )
    app.window.move(screen.center().x() - app.window.width() // 2, screen.center().y() - 200)
    qtbot.wait(300)
    home = app.overlay.geometry()

    app.open_settings()
    settings = app.dialog("settings")
    assert isinstance(settings, SettingsDialog)
    qtbot.waitExposed(settings)
    settings.tabs.setCurrentWidget(settings.turns_page)
    qtbot.wait(300)
    assert not settings.frameGeometry().intersects(app.overlay.frameGeometry())
    labels = settings.turns_page.speakers_check
    was = labels.isChecked()
    _click(labels, QPoint(8, labels.height() // 2))  # the box of Settings' "Label speakers"
    qtbot.waitUntil(lambda: labels.isChecked() != was, timeout=2_000)
    settings.close()
    qtbot.wait(200)

    app.open_key_dialog()
    key = app.dialog("key")
    assert isinstance(key, KeyDialog)
    qtbot.waitExposed(key)
    qtbot.wait(300)
    assert not key.frameGeometry().intersects(app.overlay.frameGeometry())
    _click(key.close_button)
    qtbot.waitUntil(lambda: not key.isVisible(), timeout=2_000)
    qtbot.wait(200)
    assert app.overlay.geometry() == home  # where the person put it


def test_dialogs_open_clear_of_the_overlay_with_the_main_window_near_the_top(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Seventh walk Y1: the overlay moved to the upper middle of the screen and the main
    window dragged up to the top; Settings, the key dialog and History opened centred on the
    main window, under the overlay, whose clicks they then lost."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    app.overlay.setGeometry(QRect(320, 249, 960, app.overlay.height()))
    qtbot.wait(300)
    # Moved up with the keyboard (View → Move overlay with the keyboard), as the walk did.
    app.overlay.start_keyboard_moving()
    qtbot.waitUntil(app.overlay.hasFocus, timeout=5_000)
    subprocess.run(["xdotool", "key", "shift+Up", "Escape"], check=True)
    qtbot.waitUntil(lambda: not app.overlay.keyboard_moving(), timeout=5_000)
    qtbot.wait(300)
    # Dragged there by the person: the window manager moves it, not the app.
    window_id = str(int(app.window.winId()))
    subprocess.run(["xdotool", "windowmove", window_id, "407", "60"], check=True)
    qtbot.waitUntil(lambda: app.window.geometry().top() < 100, timeout=5_000)
    qtbot.wait(500)
    for name, open_it in (
        ("settings", app.open_settings),
        ("key", app.open_key_dialog),
        ("history", app.open_history),
    ):
        open_it()
        dialog = app.dialog(name)
        assert dialog is not None
        qtbot.waitExposed(dialog)
        qtbot.wait(100)
        # The window manager places it after the app did (openbox on a busy machine: centred
        # on the main window, across the overlay).
        under = app.overlay.geometry().top() + 10
        window_id = str(int(dialog.winId()))
        subprocess.run(["xdotool", "windowmove", window_id, "450", str(under)], check=True)
        qtbot.wait(800)
        placed, overlay = dialog.frameGeometry(), app.overlay.frameGeometry()
        assert not placed.intersects(overlay), (name, placed, overlay, screen)
        dialog.close()
        qtbot.wait(300)


def _click_reaches_below(qtbot: QtBot, app: CaptionApp) -> bool:
    below = QPushButton("below")
    qtbot.addWidget(below)
    below.setGeometry(app.overlay.geometry().adjusted(-50, -50, 50, 50))
    below.show()
    qtbot.waitExposed(below)
    app.overlay.raise_()
    qtbot.wait(300)
    clicked: list[bool] = []
    below.clicked.connect(lambda: clicked.append(True))
    _click(app.overlay)
    qtbot.wait(500)
    below.close()
    return bool(clicked)


def test_item_10_a_locked_overlay_lets_clicks_through_under_openbox(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    app.window.lock_action.trigger()  # View → Lock overlay
    qtbot.wait(500)
    assert app.window.lock_action.isChecked()
    assert _click_reaches_below(qtbot, app)
    app.window.lock_action.trigger()
    qtbot.wait(500)
    assert not _click_reaches_below(qtbot, app)  # unlocked, it takes its clicks again


def test_item_11_the_overlay_never_cuts_its_words(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    overlay = app.overlay
    qtbot.waitExposed(overlay)
    # What it says where there is room for all of it, then at its narrowest: every word drawn
    # narrow is one of those words, whole (an ellipsis may say that more follows).
    overlay.resize(1200, overlay.height())
    qtbot.wait(50)
    whole = {w for line in overlay.rendered_lines() for w in line.split()} | {"…"}
    overlay.resize(overlay.minimumWidth(), overlay.height())
    qtbot.wait(50)
    painter = overlay._painter  # what the overlay measures its words with
    room = painter.text_width(overlay.width())

    def fits(lines: list[str]) -> bool:
        """Every line is drawn whole within the box (none clipped at its edge)."""
        return all(painter.advance(line) <= room for line in lines)

    lines = overlay.rendered_lines()
    assert lines and fits(lines), (lines, room)
    assert all(set(line.split()) <= whole for line in lines), (lines, whole)
    overlay.start_keyboard_moving()  # its help for moving by keyboard, at the same width
    qtbot.wait(100)
    from caption_app.ui.overlay.keys import HELP

    help_words = set(HELP.split()) | {"…"}
    shown = overlay.rendered_lines()
    assert shown and fits(shown), (shown, room)
    assert all(set(line.split()) <= help_words for line in shown), shown
    overlay._stop_keyboard_moving(give_back=False)


def test_on_a_small_screen_the_main_window_opens_clear_of_the_overlay(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """On a laptop's screen (1280x800) the overlay's first place covered the bottom of the
    main window, where Start, the status line and the light are."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    app = CaptionApp(build_parser().parse_args([]), settings)
    apps.append(app)
    area = QGuiApplication.primaryScreen().availableGeometry()
    # Where the overlay would sit on a 800-pixel-high screen: across the main window's foot.
    foot = area.center().y() + app.window.height() // 2 - 60
    app.overlay.setGeometry(QRect(area.center().x() - 400, foot, 800, app.overlay.height()))
    app.show()
    qtbot.waitExposed(app.window)
    qtbot.wait(500)  # placed by the window manager, then by the app
    window, overlay = app.window.frameGeometry(), app.overlay.frameGeometry()
    assert not window.intersects(overlay), (window, overlay)
    assert area.contains(window), (window, area)


def test_docked_at_the_top_dialogs_open_over_the_main_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Walks 3 and 4 (B2): docked at the top, Export, History, Settings, Help and the key
    dialog opened at the screen's left edge (x = 2), far from the main window."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    window = _docked_at_the_top(qtbot, app)
    for name, open_it in (("settings", app.open_settings), ("key", app.open_key_dialog)):
        open_it()
        dialog = app.dialog(name)
        _opened_over_the_main_window(qtbot, app, dialog, window)
        assert dialog is not None
        dialog.close()
        qtbot.wait(200)


def test_docked_at_the_top_the_key_dialog_that_opens_itself_opens_over_the_main_window(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    """Fifth walk W10: with AssemblyAI only and the key rejected at Start, the key dialog that
    opens by itself opened at the screen's top-left corner, over the menu bar."""
    private_home(tmp_path, monkeypatch, WRONG_KEY)
    source = str(AUDIO_DIR / CLIP)
    app = _app(tmp_path, "--api-host", server.url, "--engine", "assemblyai", "--source", source)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    window = _docked_at_the_top(qtbot, app)
    app.start()
    qtbot.waitUntil(lambda: isinstance(app.dialog("key"), KeyDialog), timeout=10_000)
    _opened_over_the_main_window(qtbot, app, app.dialog("key"), window)


def _its_menus_take_clicks(qtbot: QtBot, app: CaptionApp) -> None:
    """A real click on the main window's first menu opens it (nothing lies over it)."""
    menu = app.window.menuBar()
    _click(menu, QPoint(menu.actionGeometry(menu.actions()[0]).center()))
    qtbot.waitUntil(lambda: menu.activeAction() is not None, timeout=3_000)
    subprocess.run(["xdotool", "key", "Escape"], check=True)


def test_docked_at_the_top_it_leaves_the_main_window_s_menus_clear(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Seventh walk Y2: on a small screen the main window sat near the top; docked at the top,
    the bar covered its title and menu bar (openbox leaves an open window under a new
    reserved edge), and clicks on Session or Engine did nothing."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    # Near the top, and too tall to fit below the bar (a small screen): the window manager
    # cannot move it out of the reserved edge whole, so leaves it.
    screen = QGuiApplication.primaryScreen().availableGeometry()
    app.window.resize(app.window.width(), screen.height() - 120)
    app.window.move(200, 30)
    qtbot.waitUntil(lambda: app.window.frameGeometry().top() < 60, timeout=5_000)
    _docked_at_the_top(qtbot, app)
    bar = app.overlay.frameGeometry()
    qtbot.waitUntil(lambda: not app.window.frameGeometry().intersects(bar), timeout=5_000)
    # Just below the bar (the window manager may keep the frame a little lower still), and
    # whole on the screen.
    frame = app.window.frameGeometry()
    assert frame.top() <= bar.bottom() + 40, frame
    assert frame.bottom() <= QGuiApplication.primaryScreen().geometry().bottom(), frame
    _its_menus_take_clicks(qtbot, app)


def test_back_to_floating_it_does_not_cover_the_main_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Eighth walk Z1: docked at the top (the main window moved below the bar), then back to
    floating: the overlay returned to where it floated, which was now over the main window's
    menus and toolbar, and their clicks were lost."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    qtbot.wait(800)  # the main window's first place is settled
    app.overlay.setGeometry(QRect(220, 209, 960, app.overlay.height()))
    app.window.move(409, 40)  # the person put them so, the window's foot under the overlay
    qtbot.wait(500)
    floated_at = app.overlay.geometry()
    _docked_at_the_top(qtbot, app)
    _dock(app, "floating")
    screen = QGuiApplication.primaryScreen()
    qtbot.waitUntil(lambda: screen.availableGeometry() == screen.geometry(), timeout=5_000)
    qtbot.waitUntil(lambda: app.overlay.geometry() == floated_at, timeout=5_000)
    qtbot.waitUntil(
        lambda: not app.window.frameGeometry().intersects(app.overlay.frameGeometry()),
        timeout=5_000,
    )
    _its_menus_take_clicks(qtbot, app)


def test_relaunched_docked_at_the_top_it_sits_at_the_top(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Fifth walk W1: relaunched with "Docked at the top" saved, the overlay floated at the
    bottom while reserving the top 920 px of the screen (maximised windows squeezed below)."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    _dock(app, "top")
    app.shutdown()
    app.window.close()
    app.overlay.close()
    apps.remove(app)
    screen = QGuiApplication.primaryScreen()
    qtbot.waitUntil(lambda: screen.availableGeometry() == screen.geometry(), timeout=5_000)
    again = _app(tmp_path)  # the same settings file: docked at the top
    apps.append(again)
    qtbot.waitExposed(again.overlay)
    whole = screen.geometry()
    qtbot.waitUntil(lambda: screen.availableGeometry().top() > 0, timeout=5_000)
    overlay = again.overlay.geometry()
    assert overlay.top() == whole.top() and overlay.width() == whole.width(), overlay
    assert screen.availableGeometry().top() == overlay.bottom() + 1, screen.availableGeometry()


def test_docked_from_settings_while_it_made_way_for_them_it_docks_and_floats_back_home(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Sixth walk X1 and B1: the overlay mid-screen, where Settings opens, makes way for it;
    "Docked at the top" and OK then put it back where it floated (over the main window) while
    the top edge stayed reserved, and "Floating" later left it at the edge it had waited at."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    screen = QGuiApplication.primaryScreen()
    whole = screen.geometry()
    home = QRect(app.overlay.geometry())
    home.moveCenter(whole.center())
    app.overlay.move(home.topLeft())
    qtbot.wait(300)
    home = app.overlay.geometry()
    _dock(app, "top")
    qtbot.waitUntil(lambda: screen.availableGeometry().top() > 0, timeout=5_000)
    qtbot.wait(300)
    overlay = app.overlay.geometry()
    assert overlay.top() == whole.top() and overlay.width() == whole.width(), overlay
    assert screen.availableGeometry().top() == overlay.bottom() + 1
    _dock(app, "floating")
    qtbot.waitUntil(lambda: screen.availableGeometry() == whole, timeout=5_000)
    qtbot.wait(300)
    assert app.overlay.geometry().topLeft() == home.topLeft(), (app.overlay.geometry(), home)


def test_docked_it_stays_at_its_edge_when_its_lines_change(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """A review of the X1 fix: docked at the top, 4 lines instead of 2 in Settings put the
    overlay 94 px above the screen (it grew upwards as a floating one does) and left the old
    height reserved; at the bottom the same for fewer lines."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    screen = QGuiApplication.primaryScreen()
    whole = screen.geometry()
    for edge, lines in (("top", 4), ("top", 1), ("bottom", 5), ("bottom", 2)):
        _dock(app, edge)
        app.open_settings()
        settings = app.dialog("settings")
        assert isinstance(settings, SettingsDialog)
        qtbot.waitExposed(settings)
        qtbot.wait(200)
        settings.overlay_page.lines_spin.setValue(lines)
        settings.ok_button.click()
        overlay = app.overlay.geometry()

        def reserved(edge: str = edge, overlay: QRect = overlay) -> bool:
            free = screen.availableGeometry()
            if edge == "top":
                return free.top() == overlay.bottom() + 1
            return free.bottom() == overlay.top() - 1

        qtbot.waitUntil(reserved, timeout=5_000)
        assert overlay.width() == whole.width(), (edge, lines, overlay)
        if edge == "top":
            assert overlay.top() == whole.top(), (edge, lines, overlay)
        else:
            assert overlay.bottom() == whole.bottom(), (edge, lines, overlay)
        assert overlay.height() == app.overlay.height()


def test_item_12_docked_at_the_bottom_it_reserves_the_edge(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    screen = QGuiApplication.primaryScreen()
    whole = screen.geometry()
    # Where the person put it, low on the screen (the third walk: after docking it came back
    # 100 px higher, over the main window's transcript).
    app.overlay.move(app.overlay.x() + 40, whole.bottom() - app.overlay.height() - 40)
    qtbot.wait(300)
    floated_at = app.overlay.geometry()
    _dock(app, "bottom")  # Settings → Overlay → Position: docked at the bottom
    qtbot.waitUntil(lambda: screen.availableGeometry().height() < whole.height(), timeout=5_000)
    overlay = app.overlay.geometry()
    assert overlay.width() == whole.width() and overlay.bottom() == whole.bottom()
    # A maximised window stops above it: openbox honours the reserved edge.
    other = QWidget()
    qtbot.addWidget(other)
    other.showMaximized()
    qtbot.waitExposed(other)
    qtbot.waitUntil(lambda: other.frameGeometry().height() > whole.height() // 2, timeout=5_000)
    assert other.frameGeometry().bottom() < overlay.top(), (other.frameGeometry(), overlay)
    other.close()
    _dock(app, "floating")
    qtbot.waitUntil(lambda: screen.availableGeometry() == whole, timeout=5_000)
    qtbot.wait(200)  # what the window manager makes of it
    assert app.overlay.geometry() == floated_at, (app.overlay.geometry(), floated_at)


# --- other rough edges ----------------------------------------------------------------------


def test_item_13_a_file_does_not_widen_the_window(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    source = str(AUDIO_DIR / CLIP)
    app = _app(tmp_path, "--api-host", server.url, "--engine", "assemblyai", "--source", source)
    apps.append(app)
    qtbot.waitExposed(app.window)
    width = app.window.width()
    app.start()
    qtbot.waitUntil(app.window.status_panel.progress_label.isVisible, timeout=10_000)
    qtbot.waitUntil(lambda: _status_line(app) == "Live", timeout=10_000)
    qtbot.wait(1500)  # the position ticks meanwhile
    assert app.window.width() == width
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert app.window.frameGeometry().right() <= screen.right()
    _stop(qtbot, app)


@pytest.fixture
def tray() -> Iterator[None]:
    """A real system tray (trayer, an XEmbed tray as on LXDE/LXQt panels) at the top right."""
    host = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    yield
    host.terminate()
    host.wait(5)


def test_item_14_a_click_on_the_tray_icon_brings_the_window_back(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    tray: None,
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    assert app.tray is not None
    qtbot.waitUntil(lambda: app.tray is not None and app.tray.geometry().width() > 0)
    app.window.hide()
    qtbot.wait(300)
    centre = app.tray.geometry().center()
    subprocess.run(
        ["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"], check=True
    )
    qtbot.waitUntil(app.window.isVisible, timeout=3_000)
    menu = app.tray.contextMenu()
    assert menu is not None
    first = menu.actions()[0]
    assert "window" in first.text().lower()  # the menu's first item does the same
    app.window.hide()
    first.trigger()
    qtbot.waitUntil(app.window.isVisible, timeout=3_000)


def test_item_15_settings_preview_and_speakers_tell_the_truth(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    app.open_settings()
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitExposed(dialog)
    page = dialog.overlay_page
    dialog.turns_page.speakers_check.setChecked(False)
    dialog.tabs.setCurrentWidget(page)
    qtbot.wait(50)
    # Third walk C6: greyed out and still ticked, it read as "labels shown".
    assert not page.speakers_check.isChecked() and not page.speakers_check.isEnabled()
    assert "Label speakers" in page.speakers_check.text()
    text = " ".join(run.text for line in page.preview.sample_lines() for run in line)
    assert "A:" not in text
    page.finished_check.setChecked(True)
    assert not any(run.dim for line in page.preview.sample_lines() for run in line)
    size, ok_at = dialog.size(), dialog.ok_button.mapToGlobal(dialog.ok_button.rect().topLeft())
    page.size_spin.setValue(36)
    qtbot.wait(100)
    assert dialog.size() == size
    assert dialog.ok_button.mapToGlobal(dialog.ok_button.rect().topLeft()) == ok_at


@pytest.mark.qt_log_ignore("Unable to detect")  # no launcher, no browser: the point of it
def test_item_16_links_give_feedback(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    monkeypatch.setenv("PATH", str(tmp_path))  # no xdg-open, no browser: nothing can open it
    app = _app(tmp_path)
    apps.append(app)
    from caption_app.ui.help.about import AboutDialog

    about = AboutDialog(app.window)
    qtbot.addWidget(about)
    about.show()
    qtbot.waitExposed(about)
    before = about.grab().toImage()
    about.text.linkActivated.emit("privacy")  # the privacy note's link, as a click sends it
    qtbot.wait(100)
    assert about.grab().toImage() != before  # something a person can see happened
    shown = " ".join(w.text() for w in about.findChildren(QWidget) if hasattr(w, "text"))
    shown += " ".join(
        w.toPlainText() for w in about.findChildren(QWidget) if hasattr(w, "toPlainText")
    )
    assert "audio" in shown.lower()
    app.open_key_dialog()
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    assert "<a href=" in dialog.intro.text()  # the dashboard is a link, not wrapped text
    dialog.intro.linkActivated.emit("https://www.assemblyai.com/dashboard")
    assert "https://www.assemblyai.com/dashboard" in dialog.status_label.text()


def test_item_17_no_cost_for_local_no_taskbar_entry_a_full_shortcuts_table(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, None)
    app = _app(tmp_path, "--engine", "local")
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    assert "$" not in app.window.status_panel.time_label.text()
    qtbot.wait(300)
    state = subprocess.run(
        ["xprop", "-id", str(int(app.overlay.winId())), "_NET_WM_STATE"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "_NET_WM_STATE_SKIP_TASKBAR" in state
    from caption_app.ui.help.guide import HelpDialog

    help_dialog = HelpDialog({"start_stop": "Ctrl+Shift+S"}, app.window)
    qtbot.addWidget(help_dialog)
    help_dialog.show()
    help_dialog.tabs.setCurrentIndex(1)
    qtbot.waitExposed(help_dialog.table)
    table = help_dialog.table
    used = sum(table.columnWidth(i) for i in range(table.columnCount()))
    assert used >= table.viewport().width() - 2


def test_relaunched_the_main_window_is_where_it_was_left(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Seventh walk Y17: the main window came back where the window manager put a new one,
    or a title bar lower (421,267 → 421,280), not where the person left it."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.window)
    qtbot.wait(500)
    window_id = str(int(app.window.winId()))
    subprocess.run(["xdotool", "windowmove", window_id, "421", "267"], check=True)
    qtbot.waitUntil(lambda: app.window.geometry().topLeft() != QPoint(0, 0), timeout=5_000)
    qtbot.wait(500)
    left = app.window.frameGeometry()
    app.shutdown()
    app.window.close()
    app.overlay.close()
    apps.remove(app)
    again = _app(tmp_path)  # the same settings file
    apps.append(again)
    qtbot.waitExposed(again.window)
    qtbot.wait(800)  # placed by the window manager, as it does
    assert again.window.frameGeometry() == left, (again.window.frameGeometry(), left)


def test_a_tray_started_after_the_app_gets_its_icon(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Seventh walk Y16: a tray started while the app ran stayed empty until a relaunch."""
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)  # no tray yet
    apps.append(app)
    qtbot.waitExposed(app.window)
    assert app.tray is not None
    host = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        qtbot.waitUntil(
            lambda: app.tray is not None and app.tray.geometry().width() > 0, timeout=10_000
        )
    finally:
        host.terminate()
        host.wait(5)


def test_docked_while_a_dialog_too_big_for_the_screen_is_open_it_docks_at_once(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Seventh walk Y13 (eighth: Z8): on a 1280x800 screen, Settings is too tall to leave the
    overlay a place, so the overlay waited at the bottom edge; Apply of "Docked at the top"
    then showed nothing until OK. It docks at once, letting clicks through to the dialog."""
    from dataclasses import replace

    from PySide6.QtWidgets import QDialog

    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    qtbot.waitExposed(app.window)
    qtbot.wait(600)  # placed by the window manager, then by the app
    app.window.move(app.window.x(), 0)  # near the top, where the bar will dock
    qtbot.wait(300)
    whole = QGuiApplication.primaryScreen().geometry()
    tall = QDialog(app.window)
    tall.resize(700, whole.height() - 60)  # as Settings on a small screen: no place is free
    tall.show()
    qtbot.waitExposed(tall)
    qtbot.wait(300)
    assert app.overlay.width() < whole.width()  # waiting aside, floating-shaped
    app.overlay.set_style(replace(app.overlay.style_in_use(), dock="top"))  # Apply
    qtbot.wait(300)
    docked = app.overlay.geometry()
    assert docked.top() == whole.top() and docked.width() == whole.width(), docked
    qtbot.wait(1000)  # the person reads Settings a while, then OK
    tall.close()  # at home, docked at the top; the main window out of its edge
    qtbot.wait(500)
    assert app.overlay.geometry().top() == whole.top()
    assert app.overlay.width() == whole.width()
    bar, window = app.overlay.frameGeometry(), app.window.frameGeometry()
    assert not window.intersects(bar), (window, bar)
