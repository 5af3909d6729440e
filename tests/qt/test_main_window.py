"""The main window: input menu, status, accessibility, keyboard reach, self-test start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from caption_app.core.audio.devices import MIXED_LABEL, InputDevice
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import AudioLevel, EngineInUse, SessionState, StateChanged
from caption_app.qt.session_controller import SessionController
from caption_app.ui.main_window.status_panel import estimated_cost_usd, format_elapsed
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.main_window.window_words import KeyFacts
from tests.support.status import status_after

MIC = InputDevice("Built-in Microphone", "PulseAudio", 48_000, 2, is_default=True, key="mic")
MONITOR = InputDevice("Speakers", "PulseAudio", 48_000, 2, is_monitor=True, key="spk.monitor")


def _window(qtbot: QtBot, devices: list[InputDevice]) -> MainWindow:
    window = MainWindow(SessionController(), lambda: list(devices), price_per_hour=0.15)
    qtbot.addWidget(window)
    window.show()
    return window


def test_input_menu_lists_devices_system_audio_and_a_file(qtbot: QtBot) -> None:
    devices = [MIC, MONITOR]
    window = _window(qtbot, devices)
    texts = [a.text() for a in window.input_menu.actions() if a.text()]
    assert texts[:2] == ["Built-in Microphone (default)", "System audio — Speakers"]
    assert "Caption a &media file…" in texts and "&Refresh devices" in texts
    with qtbot.waitSignal(window.deviceChosen) as chosen:
        next(a for a in window.input_menu.actions() if "Speakers" in a.text()).trigger()
    assert chosen.args == [MONITOR.device_id]
    checked = [a.text() for a in window.input_menu.actions() if a.isChecked()]
    assert checked == ["System audio — Speakers"]
    devices.remove(MONITOR)  # unplugged: Refresh re-enumerates
    window.input_menu.refresh()
    assert "System audio — Speakers" not in [a.text() for a in window.input_menu.actions()]


def test_microphone_and_system_audio_together_pairs_the_microphone_in_use(
    qtbot: QtBot,
) -> None:
    webcam = InputDevice("Webcam", "PulseAudio", 48_000, 1, key="cam")
    devices = [MIC, webcam, MONITOR]
    window = _window(qtbot, devices)
    menu = window.input_menu

    def mixed_action() -> QAction:
        return next(a for a in menu.actions() if a.text().startswith(MIXED_LABEL))

    next(a for a in menu.actions() if a.text() == "Webcam").trigger()
    with qtbot.waitSignal(window.deviceChosen) as chosen:
        mixed_action().trigger()
    assert chosen.args == [f"mixed:{webcam.device_id}|"]  # system audio: the default output
    assert [a.text() for a in menu.actions() if a.isChecked()] == [mixed_action().text()]
    menu.set_chosen(chosen.args[0])  # as at the next start, from the settings
    menu.refresh()
    assert mixed_action().isChecked()
    devices.remove(MONITOR)  # no system audio: the entry is not offered
    menu.refresh()
    assert not [a for a in menu.actions() if a.text().startswith(MIXED_LABEL)]


def test_a_session_that_ends_paused_does_not_start_the_next_one_paused(qtbot: QtBot) -> None:
    window = _window(qtbot, [MIC])
    window.controller.runningChanged.emit(True)
    window.pause_action.setChecked(True)
    window.controller.runningChanged.emit(False)  # e.g. it failed while paused
    assert not window.pause_action.isChecked()
    assert not window.pause_action.isEnabled()


def test_an_offer_in_a_notice_survives_later_notices(qtbot: QtBot) -> None:
    window = _window(qtbot, [MIC])
    bar = window.notices
    exported: list[str] = []
    crashed = "The session of 09:00 did not end cleanly."
    window.notify(crashed, "Export it…", lambda: exported.append("x"))
    window.notify("Transcript exported to /tmp/a.txt.")
    assert bar.text() == "Transcript exported to /tmp/a.txt."  # the newest is shown
    assert bar.dismiss_button.text() == "Dismiss (1 more)"
    bar.dismiss_button.click()
    assert bar.text() == crashed  # the offer is back
    assert bar.action_button.isVisibleTo(bar) and bar.dismiss_button.text() == "Dismiss"
    bar.action_button.click()
    assert exported == ["x"] and bar.isHidden()


def test_no_devices_says_so(qtbot: QtBot) -> None:
    window = _window(qtbot, [])
    assert "No input devices found" in [a.text() for a in window.input_menu.actions()]


def test_status_shows_time_cost_and_the_sending_light(qtbot: QtBot) -> None:
    window = _window(qtbot, [MIC])
    assert format_elapsed(3725) == "1:02:05"
    assert round(estimated_cost_usd(3600, 0.15), 2) == 0.15
    panel = window.status_panel
    live = (StateChanged(SessionState.LIVE, "Live"), AudioLevel(-20.0, True))
    window.controller.statusChanged.emit(status_after(*live))
    panel.set_level(-20.0, True)
    assert panel.is_sending() and "Sending" in panel.sending_label.text()
    assert panel.meter.value() > 50
    window.controller.statusChanged.emit(status_after(*live).ended())
    assert not panel.is_sending()


def test_a_rejected_key_offers_the_key_dialog_in_a_notice(qtbot: QtBot) -> None:
    window = _window(qtbot, [MIC])
    window.set_facts(key=KeyFacts(available=True, rejected="the stored key"))
    assert window.notices.isVisible() and "rejected the stored key" in window.notices.text()
    with qtbot.waitSignal(window.keyRequested):
        window.notices.action_button.click()


def test_every_control_is_named_and_reachable_by_keyboard(qtbot: QtBot) -> None:
    window = _window(qtbot, [MIC])
    window.notify("x", "Act", lambda: None)
    controls = [
        w
        for w in window.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QLineEdit) and w.isVisibleTo(window)
    ]
    assert controls
    unnamed = [w for w in controls if not (w.accessibleName() or w.text())]
    assert not unnamed, unnamed
    for action in window.actions():
        if action.text() and action.isEnabled():
            assert action.text().replace("&", "").strip()
    shortcuts = {a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()}
    assert {"Ctrl+Shift+S", "Ctrl+Shift+E", "Ctrl+Shift+L", "Ctrl+Shift+X"} <= shortcuts


def test_self_test_start_up(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "CAPTION_APP_DATA_DIR": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    result = subprocess.run(
        [sys.executable, "-m", "caption_app", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("self-test: ok")


def test_the_status_line_says_each_thing_once(qtbot: QtBot) -> None:
    window = _window(qtbot, [MIC])  # kept: the panel lives as long as its window
    panel = window.status_panel
    for state, detail, said in (
        (SessionState.PAUSED, "Paused: no audio is being sent", "Paused: no audio is being sent"),
        (SessionState.RECONNECTING, "Reconnecting in 8.0 s", "Reconnecting in 8.0 s"),
        (SessionState.PAUSED, "Waiting for another input", "Waiting for another input"),
    ):
        window.controller.statusChanged.emit(status_after(StateChanged(state, detail)))
        assert panel.state_label.text() == said


def test_the_sending_light_goes_out_when_the_connection_closes(qtbot: QtBot) -> None:
    window = _window(qtbot, [MIC])  # kept: the panel lives as long as its window
    panel = window.status_panel
    live = (StateChanged(SessionState.LIVE, "Live"), AudioLevel(-20.0, True))
    window.controller.statusChanged.emit(status_after(*live))
    assert panel.is_sending()
    # The input was unplugged: no more audio arrives to say otherwise, the state must.
    waiting = StateChanged(SessionState.PAUSED, "Waiting for another input")
    window.controller.statusChanged.emit(status_after(*live, waiting))
    assert not panel.is_sending() and "Sending" not in panel.sending_label.text()


def test_a_crashed_session_with_no_words_is_not_offered_for_recovery(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from caption_app.core.transcript.model import SessionInfo
    from caption_app.core.transcript.recorder import TranscriptRecorder
    from caption_app.ui.main_window.transcript_actions import TranscriptActions
    from tests.transcript.builders import finished, make_turn

    monkeypatch.setenv("CAPTION_APP_DATA_DIR", str(tmp_path))
    folder = tmp_path / "transcripts"

    def crash(words: bool, minute: int) -> None:
        started = datetime(2026, 12, 1, 9, minute, tzinfo=UTC)
        info = SessionInfo(f"s-{minute}", started, "fake", "mic")
        recorder = TranscriptRecorder(folder, info)
        if words:
            recorder.apply(finished(make_turn(0, 0, "Something was said.", 1_000)))
        recorder.journal.close(clean=False)  # what kill -9 leaves: no end record

    window = _window(qtbot, [MIC])
    crash(False, 30)  # started, then crashed before a word
    TranscriptActions(window).tidy_history(0)
    assert not window.notices.isVisible()
    crash(True, 0)
    TranscriptActions(window).tidy_history(0)
    assert "its 3 words are safe" in window.notices.text()


def test_once_this_computer_takes_over_the_cloud_trouble_is_not_said_as_if_to_come(
    qtbot: QtBot,
) -> None:
    """Seen in the walk: "Cannot reach …: if it does not answer within a few seconds, captions
    continue on this computer by themselves" beside the "On this computer" badge and "Starting
    the speech model on this computer", while this computer was already taking over."""
    window = _window(qtbot, [MIC])
    refused = Problem(
        ProblemKind.UNREACHABLE, "Cannot reach 127.0.0.1: refused.", Recovery.RECONNECT
    )
    taking_over = (
        StateChanged(SessionState.LIVE, "Live"),
        refused,
        StateChanged(SessionState.UNREACHABLE, "Trying again in 1.0 s."),
        EngineInUse("Whisper tiny.en on this computer", True, 0.0, True),
        StateChanged(SessionState.CONNECTING, "Connecting…"),
    )
    window.controller.statusChanged.emit(status_after(*taking_over[:3], stand_in=True))
    assert "by themselves" in window.notices.text()
    window.controller.statusChanged.emit(status_after(*taking_over, stand_in=True))
    assert "by themselves" not in window.notices.text()
    assert window.status_panel.state_label.text().startswith("Starting the speech model")


