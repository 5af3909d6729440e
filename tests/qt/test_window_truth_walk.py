"""The third walk's findings (issue 24), each in the real main window driven through the real
``SessionController``: a notice or a reading that outlived its condition."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from caption_app.core.audio.devices import InputDevice
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    AudioLevel,
    EngineInUse,
    Holds,
    InputSilence,
    Notice,
    SessionEnded,
    SessionEvent,
    SessionListener,
    SessionState,
    StateChanged,
)
from caption_app.core.model.status import EngineView
from caption_app.qt.session_controller import SessionController
from caption_app.ui.main_window.status_panel import NO_INPUT_METER_TEXT
from caption_app.ui.main_window.transcript_actions import TranscriptActions
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.main_window.window_words import KEY_NEWS, KeyFacts, Until
from caption_app.ui.overlay.message import overlay_message
from caption_app.ui.overlay.window import CaptionOverlay
from tests.qt.test_window_truth import CLOUD, LOCAL, ScriptedSession

REJECTED = KeyFacts(available=True, rejected="the key you entered (ab…yz)")


class Run:
    """The main window with a session the test reports for."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.controller = SessionController()
        self.window = MainWindow(self.controller, list, price_per_hour=0.15)
        qtbot.addWidget(self.window)
        self.window.set_facts(key=REJECTED)

    def start(self, engine: EngineView, *, stand_in: bool = False) -> None:
        session = ScriptedSession()

        def factory(_listener: SessionListener) -> ScriptedSession:
            return session

        self.window.starting()
        self.controller.start(factory, engine, has_stand_in=stand_in)  # type: ignore[arg-type]

    def report(self, *events: SessionEvent) -> None:
        for event in events:
            self.controller._on_event(event)  # as the queued signal hands it over

    def stop(self) -> None:
        self.controller.stop()
        self.qtbot.waitUntil(lambda: not self.controller.running, timeout=5000)

    def notices(self) -> list[str]:
        return [item.text for item in self.window.notices.showing()]


@pytest.fixture
def run(qtbot: QtBot) -> Iterator[Run]:
    made = Run(qtbot)
    yield made
    made.stop()


def test_a_rejected_key_is_over_once_the_cloud_captions(run: Run) -> None:
    """Walk A1: the stored key was rejected once, then taken again by the service; with
    Automatic, Start went live on the cloud while the notice still said it was rejected."""
    run.start(CLOUD, stand_in=True)
    run.report(EngineInUse(CLOUD.name, False, 0.15, False), StateChanged(SessionState.LIVE, "Live"))
    assert not [n for n in run.notices() if "rejected" in n], run.notices()
    run.stop()  # and it stays over after the session
    assert not [n for n in run.notices() if "rejected" in n], run.notices()
    assert run.window.facts.key.rejected == ""


def test_a_rejected_key_holds_while_captions_run_on_this_computer(run: Run) -> None:
    run.start(LOCAL)
    run.report(StateChanged(SessionState.LIVE, "Live"))
    assert [n for n in run.notices() if "rejected" in n], run.notices()


def test_the_clock_runs_for_the_local_session_after_a_cloud_start_failed(
    run: Run, qtbot: QtBot
) -> None:
    """Walk A2: Automatic, the key rejected at Start, captions went on on this computer for
    43 s while the clock said 0:00:00 (the application starts that session itself, with no
    Start click to reset the clock)."""
    run.start(CLOUD, stand_in=True)
    run.report(StateChanged(SessionState.FAILED, "Stopped: the key was rejected"))
    run.stop()
    run.start(LOCAL)
    run.report(StateChanged(SessionState.LIVE, "Live"))
    qtbot.waitUntil(lambda: run.window.status_panel.time_label.text() == "0:00:01", timeout=3000)
    assert run.window.status_panel.clock_running()


