"""Issue 24's walk, item by item, in real windows under Xvfb with openbox (the window manager of
LXQt) managing them: what the window says is true at every moment, and the overlay never gets in
the person's way. Each test is named after its item."""

from __future__ import annotations

import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import EngineInUse, Holds, Notice, SessionState, StateChanged
from caption_app.core.secrets.credentials import session_memory_key
from caption_app.core.settings import OverlayStyle
from caption_app.ui.api_key.dialog import KeyDialog
from caption_app.ui.app import CaptionApp
from caption_app.ui.overlay.message import FINISHED, STOPPED
from caption_app.ui.settings.dialog import SettingsDialog
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.server import StreamingServer
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR

pytestmark = [pytest.mark.x11, pytest.mark.timeout(120)]
CLIP = "librivox-austen-0880.wav"
SHORT = "goforward.wav"
WRONG_KEY = "wrong-key-in-the-environment-0000"


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


@pytest.fixture
def apps() -> Iterator[list[CaptionApp]]:
    made: list[CaptionApp] = []
    yield made
    for app in made:
        app.shutdown()
        app.window.close()
        app.overlay.close()
        for name in ("key", "settings"):
            dialog = app.dialog(name)
            if dialog is not None:
                dialog.close()
    session_memory_key().clear()


def _shown(app: CaptionApp) -> list[str]:
    return [item.text for item in app.window.notices.showing()]


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
        qtbot.waitUntil(lambda: any("No sound from" in t for t in _shown(app)), timeout=20_000)
        assert app.window.notices.dismiss_button.text() == "Dismiss"  # no pile
        # Sound arrives: the question is answered at once, not at the next notice.
        qtbot.waitUntil(lambda: not any("No sound from" in t for t in _shown(app)), timeout=5_000)
        assert app.controller.running
        app.controller.stop()
        qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)


def test_item_2_the_first_launch_notice_goes_once_a_key_is_set_up(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, None)
    app = _app(tmp_path)
    apps.append(app)
    assert any("with no account" in t for t in _shown(app))
    session_memory_key().set(TEST_API_KEY)
    app._key_changed("memory")  # what the key dialog says once a key is saved
    assert not any("with no account" in t for t in _shown(app))
    later = _app(tmp_path)  # a later launch: said once only
    apps.append(later)
    assert not any("with no account" in t for t in _shown(later))


def test_item_3_the_cloud_is_back_so_its_absence_is_not_said(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    c = app.controller
    # A session in its real order: live on the cloud, lost, covered by this computer, back.
    c.start(lambda _listener: _Idle(), has_stand_in=True)  # type: ignore[arg-type, return-value]
    for event in (
        StateChanged(SessionState.LIVE, "Live"),
        EngineInUse("AssemblyAI Universal-Streaming", False, 0.15, False),
        Problem(ProblemKind.NETWORK, "The connection was lost.", Recovery.RECONNECT),
        StateChanged(SessionState.RECONNECTING, "Reconnecting in 0.5 s"),
        Notice(
            "AssemblyAI did not come back. Captions continue on this computer until the "
            "cloud answers again.",
            Holds.WHILE_COVERED,
        ),
        StateChanged(SessionState.CONNECTING, "Connecting…"),
        StateChanged(SessionState.LIVE, "Live on this computer: the cloud cannot be reached"),
        EngineInUse("Whisper tiny.en on this computer", True, 0.0, True),
    ):
        c._on_event(event)
    assert any("did not come back" in t for t in _shown(app))
    assert app.overlay.badge()
    c._on_event(StateChanged(SessionState.CONNECTING, "Connecting…"))
    c._on_event(StateChanged(SessionState.LIVE, "Live"))
    c._on_event(EngineInUse("AssemblyAI Universal-Streaming", False, 0.15, False))
    assert not any("did not come back" in t for t in _shown(app))
    assert app.window.status_panel.state_label.text() == "Live"
    assert not app.overlay.badge()
    c.stop()
    qtbot.waitUntil(lambda: not c.running, timeout=5_000)


class _Idle:
    """A session that reports nothing by itself (the test hands its events over)."""

    def __init__(self) -> None:
        import threading

        self._stop = threading.Event()

    def run(self) -> None:
        self._stop.wait(30)

    def request_stop(self) -> None:
        self._stop.set()


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
    notice = next(t for t in _shown(app) if "rejected" in t)
    assert "ASSEMBLYAI_API_KEY" in notice and not notice.endswith("….")
    assert dialog.key_edit.isVisible()  # ready for the new key, no Replace… first
    said = dialog.status_label.text()
    assert said.count("rejected") == 1 and "ASSEMBLYAI_API_KEY" in said
    assert "…" not in dialog.windowTitle() and len(dialog.windowTitle()) < 30
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)
    dialog.key_edit.setText(TEST_API_KEY)
    dialog.session_button.click()  # checked against the server, used for the session
    qtbot.waitUntil(lambda: not any("rejected" in t for t in _shown(app)), timeout=15_000)
    qtbot.waitUntil(lambda: app.controller.status.live, timeout=15_000)
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)