@pytest.mark.parametrize(
    "waits_for", ["no API key for the cloud", "the cloud rejected the API key", ""]
)
def test_the_status_says_why_this_computer_captions_when_the_cloud_waits_for_a_key(
    qtbot: QtBot, waits_for: str
) -> None:
    """Ninth walk V4: with the key removed, the status read "Live on this computer, standing
    in for the cloud", as if the cloud were being tried; without a key it never is."""
    window = _window(qtbot, [MIC])
    here = EngineInUse("Whisper tiny.en on this computer", True, 0.0, True, waits_for)
    live = StateChanged(SessionState.LIVE, "Live")
    window.controller.statusChanged.emit(status_after(here, live, stand_in=True))
    said = window.status_panel.state_label.text()
    if waits_for:
        assert said == f"Live on this computer: {waits_for}"
    else:  # only away: it is tried again by itself
        assert said == "Live on this computer, standing in for the cloud"


def test_opening_the_input_menu_lists_what_is_plugged_in_now_without_waiting(
    qtbot: QtBot,
) -> None:
    """Ninth walk V2: a microphone plugged in after Stop was in the Input menu only after
    "Refresh devices". Opening the menu lists again, off the GUI thread (a hung sound server
    answers in seconds): the menu shows what it had, then what is there."""
    import threading

    devices = [MIC]
    release = threading.Event()
    listing_started = threading.Event()

    def listed() -> list[InputDevice]:
        if devices[-1] is USB_HEADSET:  # the listing after the plug-in: held by the test
            listing_started.set()
            release.wait(timeout=10)
        return list(devices)

    window = MainWindow(SessionController(), listed, price_per_hour=0.15)
    qtbot.addWidget(window)
    menu = window.input_menu
    unchanged = menu.actions()
    menu.aboutToShow.emit()  # nothing new: nothing is rebuilt under the pointer
    first = menu._listing
    assert first is not None
    qtbot.waitUntil(lambda: not first.is_alive(), timeout=5000)
    qtbot.wait(50)  # its answer, queued to this thread, is handled
    assert menu.actions() == unchanged
    devices.append(USB_HEADSET)  # plugged in while stopped
    menu.aboutToShow.emit()  # returns while the sound server has not answered
    assert listing_started.wait(timeout=5)
    assert "USB Headset" not in [a.text() for a in menu.actions()]  # what it had meanwhile
    release.set()
    qtbot.waitUntil(lambda: "USB Headset" in [a.text() for a in menu.actions()], timeout=5000)