def test_an_unplugged_input_withdraws_the_news_of_it_and_stills_the_meter(run: Run) -> None:
    """Walk A3 and A4: the microphone picked again ("Captioning continues from Headset
    Microphone.") was unplugged while paused; that notice waited behind Dismiss and showed
    with the status "Waiting for another input", and the meter kept its last "-27 dB"."""
    run.start(CLOUD)
    run.report(
        StateChanged(SessionState.LIVE, "Live"),
        AudioLevel(-27.0, True),
        Notice("Captioning continues from Headset Microphone.", Holds.WHILE_INPUT),
    )
    assert "Captioning continues from Headset Microphone." in run.notices()
    run.report(
        StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"),
        AudioLevel(-27.0, False),
    )
    meter = run.window.status_panel.meter
    assert meter.text() == "-27 dB"
    run.report(
        Problem(ProblemKind.INPUT_LOST, "Headset Microphone was unplugged.", Recovery.GIVE_UP),
        StateChanged(SessionState.NO_INPUT, "Waiting for another input"),
    )
    assert not [n for n in run.notices() if "continues from" in n], run.notices()
    assert meter.text() == NO_INPUT_METER_TEXT and meter.value() == 0
    # Another input delivers: its reading shows, and its own news.
    run.report(
        Notice("Captioning continues from Webcam.", Holds.WHILE_INPUT), AudioLevel(-30.0, False)
    )
    assert meter.text() == "-30 dB"
    assert "Captioning continues from Webcam." in run.notices()


def test_the_empty_transcript_does_not_say_press_start_while_captions_run(run: Run) -> None:
    """Walk A7: "Press Start captions (Ctrl+Shift+S)…" stayed while the status said Live."""
    hint = run.window.transcript.editor.placeholderText
    assert hint() == "Press Start captions (Ctrl+Shift+S); each finished line appears here."
    run.start(LOCAL)
    assert "Press Start" not in hint(), hint()
    # Second walk: at Start it said "…once captions run", read as a promise while they ran.
    assert hint() == "Starting captions… each finished line appears here.", hint()
    run.report(StateChanged(SessionState.LIVE, "Live"))
    assert hint() == "Listening… each finished line appears here."
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    assert hint().startswith("Paused"), hint()
    run.report(StateChanged(SessionState.NO_INPUT, "Waiting for another input"))
    assert hint().startswith("Waiting for an input"), hint()
    run.stop()
    assert hint().startswith("Press Start captions (Ctrl+Shift+S)")


def test_the_cost_counts_only_time_the_cloud_captions(run: Run, qtbot: QtBot) -> None:
    """Walk A8: "≈ $0.01" kept growing through Pause and "Waiting for another input", when no
    connection is open and nothing is billed (the service bills the time a connection is
    open). At a price of $1 a second the figure shows the seconds billed."""
    pricey = EngineView("AssemblyAI Universal-Streaming", on_device=False, billed_per_hour_usd=3600)
    run.start(pricey)
    run.report(StateChanged(SessionState.LIVE, "Live"))
    qtbot.wait(1000)
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    qtbot.wait(1200)
    run.report(StateChanged(SessionState.NO_INPUT, "Waiting for another input"))
    qtbot.wait(1200)
    label = run.window.status_panel.time_label
    qtbot.waitUntil(lambda: label.text().startswith("0:00:03"), timeout=2000)  # the session's time
    cost = float(label.text().rsplit("$", 1)[1])
    assert 0.9 <= cost < 1.6, label.text()  # the one second live, not the three of the session


def test_one_outage_is_said_by_one_notice(run: Run) -> None:
    """Walk C1: "…did not come back. Captions continue…" and, behind it, "Cannot reach …:
    the connection was refused. Captions continue on this computer until the cloud answers
    again." for the one outage."""
    cover = "Captions continue on this computer until the cloud answers again."
    run.start(CLOUD, stand_in=True)
    run.report(
        EngineInUse(LOCAL.name, True, 0.0, True),
        StateChanged(SessionState.LIVE, "Live"),
        Notice(f"AssemblyAI did not come back. {cover}", Holds.WHILE_COVERED),
        Notice(
            f"Cannot reach 127.0.0.1:18765: the connection was refused. {cover}",
            Holds.WHILE_COVERED,
        ),
    )
    said = [n for n in run.notices() if cover in n]
    assert said == [f"Cannot reach 127.0.0.1:18765: the connection was refused. {cover}"], said