def test_item_5_the_light_never_says_sending_beside_cannot_reach(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    from tests.failover.harness import free_port

    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    host = f"ws://127.0.0.1:{free_port()}"  # refused: nothing listens there
    app = _app(
        tmp_path, "--api-host", host, "--engine", "assemblyai", "--source", str(AUDIO_DIR / CLIP)
    )
    apps.append(app)
    seen: list[tuple[str, str]] = []
    light = app.window.status_panel.sending_label

    def record(_status: object) -> None:
        seen.append((light.text(), " ".join(_shown(app))))

    app.controller.statusChanged.connect(record)
    app.start()
    qtbot.waitUntil(lambda: any("Cannot reach" in n for _l, n in seen), timeout=15_000)
    qtbot.wait(3000)  # retries come and go meanwhile
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)
    assert not [s for s in seen if "Sending audio" in s[0] and "Cannot reach" in s[1]], seen


def test_item_6_automatic_failover_gives_no_advice_to_do_it_by_hand(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    c = app.controller
    c.start(lambda _listener: _Idle(), has_stand_in=True)  # type: ignore[arg-type, return-value]
    c._on_event(StateChanged(SessionState.LIVE, "Live"))
    c._on_event(Problem(ProblemKind.NETWORK, "The connection was lost.", Recovery.RECONNECT))
    c._on_event(
        StateChanged(
            SessionState.UNREACHABLE,
            "Cannot reach streaming.assemblyai.com: the "
            "connection was refused. Trying again in 0.5 s.",
        )
    )
    notice = " ".join(_shown(app))
    assert "Engine menu" not in notice and "on this computer by themselves" in notice
    label = app.window.status_panel.state_label
    assert label.height() <= 2 * label.fontMetrics().height()  # one line, never three
    assert "refused" not in label.text()  # the notice says why; the status line, what
    c.stop()
    qtbot.waitUntil(lambda: not c.running, timeout=5_000)


def test_item_7_the_overlay_says_captions_stopped_and_the_recording_ended(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    server.config.script = load_clip(SHORT).script(turns=1)
    app = _app(
        tmp_path,
        "--api-host",
        server.url,
        "--engine",
        "assemblyai",
        "--source",
        str(AUDIO_DIR / SHORT),
    )
    apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)
    assert FINISHED in app.overlay.rendered_lines()
    app.start()
    qtbot.waitUntil(lambda: app.controller.status.live, timeout=10_000)
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)
    assert STOPPED in app.overlay.rendered_lines()


def _overlapping(a: QRect, b: QRect) -> bool:
    return a.intersects(b)