USB_HEADSET = InputDevice("USB Headset", "PulseAudio", 48_000, 1, key="usb")


def test_a_listing_older_than_a_refresh_does_not_replace_it(qtbot: QtBot) -> None:
    """The app lists devices only once the window has painted, or at once when the Input menu
    opens first: the menu's own listing, begun before that, found none, and must not empty
    the menu when it comes back after the real one."""
    import threading

    release = threading.Event()
    ready = [False]

    def listed() -> list[InputDevice]:
        if threading.current_thread() is not threading.main_thread():
            release.wait(timeout=10)
            return []  # begun while nothing was listed yet
        return [MIC] if ready[0] else []

    window = MainWindow(SessionController(), listed, price_per_hour=0.15)
    qtbot.addWidget(window)
    menu = window.input_menu
    menu.aboutToShow.emit()  # the menu's listing begins...
    ready[0] = True
    menu.refresh()  # ...and the app lists for real meanwhile
    assert "Built-in Microphone (default)" in [a.text() for a in menu.actions()]
    release.set()
    listing = menu._listing
    assert listing is not None
    qtbot.waitUntil(lambda: not listing.is_alive(), timeout=5000)
    qtbot.wait(50)  # its answer, queued to this thread, is handled
    assert "Built-in Microphone (default)" in [a.text() for a in menu.actions()]
