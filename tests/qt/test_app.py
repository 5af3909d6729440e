"""The whole GUI against the local streaming server: what a person sees, start to stop."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
)
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.model.gaps import Marker
from caption_app.core.model.session import SessionState
from caption_app.core.secrets.credentials import session_memory_key
from caption_app.core.transcript.export import FORMATS
from caption_app.core.transcript.journal import read_journal
from caption_app.ui import prompts
from caption_app.ui.api_key import texts
from caption_app.ui.api_key.dialog import KeyDialog
from caption_app.ui.app import CaptionApp
from caption_app.ui.main_window.menu_choices import ENGINE_NEXT_START, KEY_NEXT_START_TEXT
from caption_app.ui.overlay.message import FINISHED, STOPPED
from caption_app.ui.settings.dialog import SettingsDialog
from tests.faults.harness import long_recording
from tests.streaming_server.clips import load_clip
from tests.streaming_server.config import SpeakerRelabel
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.script import script_from_reference
from tests.streaming_server.server import StreamingServer
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR

CLIP = "librivox-austen-0870.wav"
CANARY_KEY = "sk-CANARY-7f3a9e1c2b4d6f8a0e1c3b5d"


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        server.config.api_keys = {"test-key", CANARY_KEY}
        server.config.script = load_clip(CLIP).script(turns=2)
        yield server


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private home: data, config and temp directories all under tmp_path."""
    private_home(tmp_path, monkeypatch, "test-key")
    return tmp_path


def _app(server: StreamingServer, home: Path, *extra: str) -> CaptionApp:
    settings = QSettings(str(home / "home" / "settings.ini"), QSettings.Format.IniFormat)
    args = build_parser().parse_args(
        ["--api-host", server.url, "--source", str(AUDIO_DIR / CLIP), *extra]
    )
    app = CaptionApp(args, settings)
    app.show()
    return app


def _run_to_end(qtbot: QtBot, app: CaptionApp) -> None:
    app.start()
    assert app.controller.running
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)


@pytest.fixture
def close_apps() -> Iterator[list[CaptionApp]]:
    apps: list[CaptionApp] = []
    yield apps
    for app in apps:
        app.shutdown()
        app.window.close()
        app.overlay.close()