def test_item_9_dialogs_open_where_the_overlay_is_not(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    app.overlay.setGeometry(
        QRect(screen.center().x() - 400, screen.center().y() - 60, 800, app.overlay.height())
    )
    app.window.move(screen.center().x() - app.window.width() // 2, screen.center().y() - 200)
    qtbot.wait(200)
    for open_dialog, name in ((app.open_settings, "settings"), (app.open_key_dialog, "key")):
        open_dialog()
        dialog = app.dialog(name)
        assert dialog is not None
        qtbot.waitExposed(dialog)
        qtbot.wait(200)
        assert not _overlapping(dialog.frameGeometry(), app.overlay.frameGeometry()), name
        assert not app.overlay.lets_clicks_through()
        dialog.close()
        qtbot.wait(100)
        assert app.overlay.geometry().top() == screen.center().y() - 60  # back where it was


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
    centre = app.overlay.geometry().center()
    subprocess.run(
        ["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"], check=True
    )
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
    app.overlay.set_locked(True)
    qtbot.wait(500)
    assert _click_reaches_below(qtbot, app)
    app.overlay.set_locked(False)
    qtbot.wait(500)
    assert not _click_reaches_below(qtbot, app)  # unlocked, it takes its clicks again


def test_item_11_the_overlay_never_cuts_its_words(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    overlay = app.overlay
    overlay.resize(300, overlay.height())
    words = {"Captions", "appear", "here.", "Start:", "Ctrl+Shift+S", "…"}  # FIRST_HINT's
    lines = overlay.rendered_lines()
    assert lines and all(set(line.split()) <= words for line in lines), lines
    overlay.start_keyboard_moving()
    qtbot.wait(100)
    from caption_app.ui.overlay.keys import HELP

    help_words = set(HELP.split()) | {"…"}
    assert all(set(line.split()) <= help_words for line in overlay.rendered_lines())
    overlay._stop_keyboard_moving(give_back=False)


def test_item_12_docked_at_the_bottom_it_reserves_the_edge(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.overlay)
    screen = QGuiApplication.primaryScreen()
    whole = screen.geometry()
    app.overlay.set_style(OverlayStyle(dock="bottom"))
    qtbot.waitUntil(lambda: screen.availableGeometry().height() < whole.height(), timeout=5_000)
    overlay = app.overlay.geometry()
    assert overlay.width() == whole.width() and overlay.bottom() == whole.bottom()
    assert screen.availableGeometry().bottom() < overlay.top() + 1  # maximised windows stop above
    app.overlay.set_style(OverlayStyle(dock="floating"))
    qtbot.waitUntil(lambda: screen.availableGeometry() == whole, timeout=5_000)


def test_item_13_a_file_does_not_widen_the_window(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apps: list[CaptionApp],
    server: StreamingServer,
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(
        tmp_path,
        "--api-host",
        server.url,
        "--engine",
        "assemblyai",
        "--source",
        str(AUDIO_DIR / CLIP),
    )
    apps.append(app)
    qtbot.waitExposed(app.window)
    width = app.window.width()
    app.start()
    qtbot.waitUntil(app.window.status_panel.progress_label.isVisible, timeout=10_000)
    qtbot.waitUntil(lambda: app.controller.status.live, timeout=10_000)
    qtbot.wait(300)
    assert app.window.width() == width == 760
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)


def test_item_14_the_tray_brings_the_window_back(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    from caption_app.ui.main_window.tray import build_tray
    from caption_app.ui.resources import app_icon

    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    app.window.hide()
    app.window.show_window_action.trigger()
    qtbot.waitExposed(app.window)
    assert app.window.isVisible()
    tray = app.tray or build_tray(app_icon(), [], app.window, app.window.show_window_action)
    if tray is not None:  # no tray under a bare Xvfb: the action is what the tray would do
        menu = tray.contextMenu()
        assert menu is not None and menu.actions()[0] is app.window.show_window_action


def test_item_15_settings_preview_and_speakers_tell_the_truth(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    private_home(tmp_path, monkeypatch, TEST_API_KEY)
    app = _app(tmp_path)
    apps.append(app)
    dialog = SettingsDialog(app.settings, app.window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.overlay_page
    dialog.turns_page.speakers_check.setChecked(False)
    assert not page.speakers_check.isEnabled()
    dialog.tabs.setCurrentWidget(page)
    qtbot.wait(50)
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
    assert not about.open_document("privacy")
    assert about.document.isVisible() and "audio" in about.document.toPlainText().lower()
    app.open_key_dialog()
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    assert "<a href=" in dialog.intro.text()  # the dashboard is a link, not wrapped text
    dialog._open_link("https://www.assemblyai.com/dashboard")
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


def test_screenshots_of_the_walk(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apps: list[CaptionApp]
) -> None:
    """Kept for the person reviewing: the window and overlay as a newcomer first sees them."""
    private_home(tmp_path, monkeypatch, None)
    app = _app(tmp_path)
    apps.append(app)
    qtbot.waitExposed(app.window)
    qtbot.wait(300)
    shot = QApplication.primaryScreen().grabWindow(0)
    target = Path("/tmp/caption-app-walk")
    target.mkdir(exist_ok=True)
    assert shot.save(str(target / "first-launch.png"))