UNPLUGGED = Problem(
    ProblemKind.INPUT_LOST,
    'The input "Headset Microphone" was disconnected or stopped delivering audio.',
    Recovery.GIVE_UP,
)


def test_a_lost_input_is_not_news_once_another_input_delivers(run: Run) -> None:
    """Second walk A1: paused, the microphone unplugged, plugged back and picked again: the
    notice still said it "was disconnected … Pick another input" while the meter showed it
    live, and the true news waited behind "Dismiss (1 more)"."""
    run.start(CLOUD)
    run.report(
        StateChanged(SessionState.LIVE, "Live"),
        AudioLevel(-27.0, True),
        StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"),
        UNPLUGGED,
    )
    assert [n for n in run.notices() if "disconnected" in n], run.notices()
    run.report(
        Notice("Captioning continues from Headset Microphone.", Holds.WHILE_INPUT),
        AudioLevel(-27.0, False),
    )
    assert run.window.status_panel.meter.text() == "-27 dB"
    assert not [n for n in run.notices() if "disconnected" in n], run.notices()


def test_the_input_menu_never_shows_a_lost_input_as_present(qtbot: QtBot) -> None:
    """Second walk A3: the microphone unplugged, the Input menu still read "✓ Headset
    Microphone (default)" (the default had moved, the source was gone), while the notice said
    to pick another input from that menu."""
    headset = InputDevice("Headset Microphone", "PulseAudio", 16_000, 1, is_default=True, key="hs")
    usb = InputDevice("USB Microphone", "PulseAudio", 16_000, 1, key="usb")
    plugged = [headset, usb]
    controller = SessionController()
    window = MainWindow(controller, lambda: list(plugged), price_per_hour=0.0)
    qtbot.addWidget(window)
    menu = window.input_menu
    menu.set_chosen("")  # the system default, as the application sets it
    run = Run.__new__(Run)
    run.qtbot, run.controller, run.window = qtbot, controller, window
    try:
        _lose_and_plug_back(run, plugged, headset, usb)
    finally:
        run.stop()


def _lose_and_plug_back(
    run: Run, plugged: list[InputDevice], headset: InputDevice, usb: InputDevice
) -> None:
    menu = run.window.input_menu
    run.start(CLOUD)
    run.report(StateChanged(SessionState.LIVE, "Live"), AudioLevel(-27.0, True))
    assert menu.checked_text() == "Headset Microphone (default)"
    plugged[:] = [replace(usb, is_default=True)]  # unplugged: the default moves
    run.report(UNPLUGGED)
    texts = {a.text(): a for a in menu.actions()}
    assert menu.checked_text() == "", menu.checked_text()  # nothing delivers: nothing ticked
    assert "Headset Microphone (default)" not in texts, list(texts)
    gone = texts.get("Headset Microphone (not connected)")
    assert gone is not None and not gone.isEnabled(), list(texts)
    assert "USB Microphone (default)" in texts  # what can be picked now
    # Third walk: plugged back in but not yet delivering, it stayed "(not connected)" and
    # greyed out in the menu the notice points to, until Refresh. Opening the menu lists it.
    plugged[:] = [replace(headset, is_default=False), replace(usb, is_default=True)]
    menu.aboutToShow.emit()  # listed off the GUI thread: the menu shows it a moment later
    run.qtbot.waitUntil(lambda: "Headset Microphone" in [a.text() for a in menu.actions()])
    back = {a.text(): a for a in menu.actions()}.get("Headset Microphone")
    assert back is not None and back.isEnabled(), [a.text() for a in menu.actions()]
    assert not [a.text() for a in menu.actions() if "not connected" in a.text()]
    # Plugged back in and delivering: listed and ticked again, nothing "not connected".
    plugged[:] = [headset, usb]
    run.report(AudioLevel(-27.0, True))
    assert menu.checked_text() == "Headset Microphone (default)"
    assert not [a.text() for a in menu.actions() if "not connected" in a.text()]