def test_overlay_and_transcript_follow_a_legacy_session(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    server.config.legacy_formatting = True
    app = _app(server, home)
    close_apps.append(app)
    first_turn: list[str] = []
    sending: list[bool] = []

    def shown(_update: object) -> None:
        segments = {seg.key: seg for seg in app.overlay.model().visible_segments()}
        if (0, 0) in segments:
            first_turn.append(f"{segments[(0, 0)].solid}|{segments[(0, 0)].dim}")

    app.controller.turnUpdated.connect(shown)
    app.controller.audioLevel.connect(
        lambda _r, _s: sending.append(app.window.status_panel.is_sending())
    )
    _run_to_end(qtbot, app)
    expected = [t.formatted_text for t in load_clip(CLIP).script(turns=2)]
    # Live words first, growing with a dimmed tail...
    assert len(first_turn) >= 3 and first_turn[0].startswith("|")
    assert any(not f.endswith("|") for f in first_turn)
    # ...then the unformatted end of turn, then the formatted text swapped in exactly once.
    finals = [f for f in first_turn if f.endswith("|")]
    assert finals[-1] == f"{expected[0]}|"
    changes = [b for a, b in itertools.pairwise(finals) if a != b]
    assert changes == [f"{expected[0]}|"], finals
    # Older lines scrolled up: the overlay ends with the last words of the last sentence, and
    # says the recording has ended below them.
    *captions, said = app.overlay.rendered_lines()
    assert said == FINISHED
    assert expected[1].endswith(" ".join(captions))
    text = app.window.transcript.plain_text()
    assert all(sentence in text for sentence in expected)
    assert text.count(expected[0]) == 1
    assert any(sending) and not app.window.status_panel.is_sending()
    assert app.window.status_panel.state_label.text() == "Finished: the whole file was captioned"
    # A media file shows how far captioning has got.
    assert app.window.status_panel.progress_label.text().endswith(" / 0:00:07")


def test_speaker_revision_relabels_the_overlay(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    clip = load_clip(CLIP)
    script = script_from_reference(clip.reference, clip.duration_ms, turns=2)
    server.config.script = tuple(
        dataclasses.replace(
            t, speaker=s, words=tuple(dataclasses.replace(w, speaker=s) for w in t.words)
        )
        for t, s in zip(script, ("A", "B"), strict=True)
    )
    server.config.speaker_revisions = (SpeakerRelabel(1, "A"),)
    settings = QSettings(str(home / "home" / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("streaming/speaker_labels", True)
    settings.sync()
    app = _app(server, home)
    close_apps.append(app)
    labels: list[str] = []
    app.controller.turnUpdated.connect(
        lambda _u: labels.append(" ".join(app.overlay.rendered_lines()))
    )
    _run_to_end(qtbot, app)
    assert server.session(0).params.speaker_labels is True
    assert any("B:" in frame for frame in labels)
    assert "B:" not in " ".join(app.overlay.rendered_lines())  # B's turn became A's
    assert {seg.speaker for seg in app.overlay.model().visible_segments()} == {"A"}


def test_settings_changes_reach_the_running_session(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    app = _app(server, home)
    close_apps.append(app)
    app.start()
    assert server.wait_for_sessions(1, timeout=10)
    assert server.session(0).wait_until_audio_ms(1000, timeout=10)
    streaming = dataclasses.replace(
        app.settings.streaming, max_turn_silence_ms=900, filter_profanity=True
    )
    app._apply_settings(dataclasses.replace(app.settings, streaming=streaming))
    assert server.session(0).wait_for(lambda r: bool(r.config_updates()), timeout=5)
    update = server.session(0).config_updates()[0]
    assert update["max_turn_silence"] == 900 and update["filter_profanity"] is True
    app.window.end_line_action.trigger()
    assert server.session(0).wait_for(lambda r: "ForceEndpoint" in r.control_types(), timeout=5)
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=15_000)
    # The change was saved through the one settings façade.
    reopened = QSettings(str(home / "home" / "settings.ini"), QSettings.Format.IniFormat)
    assert int(reopened.value("streaming/max_turn_silence_ms")) == 900


def test_lock_and_position_survive_a_restart(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    app = _app(server, home)
    close_apps.append(app)
    app.window.lock_action.trigger()
    assert app.overlay.is_locked()
    assert app.overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    app.window.lock_action.trigger()
    assert not app.overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    app.overlay.move(123, 234)
    app.shutdown()
    again = _app(server, home)
    close_apps.append(again)
    assert (again.overlay.x(), again.overlay.y()) == (123, 234)


@pytest.mark.xdist_group("serial")  # the local engine captions meanwhile: heavy on the CPU
def test_a_rejected_key_captions_locally_and_a_new_key_returns_the_same_session_to_the_cloud(
    qtbot: QtBot,
    server: StreamingServer,
    home: Path,
    close_apps: list[CaptionApp],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Third walk A5, C1: with Automatic, a rejected key ended the session and started one on
    this computer, the key dialog popped up over the captions by itself, and the key given
    then started a third session (the transcript emptied, the clock back to 0:00:00)."""
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", "not-a-valid-key")
    server.config.loop_script = True
    app = _app(server, home, "--source", str(long_recording(tmp_path, 60)))
    close_apps.append(app)
    states: list[SessionState] = []
    app.controller.stateChanged.connect(lambda s, _d: states.append(s))
    app.start()
    # Captions go on on this computer, in the same session; the notice offers the key.
    qtbot.waitUntil(lambda: app.controller.status.live, timeout=60_000)
    engine = app.controller.status.engine
    assert engine is not None and engine.on_device and engine.standing_in
    assert app.dialog("key") is None  # nothing pops up over the captions
    assert SessionState.FAILED not in states and SessionState.IDLE not in states
    assert "rejected the key in ASSEMBLYAI_API_KEY" in app.window.notices.text()
    assert "Captions run on this computer" in app.window.notices.text()
    assert len(server.rejected_handshakes()) + len(server.sessions()) == 1  # not retried
    recorder = app._recorder
    assert recorder is not None
    qtbot.waitUntil(lambda: bool(app.window.transcript.plain_text().strip()), timeout=30_000)
    # The notice's "Enter key…": a good key for this session only.
    app.open_key_dialog()
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    # Seventh walk: it offered "Caption on this computer instead" while captions ran here.
    assert not dialog.offline_button.isVisibleTo(dialog)
    dialog.key_edit.setText("test-key")
    dialog.session_button.click()
    qtbot.waitUntil(lambda: len(server.sessions()) == 1, timeout=30_000)
    qtbot.waitUntil(lambda: app.controller.status.cloud, timeout=30_000)
    assert app.controller.running and app._recorder is recorder  # the same session
    assert "rejected" not in app.window.notices.text(), app.window.notices.text()
    # Third walk C2: the dialog closed with no word of what became of the key.
    assert texts.KEPT_FOR_SESSION in app.window.notices.text()
    assert app.window.transcript.plain_text().strip()  # what was captioned meanwhile stays
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)
    entries = read_journal(recorder.path).document.entries
    markers = [e.text for e in entries if isinstance(e, Marker)]
    assert markers == [
        "Captions continue on this computer: AssemblyAI Universal-Streaming rejected the key.",
        "Captions move to AssemblyAI Universal-Streaming.",
    ], markers
    assert SessionState.FAILED not in states


@pytest.mark.xdist_group("serial")  # the local engine captions meanwhile: heavy on the CPU
def test_a_key_given_while_captions_run_here_without_the_cloud_is_not_said_in_use(
    qtbot: QtBot,
    server: StreamingServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    close_apps: list[CaptionApp],
) -> None:
    """Seventh walk: Automatic with no key captions on this computer; a key given for this
    session leaves it here (it started without the cloud), yet the key dialog then said "In
    use: the key you entered (…)" and offered "Caption on this computer instead"."""
    private_home(tmp_path, monkeypatch, None)
    app = _app(server, tmp_path, "--source", str(long_recording(tmp_path, 30)))
    close_apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: app.controller.status.live, timeout=60_000)
    engine = app.controller.status.engine
    assert engine is not None and engine.on_device and not engine.standing_in
    session_memory_key().set("test-key")
    app.open_key_dialog()
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    said = dialog.in_use_label.text()
    assert not said.startswith("In use") and "on this computer" in said, said
    assert not dialog.offline_button.isVisibleTo(dialog)
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=10_000)
    # ...and nothing said the captions stayed here: now it says so, with a way to the cloud.
    dialog.key_changed.emit("memory")  # as "Use for this session only" does, once checked,
    dialog.told.emit(texts.KEPT_FOR_SESSION)  # ...then says what became of the key
    qtbot.waitUntil(lambda: bool(app.window.notices.showing()), timeout=5_000)
    # The offer on top (the eighth walk: it waited behind "Dismiss (1 more)").
    qtbot.waitUntil(lambda: app.window.notices.showing()[0].key == ENGINE_NEXT_START, timeout=5_000)
    (offer,) = [n for n in app.window.notices.showing() if n.key == ENGINE_NEXT_START]
    assert offer.text == KEY_NEXT_START_TEXT and offer.action is not None
    offer.action()  # "Start again now"
    status = app.controller
    qtbot.waitUntil(lambda: status.status.live and status.status.cloud, timeout=60_000)
    assert not [n for n in app.window.notices.showing() if n.key == ENGINE_NEXT_START]


def test_a_key_removed_while_the_cloud_captions_is_said_to_go_on_until_stopped(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    """Seventh walk: the key removed in Tools → API key while the cloud captioned; the
    dialog said "No key is in use yet." and the window nothing, while audio went on to the
    cloud with it."""
    server.config.loop_script = True
    app = _app(server, home, "--engine", "assemblyai")
    close_apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: app.controller.status.live, timeout=30_000)
    app.open_key_dialog()
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    dialog.key_changed.emit("removed")  # as Remove does once the keyring has answered
    assert texts.REMOVED_WHILE_SENT in app.window.notices.text()
    assert app.controller.status.cloud  # true: it goes on
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=10_000)


def test_the_key_never_reaches_a_file_a_log_or_a_title(
    qtbot: QtBot,
    server: StreamingServer,
    home: Path,
    close_apps: list[CaptionApp],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", CANARY_KEY)
    app = _app(server, home)
    close_apps.append(app)
    _run_to_end(qtbot, app)
    assert server.session(0).headers["authorization"] == CANARY_KEY  # it was really used
    recorder = app._recorder
    assert recorder is not None
    document = read_journal(recorder.path).document
    assert document.word_count > 0
    # Export through the app's own action, the file dialog answered with each format in turn.
    targets = iter(str(home / "home" / f"export.{fmt}") for fmt in FORMATS)
    monkeypatch.setattr(prompts, "ask_export_path", lambda _parent, _suggested: next(targets))
    for _fmt in FORMATS:
        app.export()
    assert "exported" in app.window.notices.text()
    app.shutdown()
    written = [p for p in home.rglob("*") if p.is_file()]
    assert len(written) >= 7  # journal, settings, five exports
    for path in written:
        assert CANARY_KEY.encode() not in path.read_bytes(), path
    assert CANARY_KEY not in caplog.text
    assert [text for text in _texts_on_screen() if CANARY_KEY in text] == []


def _texts_on_screen() -> list[str]:
    """Every title, label, button, tip and accessible text of every widget, and the text of
    every text view: what a window could show or a screen reader could say."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        texts += [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
        texts.append(widget.accessibleDescription())
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QPlainTextEdit | QTextEdit):
            texts.append(widget.toPlainText())
    assert len(texts) > 100  # the windows were really read
    return texts


def test_export_asks_before_replacing_a_file(
    qtbot: QtBot,
    server: StreamingServer,
    home: Path,
    close_apps: list[CaptionApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _app(server, home)
    close_apps.append(app)
    _run_to_end(qtbot, app)
    target = home / "home" / "notes.md"
    target.write_text("my own notes", encoding="utf-8")
    questions: list[str] = []
    answers = iter([False, True])

    def confirm(_parent: object, question: str) -> bool:
        questions.append(question)
        return next(answers)

    monkeypatch.setattr(prompts, "ask_export_path", lambda _parent, _suggested: str(target))
    monkeypatch.setattr(prompts, "confirm", confirm)
    app.export()  # declined: the file is untouched
    assert target.read_text(encoding="utf-8") == "my own notes"
    app.export()  # accepted: replaced with the transcript in Markdown
    assert [q.splitlines()[0] for q in questions] == ["Replace notes.md?", "Replace notes.md?"]
    assert target.read_text(encoding="utf-8").startswith("#")
    assert "exported" in app.window.notices.text()
    # Third walk A7: the news of the last session's export stayed up through the next one.
    app.start()
    assert "exported" not in app.window.notices.text(), app.window.notices.text()


def test_a_media_file_chosen_while_captioning_waits_and_says_so(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    app = _app(server, home)
    close_apps.append(app)
    app.start()
    assert app.controller.running
    app.window.notify("Older news.", key="older")  # (the twelfth walk: the answer came third)
    app.window.mediaFileChosen.emit(str(AUDIO_DIR / "goforward.wav"))
    first = app.window.notices.showing()[0].text
    assert "goforward.wav is captioned when you start again" in first, first
    assert len(server.sessions()) <= 1
    # The menu ticks what is captioned now (the eleventh walk: the file waiting its turn).
    menu = app.window.input_menu
    assert menu.checked_text() == f"Media file: {CLIP}", menu.checked_text()
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=10_000)
    assert menu.checked_text() == "Media file: goforward.wav"  # what the next Start captions
    assert not app.window.pause_action.isChecked()
    assert app.overlay.status() == STOPPED  # not a blank overlay, as if captions were quiet


def test_the_settings_window_stays_open_beside_captions_and_never_undoes_an_input_choice(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    app = _app(server, home)
    close_apps.append(app)
    app.open_settings()
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    assert not dialog.isModal()  # Stop and the shortcuts stay usable meanwhile
    app.window.deviceChosen.emit("PulseAudio:usb-headset")  # picked while the dialog is open
    dialog.apply()
    assert app.settings.input_device_id == "PulseAudio:usb-headset"
    dialog.close()


def test_the_key_dialog_open_across_a_start_and_a_stop_says_whether_the_key_is_used(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    """The review of the ninth walk's V5: the key line was worded once, as the dialog opened:
    "Used from the next start" while the cloud then captioned with that key."""
    app = _app(server, home, "--engine", "assemblyai", "--source", str(long_recording(home, 30)))
    close_apps.append(app)
    app.open_key_dialog()
    dialog = app.dialog("key")
    assert isinstance(dialog, KeyDialog)
    line = dialog.in_use_label.text
    qtbot.waitUntil(lambda: line().startswith("Used from the next start"), timeout=10_000)
    app.start()
    qtbot.waitUntil(lambda: app.controller.status.live, timeout=30_000)
    assert dialog.isVisible() and line().startswith("In use by the captions running now: ")
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)
    assert line().startswith("Used from the next start"), line()
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=10_000)


def test_a_file_chosen_in_the_input_menu_is_captioned_once_then_the_device_again(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    """Tenth walk T1: after a file chosen in the Input menu, the next Start captioned the file
    again, under "Live" and the red light, where the person meant the microphone."""
    app = _app(server, home)
    close_apps.append(app)
    app.window.deviceChosen.emit("PulseAudio:usb-headset")
    app.window.mediaFileChosen.emit(str(AUDIO_DIR / "goforward.wav"))  # starts at once
    assert app.controller.running and app.choices.source().media_path
    assert app.window.input_menu.checked_text() == "Media file: goforward.wav"
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)  # captioned whole
    assert app.choices.source().media_path is None
    assert app.choices.source().device_id == "PulseAudio:usb-headset"
    assert "Media file" not in app.window.input_menu.checked_text()


def test_a_transcript_exported_while_captions_run_says_so_and_its_length_so_far(
    qtbot: QtBot,
    server: StreamingServer,
    home: Path,
    close_apps: list[CaptionApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eleventh walk S3: exported at 0:24 of a running session, the file said "Length: 17 s"
    (to its last finished line) and nothing said the session still ran."""
    server.config.loop_script = True
    app = _app(server, home, "--source", str(long_recording(home, 30)))
    close_apps.append(app)
    app.start()
    qtbot.waitUntil(lambda: app.window.transcript.plain_text().count("\n") >= 1, timeout=30_000)
    qtbot.wait(1500)
    target = home / "home" / "live.txt"
    monkeypatch.setattr(prompts, "ask_export_path", lambda _parent, _suggested: str(target))
    monkeypatch.setattr(prompts, "confirm", lambda _parent, _question: True)  # replace it
    app.export()
    header = target.read_text(encoding="utf-8")
    assert "so far (captions were still running" in header, header
    app.controller.stop()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)
    app.export()  # ended: its whole length, nothing about running
    assert "so far" not in target.read_text(encoding="utf-8")


def test_a_file_that_is_not_media_by_its_name_is_not_promised_captions(
    qtbot: QtBot, server: StreamingServer, home: Path, close_apps: list[CaptionApp]
) -> None:
    """Thirteenth walk S3: README.md chosen while captions ran: "README.md is captioned when
    you start again", then "Cannot caption README.md: Invalid data…" at the next Start."""
    app = _app(server, home)
    close_apps.append(app)
    app.start()
    app.window.mediaFileChosen.emit(str(home / "README.md"))
    said = app.window.notices.showing()[0].text
    assert "README.md (not a media file, by its name) is tried" in said, said
    assert "is captioned" not in said
