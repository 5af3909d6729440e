"""The walk-through's findings where real windows matter (Xvfb): the key dialog's dead end and
its clipped error state, the Settings dialog's hidden tab and moving buttons, the status line
widening the window, and the overlay from the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.model.session import SessionState, StateChanged
from caption_app.core.settings import AppSettings
from caption_app.ui.api_key.dialog import KeyDialog
from caption_app.ui.app import CaptionApp
from caption_app.ui.overlay.keys import LARGE_STEP_PX, STEP_PX
from caption_app.ui.settings.dialog import SettingsDialog
from caption_app.ui.settings.overlay_page import SHORTER_SAMPLES
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.server import StreamingServer
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR
from tests.support.status import status_after

pytestmark = [pytest.mark.x11, pytest.mark.timeout(120)]
CLIP = "librivox-austen-0880.wav"
WRONG_KEY = "wrong-key-in-the-environment-0000"


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=1)
        yield server


@pytest.fixture
def app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, server: StreamingServer
) -> Iterator[CaptionApp]:
    private_home(tmp_path, monkeypatch, WRONG_KEY)
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    args = build_parser().parse_args(
        ["--api-host", server.url, "--engine", "assemblyai", "--source", str(AUDIO_DIR / CLIP)]
    )
    captions = CaptionApp(args, settings)
    captions.show()
    qtbot.waitExposed(captions.window)
    yield captions
    captions.shutdown()
    captions.window.close()
    captions.overlay.close()


def clipped_labels(root: QWidget) -> list[str]:
    """Visible labels smaller than their text needs (a wrapped one: its height for width)."""
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        hint = label.sizeHint()
        if label.wordWrap():
            need_h = label.heightForWidth(label.width())
            if label.height() < need_h:
                found.append(f"{label.text()[:50]!r}: height {label.height()} < {need_h}")
        elif label.width() < hint.width() or label.height() < hint.height():
            found.append(f"{label.text()[:50]!r}: {label.size()} < {hint}")
    return found


def overlapping_labels(root: QWidget) -> list[str]:
    labels = [lb for lb in root.findChildren(QLabel) if lb.isVisible() and lb.text()]

    def rect(label: QLabel) -> QRect:
        return QRect(label.mapTo(root, label.rect().topLeft()), label.size())

    return [
        f"{a.text()[:30]!r} / {b.text()[:30]!r}"
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if rect(a).intersects(rect(b)) and not (a.isAncestorOf(b) or b.isAncestorOf(a))
    ]


def test_1_10_a_wrong_environment_key_is_not_a_dead_end_and_use_anyway_starts(
    qtbot: QtBot, app: CaptionApp, server: StreamingServer
) -> None:
    app.start()
    server.wait_for_rejections(1, timeout=10)
    qtbot.waitUntil(lambda: isinstance(app.dialog("key"), KeyDialog), timeout=10_000)
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    qtbot.waitExposed(dialog)
    assert "ASSEMBLYAI_API_KEY in the environment" in dialog.in_use_label.text()
    assert WRONG_KEY not in dialog.in_use_label.text()  # masked
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)

    # The key check cannot get an answer in time: "Could not check the key".
    server.config.handshake_delay_seconds = 6.0
    dialog.key_edit.setText(TEST_API_KEY)
    dialog.session_button.click()
    qtbot.waitUntil(lambda: "Could not check" in dialog.status_label.text(), timeout=15_000)
    qtbot.wait(100)  # let the layout settle as a person would see it
    assert clipped_labels(dialog) == []
    assert overlapping_labels(dialog) == []
    assert dialog.save_anyway_button.isVisible()
    assert dialog.save_anyway_button.text() == "Use anyway"

    server.config.handshake_delay_seconds = 0.0
    states: list[SessionState] = []
    app.controller.stateChanged.connect(lambda state, _detail: states.append(state))
    dialog.save_anyway_button.click()
    qtbot.waitUntil(lambda: SessionState.LIVE in states, timeout=15_000)
    assert not dialog.isVisible()
    keys = [record.headers.get("authorization") for record in server.sessions()]
    assert keys[-1] == TEST_API_KEY  # the key just entered, not the environment's again
    assert [r.headers.get("authorization") for r in server.rejected_handshakes()] == [WRONG_KEY]
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=15_000)


def test_11_settings_shows_every_tab_at_one_size_and_a_whole_sample(
    qtbot: QtBot, app: CaptionApp
) -> None:
    dialog = SettingsDialog(AppSettings(), app.window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    bar = dialog.tabs.tabBar()
    assert not dialog.tabs.usesScrollButtons()
    for index in range(dialog.tabs.count()):
        assert bar.tabRect(index).right() <= bar.width(), dialog.tabs.tabText(index)
    size, ok_at = dialog.size(), dialog.ok_button.mapTo(dialog, dialog.ok_button.rect().topLeft())
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        assert dialog.size() == size, dialog.tabs.tabText(index)
    dialog.tabs.setCurrentIndex(0)
    dialog.engine_page.host_combo.setEditText("not a host [at all")  # a problem appears
    qtbot.waitUntil(lambda: not dialog.problem_label.isHidden())
    assert dialog.size() == size
    assert dialog.ok_button.mapTo(dialog, dialog.ok_button.rect().topLeft()) == ok_at
    assert clipped_labels(dialog) == []
    dialog.engine_page.host_combo.setEditText("streaming.assemblyai.com")
    dialog.tabs.setCurrentIndex(2)
    preview = dialog.overlay_page.preview
    qtbot.waitExposed(preview)
    shown = " ".join(" ".join(run.text for line in preview.sample_lines() for run in line).split())
    wholes = [" ".join(filter(None, (s.solid, s.dim))) for s in SHORTER_SAMPLES]
    assert shown in wholes + [f"A: {whole}" for whole in wholes], shown


def test_12_a_longer_status_does_not_widen_the_window(qtbot: QtBot, app: CaptionApp) -> None:
    window = app.window
    width = window.width()
    long = "Reconnecting in 8.0 s: the captioning service could not be reached from this network"
    window.controller.statusChanged.emit(
        status_after(StateChanged(SessionState.RECONNECTING, long))
    )
    qtbot.wait(50)
    assert window.width() == width
    assert clipped_labels(window.status_panel) == []


def test_18_the_overlay_moves_and_resizes_from_the_keyboard(qtbot: QtBot, app: CaptionApp) -> None:
    overlay = app.overlay
    qtbot.waitExposed(overlay)
    overlay.move(200, 300)
    overlay.set_locked(True)  # click-through, as during a meeting
    qtbot.wait(50)
    done: list[bool] = []
    overlay.keyboardDone.connect(lambda: done.append(True))
    app.window.move_overlay_action.trigger()
    qtbot.waitUntil(overlay.hasFocus, timeout=5_000)
    start = overlay.geometry()
    QTest.keyClick(overlay, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: overlay.x() == start.x() + STEP_PX)
    QTest.keyClick(overlay, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: overlay.y() == start.y() - LARGE_STEP_PX)
    QTest.keyClick(overlay, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: overlay.width() == start.width() - STEP_PX)
    assert any("Arrows move" in line for line in overlay.rendered_lines())
    QTest.keyClick(overlay, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not overlay.keyboard_moving())
    assert overlay.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert not any("Arrows move" in line for line in overlay.rendered_lines())
    assert overlay.is_locked()  # locked again, as it was
    assert done == [True]  # Esc gives the keyboard back to Caption App
    # Moving by keyboard, then clicking elsewhere: the mode ends and nothing is pulled forward.
    app.window.move_overlay_action.trigger()
    qtbot.waitUntil(overlay.hasFocus, timeout=5_000)
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not overlay.keyboard_moving(), timeout=5_000)
    assert done == [True] and overlay.is_locked()