def test_resuming_on_this_computer_says_it_starts_there_not_that_it_reconnects(
    run: Run,
) -> None:
    """Second walk A5: Resume with the local engine read "Reconnecting…" and, on the overlay,
    "Reconnecting… captions resume shortly", though nothing connects anywhere (the engine's
    process starts again)."""
    overlay = CaptionOverlay()
    run.controller.statusChanged.connect(overlay.show_status)
    try:
        run.start(LOCAL)
        run.report(
            StateChanged(SessionState.LIVE, "Live"),
            StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"),
            StateChanged(SessionState.RECONNECTING, "Reconnecting…"),
        )
        line = run.window.status_panel.state_label.text()
        assert line == "Starting the speech model on this computer…", line
        assert overlay.status() == "Starting captions on this computer…", overlay.status()
        run.report(StateChanged(SessionState.RECONNECTING, "Reconnecting in 2.0 s"))
        line = run.window.status_panel.state_label.text()
        assert "Reconnect" not in line, line
    finally:
        overlay.deleteLater()


def test_pausing_ends_the_news_of_the_input(run: Run) -> None:
    """Second walk A8: "Captioning continues from Headset Microphone." stayed while the status
    said "Paused: no audio is being sent", and hid "Transcript exported…" behind Dismiss."""
    news = "Captioning continues from Headset Microphone."
    run.start(CLOUD)
    run.report(
        StateChanged(SessionState.LIVE, "Live"),
        AudioLevel(-27.0, True),
        Notice(news, Holds.WHILE_INPUT),
    )
    assert news in run.notices()
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    run.window.notify("Transcript exported to /tmp/meeting.txt.")
    assert run.notices() == ["Transcript exported to /tmp/meeting.txt."], run.notices()
    run.report(StateChanged(SessionState.LIVE, "Live"))  # resumed: old news stays old
    assert news not in run.notices(), run.notices()


def test_a_start_that_fails_says_it_did_not_start_and_shows_no_time(run: Run) -> None:
    """Third walk A10: AssemblyAI alone with a rejected key read "Stopped: captions could not
    go on" with the clock at 0:00:02, for captions that never began."""
    run.start(CLOUD)
    run.report(StateChanged(SessionState.CONNECTING, "Connecting…"))
    run.qtbot.wait(2200)  # the connection attempt takes its time
    rejected = Problem(ProblemKind.AUTH, "AssemblyAI rejected the API key.", Recovery.NEW_KEY)
    run.report(rejected, StateChanged(SessionState.FAILED, rejected.message))
    run.stop()
    panel = run.window.status_panel
    assert panel.state_label.text() == "Did not start", panel.state_label.text()
    assert panel.time_label.text().startswith("0:00:00"), panel.time_label.text()
    hint = run.window.transcript.editor.placeholderText()  # fourth walk N6
    assert hint.startswith("Press Start captions"), hint
    said = overlay_message(run.controller.status)  # fourth walk N10: nothing was stopped
    assert said == "Captions did not start: see Caption App", said
    # A session that captioned and then failed still says so, with its time.
    run.start(CLOUD)
    run.report(StateChanged(SessionState.LIVE, "Live"))
    run.qtbot.wait(1200)
    run.report(rejected, StateChanged(SessionState.FAILED, rejected.message))
    run.stop()
    assert panel.state_label.text() == "Stopped: captions could not go on"
    assert not panel.time_label.text().startswith("0:00:00"), panel.time_label.text()
    assert overlay_message(run.controller.status) == "Captions stopped: see Caption App"


def test_while_paused_the_pause_button_offers_to_resume(run: Run) -> None:
    """Third walk C9: while paused the button still read "Pause" (pressed)."""
    run.start(CLOUD)
    run.report(StateChanged(SessionState.LIVE, "Live"))
    action = run.window.pause_action
    assert action.text() == "&Pause"
    action.trigger()  # the person pauses
    assert action.isChecked() and action.text() == "&Resume", action.text()
    assert action.toolTip() == "Resume captioning"
    action.trigger()
    assert action.text() == "&Pause"
    # Paused as the session records it (a global shortcut, a later launch): the same words.
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    assert action.text() == "&Resume", action.text()
    run.stop()
    assert action.text() == "&Pause" and not action.isChecked()


