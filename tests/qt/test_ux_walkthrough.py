"""A new user's walk through the window: each numbered finding of the walk-through, fixed.

The whole app runs against the local v3 server (real SDK, real media decoding); each test
would have failed before its fix (the item numbers are the walk-through's).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QTableWidget
from pytestqt.qtbot import QtBot

from caption_app.core.audio.devices import InputDevice, resolve_device
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import AudioLevel, SessionState, StateChanged
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.settings import DEFAULT_API_HOST
from caption_app.core.transcript.history import list_sessions
from caption_app.core.transcript.paths import transcripts_dir
from caption_app.core.transcript.recorder import TranscriptRecorder
from caption_app.qt.settings_store import SettingsStore
from caption_app.ui import prompts
from caption_app.ui.app import CaptionApp
from caption_app.ui.help.guide import HelpDialog
from caption_app.ui.history.dialog import HistoryDialog
from caption_app.ui.main_window.status_panel import IDLE_METER_TEXT
from caption_app.ui.overlay.window import LISTENING
from caption_app.ui.settings.dialog import SettingsDialog
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.server import StreamingServer
from tests.support.caption_apps import open_app, opened_apps
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR
from tests.support.status import status_after
from tests.transcript.builders import finished, make_info, make_turn

CLIP = "librivox-austen-0870.wav"  # 7.1 s


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=2)
        yield server


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return private_home(tmp_path, monkeypatch, TEST_API_KEY)


@pytest.fixture
def apps(qapp: object) -> Iterator[list[CaptionApp]]:
    yield from opened_apps()


def _qsettings(home: Path) -> QSettings:
    return QSettings(str(home / "home" / "settings.ini"), QSettings.Format.IniFormat)


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _run_to_end(qtbot: QtBot, app: CaptionApp) -> None:
    app.start()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)


def _recorded(directory: Path, *, clean: bool) -> TranscriptRecorder:
    recorder = TranscriptRecorder(directory, make_info())
    recorder.apply(finished(make_turn(0, 0, "so the meeting starts now", 1_000)))
    if clean:
        recorder.close()
    else:
        recorder.journal.close(clean=False)
    return recorder


# 2 -----------------------------------------------------------------------------------------


def test_2_the_sending_light_goes_out_when_the_session_waits_for_another_input(
    home: Path, apps: list[CaptionApp]
) -> None:
    window = open_app(home, apps).window
    panel = window.status_panel
    live = (StateChanged(SessionState.LIVE, "Live"), AudioLevel(-20.0, True))
    window.controller.statusChanged.emit(status_after(*live))
    assert "Sending audio to the cloud" in panel.sending_label.text()
    waiting = StateChanged(SessionState.PAUSED, "Waiting for another input")
    window.controller.statusChanged.emit(status_after(*live, waiting))
    assert not panel.is_sending() and "Not sending" in panel.sending_label.text()


# 3 -----------------------------------------------------------------------------------------


def test_3_a_reconnecting_notice_goes_when_captions_are_back_and_at_stop(
    home: Path, apps: list[CaptionApp]
) -> None:
    window = open_app(home, apps).window
    lost = Problem(ProblemKind.NETWORK, "The connection was lost.", Recovery.RECONNECT)
    reconnecting = StateChanged(SessionState.RECONNECTING, "")
    for resolved in ("live", "stopped"):
        window.controller.statusChanged.emit(status_after(lost))
        assert "Reconnecting" in window.notices.text()
        window.controller.statusChanged.emit(status_after(lost, reconnecting))
        assert not window.notices.isHidden()
        if resolved == "live":
            now = status_after(lost, reconnecting, StateChanged(SessionState.LIVE, "Live"))
        else:
            now = status_after(lost, reconnecting).ended()
        window.controller.statusChanged.emit(now)
        shown = "" if window.notices.isHidden() else window.notices.text()
        assert "Reconnecting" not in shown, resolved
    # A notice that needs the person (an account with no funds) stays after the end.
    funds = Problem(ProblemKind.FUNDS, "The account has no funds left.", Recovery.GIVE_UP)
    window.controller.statusChanged.emit(status_after(funds).ended())
    assert "no funds" in window.notices.text() and not window.notices.isHidden()


def test_3_a_dismissed_recovery_offer_does_not_come_back(
    home: Path, apps: list[CaptionApp]
) -> None:
    first = open_app(home, apps)
    crashed = _recorded(transcripts_dir(), clean=False)
    _recorded(transcripts_dir(), clean=False).path.unlink()  # (only one crash to offer)
    second = open_app(home, apps)
    assert "did not end cleanly" in second.window.notices.text()
    second.window.notices.dismiss_button.click()
    third = open_app(home, apps)
    assert "did not end cleanly" not in third.window.notices.text()
    (summary,) = [s for s in list_sessions(transcripts_dir()) if s.path == crashed.path]
    assert summary.clean_end and summary.words == 5  # closed as recovered, words kept
    del first


# 5 -----------------------------------------------------------------------------------------


def test_5_no_unknown_speaker_label_is_shown_before_the_speaker_is_known(
    home: Path, apps: list[CaptionApp], qtbot: QtBot, server: StreamingServer
) -> None:
    app = open_app(home, apps, "--api-host", server.url, "--source", str(AUDIO_DIR / CLIP))
    app.run.change(streaming=dataclasses.replace(app.settings.streaming, speaker_labels=True))
    shown: list[str] = []

    def look(_update: object) -> None:
        shown.append(" ".join(app.overlay.rendered_lines()))
        shown.append(app.window.transcript.plain_text())

    app.controller.turnUpdated.connect(look)
    _run_to_end(qtbot, app)
    (record,) = server.sessions()
    labels = {m.get("speaker_label") for m in record.sent("Turn")}
    assert "UNKNOWN" in labels and "A" in labels  # the service did say UNKNOWN at first
    assert shown and not [text for text in shown if "UNKNOWN" in text]
    assert "Speaker A:" in app.window.transcript.plain_text()


# 6 -----------------------------------------------------------------------------------------


def test_6_a_command_line_api_host_is_not_saved_by_settings_ok(
    home: Path, apps: list[CaptionApp], qtbot: QtBot
) -> None:
    app = open_app(home, apps, "--api-host", "ws://127.0.0.1:9")
    app.open_settings()
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    dialog.history_page.retention_spin.setValue(30)  # some change of the person's own
    dialog.accept()
    app.choices.engine("auto")
    saved = SettingsStore(_qsettings(home)).load()
    assert saved.retention_days == 30
    assert saved.streaming.api_host == DEFAULT_API_HOST
    assert app.settings.streaming.api_host == "ws://127.0.0.1:9"  # still this run's


# 7 -----------------------------------------------------------------------------------------


def test_7_a_deleted_session_leaves_the_main_window(
    home: Path,
    apps: list[CaptionApp],
    qtbot: QtBot,
    server: StreamingServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = open_app(home, apps, "--api-host", server.url, "--source", str(AUDIO_DIR / CLIP))
    _run_to_end(qtbot, app)
    assert "dashwood" in app.window.transcript.plain_text().lower()
    monkeypatch.setattr(prompts, "confirm", lambda *_: True)
    app.open_history()
    history = app.dialog("history")
    assert isinstance(history, HistoryDialog)
    history.select_row(0)
    history._confirm = lambda _question: True
    history.delete_selected()
    assert app.window.transcript.plain_text() == ""
    assert "dashwood" not in " ".join(app.overlay.rendered_lines()).lower()
    app.export()
    assert "Nothing to export" in app.window.notices.text()


# 8 -----------------------------------------------------------------------------------------


def test_8_a_missing_input_is_named_as_the_person_saw_it() -> None:
    usb = InputDevice("Desk Microphone", "PulseAudio", 48000, 1, key="alsa_input.usb-Desk_Mic")
    built_in = InputDevice("Built-in Audio", "PulseAudio", 48000, 2, True, key="built_in")
    choice = resolve_device(usb.device_id, [built_in], label=usb.label)
    assert choice.device is built_in
    assert choice.notice is not None and "(Desk Microphone)" in choice.notice
    assert "alsa_input" not in choice.notice


def test_8_the_chosen_inputs_name_is_saved_with_its_id(home: Path, apps: list[CaptionApp]) -> None:
    app = open_app(home, apps)
    app.open_settings()  # open beside the window while the person picks an input
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    device = InputDevice("Desk Microphone", "PulseAudio", 48000, 1, key="desk_mic")
    app.window.input_menu._devices = [device]
    app.choices.device(device.device_id)
    saved = SettingsStore(_qsettings(home)).load()
    assert (saved.input_device_id, saved.input_device_label) == (device.device_id, device.label)
    dialog.accept()  # its copy of the settings predates the pick: the pick stays
    saved = SettingsStore(_qsettings(home)).load()
    assert (saved.input_device_id, saved.input_device_label) == (device.device_id, device.label)


# 9 and 16 ----------------------------------------------------------------------------------


def test_9_16_one_length_everywhere_and_the_session_details_in_history(
    home: Path, apps: list[CaptionApp], qtbot: QtBot, server: StreamingServer
) -> None:
    app = open_app(home, apps, "--api-host", server.url, "--source", str(AUDIO_DIR / CLIP))
    _run_to_end(qtbot, app)
    app.open_history()
    history = app.dialog("history")
    assert isinstance(history, HistoryDialog)
    history.select_row(0)
    history.open_selected()
    row = history.model.session_at(0)
    assert row is not None
    row_length = history.model.data(history.model.index(0, 2))
    seconds = round(row.duration_ms / 1000)
    assert seconds == 7, row.duration_ms  # the 7.1 s clip, captioned to its end
    assert row_length == f"0:00:0{seconds}"
    assert f"Length: {seconds} s" in history.viewer.toPlainText()
    details = history.viewer_title.text()
    assert f"Length 0:00:0{seconds}" in details
    (record,) = server.sessions()
    assert record.session_id and record.session_id in details
    # The service's Termination says how long the connection was open (the clip is 7.1 s).
    assert re.search(r"billed cloud time [78] s", details), details


# 13 ----------------------------------------------------------------------------------------


def test_13_the_input_in_use_has_the_check_mark(home: Path, apps: list[CaptionApp]) -> None:
    app = open_app(home, apps)
    menu = app.window.input_menu
    mic = InputDevice("Headset", "PulseAudio", 48000, 1, True, key="mic")
    other = InputDevice("USB Mic", "PulseAudio", 48000, 1, key="usb")
    menu._list_devices = lambda: [mic, other]
    menu.refresh()
    menu.set_chosen("")  # the system default, as on a fresh machine
    assert menu.checked_text() == "Headset (default)"
    assert not menu._group.isExclusive()
    menu.set_chosen(other.device_id)
    assert menu.checked_text() == "USB Mic"
    app.choices.media(str(AUDIO_DIR / CLIP))
    assert menu.checked_text() == f"Media file: {CLIP}"
    menu.refresh()
    assert menu.checked_text() == f"Media file: {CLIP}"


# 14 ----------------------------------------------------------------------------------------


def test_14_the_meter_says_what_it_shows_and_the_overlay_says_listening(
    home: Path, apps: list[CaptionApp]
) -> None:
    app = open_app(home, apps)
    meter = app.window.status_panel.meter
    assert meter.isTextVisible() and meter.text() == IDLE_METER_TEXT
    assert app.window.status_panel.meter_label.text().replace("&", "") == "Input level:"
    app.window.status_panel.set_level(-21.0, False)
    assert meter.text() == "-21 dB"
    live = status_after(StateChanged(SessionState.LIVE, ""))
    app.controller.statusChanged.emit(live)
    assert app.overlay.rendered_lines() == [LISTENING]
    app.overlay.apply_update(TurnUpdate(UpdateKind.LIVE, make_turn(0, 0, "hello", 0)))
    assert LISTENING not in app.overlay.rendered_lines()
    app.controller.statusChanged.emit(live.ended())
    assert meter.text() == IDLE_METER_TEXT


# 15 ----------------------------------------------------------------------------------------


def test_15_the_detected_language_shows_per_line_and_on_the_overlay(
    home: Path, apps: list[CaptionApp]
) -> None:
    app = open_app(home, apps)
    update = finished(make_turn(0, 0, "buenos días a todos", 2_000, language="es"))
    app.controller.turnUpdated.emit(update)
    assert app.window.transcript.plain_text() == "00:00:02  [es] buenos días a todos"
    assert app.overlay.language_tag() == "ES"
    assert app.overlay._text_box_width() < app.overlay.width() - 20


# 17 ----------------------------------------------------------------------------------------


def test_17_help_has_usage_shortcuts_and_about(home: Path, apps: list[CaptionApp]) -> None:
    window = open_app(home, apps).window
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert isinstance(help_menu, QMenu)
    items = [a.text().replace("&", "") for a in help_menu.actions() if not a.isSeparator()]
    assert items == ["How to use Caption App", "Keyboard shortcuts", "About Caption App…"]
    window.shortcuts_action.trigger()
    first = window.dialogs.get("help")
    assert isinstance(first, HelpDialog)
    table = first.table
    rows = {_cell(table, r, 0): _cell(table, r, 1) for r in range(table.rowCount())}
    assert rows["Start / stop captions"] == "Ctrl+Shift+S"
    assert rows["Move overlay with the keyboard"] == "Ctrl+Shift+O"
    assert first.tabs.currentIndex() == 1
    window.usage_action.trigger()
    # one Help window, brought forward, not a new one each time
    assert window.dialogs.get("help") is first
    assert first.tabs.currentIndex() == 0
    assert "Move overlay with the keyboard" in first.usage.toPlainText()
    first.close()


# 19 ----------------------------------------------------------------------------------------


def test_19_finished_lines_are_announced_once_and_the_setting_turns_it_off(
    home: Path, apps: list[CaptionApp]
) -> None:
    app = open_app(home, apps)
    announcer = app.window.transcript.announcer
    live = make_turn(0, 0, "we start with the budget", 0)
    app.controller.turnUpdated.emit(TurnUpdate(UpdateKind.LIVE, live))
    assert announcer.count == 0  # partial words are never read out
    app.controller.turnUpdated.emit(finished(live))
    assert (announcer.count, announcer.last) == (1, "we start with the budget")
    app.open_settings()
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    dialog.history_page.announce_check.setChecked(False)
    dialog.accept()
    app.controller.turnUpdated.emit(finished(make_turn(0, 1, "next item", 3_000)))
    assert announcer.count == 1
    assert SettingsStore(_qsettings(home)).load().announce_lines is False