def test_paused_on_this_computer_the_light_does_not_say_not_listening(run: Run) -> None:
    """Third walk A3: paused locally, the light read "○ Not listening" while the meter moved
    (the input stays open while paused)."""
    run.start(LOCAL)
    run.report(StateChanged(SessionState.LIVE, "Live"), AudioLevel(-24.0, True))
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    run.report(AudioLevel(-21.0, False))
    light = run.window.status_panel.light().text
    assert light == "○ Paused: nothing is captioned", light


def test_the_news_of_a_key_goes_when_that_key_is_rejected(run: Run) -> None:
    """Fourth walk N1: dismissing "AssemblyAI rejected the key you entered" uncovered "The key
    is in use for this session only." while captions ran here and nothing was sent."""
    run.window.set_facts(key=KeyFacts(available=True))
    news = "The key is kept for this session only (not saved)."
    run.window.notify(news, key=KEY_NEWS, until=Until.NEXT_START)
    assert news in run.notices()
    run.window.set_facts(key=REJECTED)
    assert news not in run.notices(), run.notices()


def test_what_the_person_just_did_is_said_before_older_news(run: Run) -> None:
    """Fourth walk NC1: "Transcript exported to …" waited behind older notices ("Dismiss (5
    more)"), so the answer to what the person did was hidden."""
    run.window.set_facts(key=KeyFacts(available=True))
    run.start(CLOUD)
    older = "Changes to the model, host or language apply at the next start."
    run.report(StateChanged(SessionState.LIVE, "Live"), Notice(older))
    exported = "Transcript exported to /tmp/meeting.txt."
    run.window.notify(exported, until=Until.NEXT_START)
    assert run.notices()[:2] == [exported, older], run.notices()
    assert run.window.notices.text() == exported


def test_the_newest_news_comes_first_whoever_gave_it(run: Run) -> None:
    """Fifth walk W2: the app's older notes ("The key is in use for this session only.", "The
    key was saved …") sat on top of the session's newer news (the cloud is away and captions
    go on here; another input in use), so the news was hidden behind "Dismiss (1 more)"."""
    run.window.set_facts(key=KeyFacts(available=True))
    run.start(CLOUD, stand_in=True)
    run.report(StateChanged(SessionState.LIVE, "Live"))
    key_news = "The key is kept for this session only (not saved)."
    run.window.notify(key_news, key=KEY_NEWS, until=Until.NEXT_START)
    saved = "The key was saved in GNOME Keyring."
    run.window.notify(saved, until=Until.NEXT_START)
    covered = "Cannot reach x: refused. Captions continue on this computer."
    run.report(
        EngineInUse("On this computer", True, 0.0, True),
        Notice(covered, Holds.WHILE_COVERED),
    )
    assert run.notices()[:3] == [covered, saved, key_news], run.notices()
    picked = "Captioning continues from USB Microphone."
    run.report(Notice(picked, Holds.WHILE_INPUT))
    assert run.notices()[:2] == [picked, covered], run.notices()
    exported = "Transcript exported to /tmp/meeting.txt."
    run.window.notify(exported, until=Until.NEXT_START)
    assert run.window.notices.text() == exported


def test_nothing_to_export_goes_at_the_start_and_a_silent_input_outranks_older_news(
    run: Run,
) -> None:
    """Sixth walk X2: "Nothing to export yet: start captions first." stayed while captions
    ran, above "No sound from Headset Microphone — is it muted?"; and five exports left five
    notices to dismiss."""
    run.window.set_facts(key=KeyFacts(available=True))
    nothing = "Nothing to export yet: start captions first."
    TranscriptActions(run.window).export(None)
    assert nothing in run.notices()
    run.start(LOCAL)
    assert nothing not in run.notices(), run.notices()
    exported = "Transcript exported to /tmp/meeting.txt."
    run.window.notify(exported, until=Until.NEXT_START)
    silent = "No sound from Headset Microphone — is it muted?"
    run.report(
        StateChanged(SessionState.LIVE, "Live"), InputSilence("Headset Microphone", True, silent)
    )
    assert run.notices()[0] == silent, run.notices()


def test_a_paused_recording_leaves_no_reading_on_the_meter(run: Run) -> None:
    """Fourth walk N3: the demo paused mid-word kept "-33 dB" on the meter for 30 s (a paused
    recording sends no readings)."""
    run.start(LOCAL)
    run.report(StateChanged(SessionState.LIVE, "Live"), AudioLevel(-33.0, True))
    meter = run.window.status_panel.meter
    assert meter.text() == "-33 dB", meter.text()
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    assert meter.text() == "paused", meter.text()
    run.report(AudioLevel(-21.0, False))  # a microphone goes on reading while paused
    assert meter.text() == "-21 dB", meter.text()


def test_paused_while_the_cloud_is_retried_nothing_promises_what_a_pause_stops(run: Run) -> None:
    """Fourth walk N5/N10: paused while "Cannot reach …", the notice went on promising that
    captions continue on this computer by themselves; a local pause said "no audio is being
    sent", which it never is."""
    run.window.set_facts(key=KeyFacts(available=True))
    run.start(CLOUD, stand_in=True)
    unreachable = Problem(ProblemKind.UNREACHABLE, "Cannot reach x: refused.", Recovery.RECONNECT)
    run.report(unreachable, StateChanged(SessionState.UNREACHABLE, "Trying again in 0.5 s."))
    assert any("Cannot reach" in n for n in run.notices()), run.notices()
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    assert not any("Cannot reach" in n for n in run.notices()), run.notices()
    run.stop()
    run.start(LOCAL)
    run.report(StateChanged(SessionState.LIVE, "Live"))
    run.report(StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"))
    line = run.window.status_panel.state_label.text()
    assert line == "Paused: nothing is captioned", line


def test_a_stop_before_the_cloud_ever_answered_says_why_it_did_not_start(run: Run) -> None:
    """Eighth walk Z9: AssemblyAI alone, the cloud never reached, Stop: the overlay said
    "Captions did not start: see Caption App" and the main window "Did not start", with no
    reason and no notice (the retry's problem went with the session, as one that passes)."""
    run.start(CLOUD)
    unreachable = Problem(
        ProblemKind.UNREACHABLE, "Cannot reach 127.0.0.1:8808: connection refused.",
        Recovery.RECONNECT,
    )  # fmt: skip
    run.report(
        StateChanged(SessionState.CONNECTING, "Connecting…"),
        unreachable,
        StateChanged(SessionState.UNREACHABLE, "Trying again in 2.0 s."),
    )
    assert any("keeps trying" in n for n in run.notices()), run.notices()
    run.report(
        StateChanged(SessionState.FAILED, unreachable.message),
        SessionEnded(audio_s=0.0, session_s=4.0, connections=2, failed=unreachable),
    )
    run.stop()
    assert run.window.status_panel.state_label.text() == "Did not start"
    (said,) = [n for n in run.notices() if unreachable.message in n]
    assert "keeps trying" not in said and said.endswith("then start again."), said


def test_a_note_about_the_last_session_does_not_come_back_at_the_next_start(run: Run) -> None:
    """Eleventh walk: "The input you chose last time (Headset Microphone) was not connected…"
    went at Stop and came back at every later Start, the headset plugged in and captured."""
    fallback = "The input you chose last time (Headset Microphone) was not connected at the start"
    run.start(CLOUD)
    run.window.notify(fallback, key="input-fallback", until=Until.WHILE_RUNNING)
    assert any(n.startswith(fallback) for n in run.notices())
    run.stop()
    assert not any(n.startswith(fallback) for n in run.notices())
    run.start(CLOUD)  # the chosen input opens: nothing is said of it
    run.report(StateChanged(SessionState.LIVE, "Live"))
    assert not any(n.startswith(fallback) for n in run.notices()), run.notices()
