"""Nothing the window or the overlay says contradicts the session, whatever happens in what order.

A hypothesis property: random sequences of what a live session reports (states, engines,
problems, notices, silence and sound, levels, words), of what the person does (dismiss a
notice, save a key, pick an engine) and of the session ending, are fed through the real
``SessionController`` into the real main window and overlay. After every step, every notice
not dismissed, the status line, the sending light and the overlay's message are checked
against a plain record of what is true, kept by the test itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    AudioLevel,
    EngineInUse,
    Holds,
    InputSilence,
    Notice,
    SessionEvent,
    SessionListener,
    SessionState,
    StateChanged,
)
from caption_app.core.model.status import EngineView
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.qt.session_controller import SessionController
from caption_app.ui.main_window.status_panel import NO_INPUT_METER_TEXT
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.main_window.window_words import KeyFacts
from caption_app.ui.overlay.window import CaptionOverlay
from tests.transcript.builders import make_turn

CLOUD = EngineView("AssemblyAI Universal-Streaming", on_device=False, billed_per_hour_usd=0.15)
LOCAL = EngineView("Whisper tiny.en on this computer", on_device=True)
SILENT = "No sound from Headset Microphone — is it muted?"
COVER = "Captions continue on this computer until the cloud answers again."


class ScriptedSession:
    """Stands in for ``LiveSession`` on the worker thread: it only waits to be stopped (the
    test hands the controller what a session would report)."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def run(self) -> None:
        self._stop.wait(30)

    def request_stop(self, within_s: float | None = None) -> None:
        self._stop.set()

    def request_pause(self, _paused: bool) -> None:
        pass


@dataclass
class Truth:
    """What is really so, kept by the test from the same steps."""

    running: bool = False
    state: SessionState = SessionState.IDLE
    engine: EngineView | None = None
    stand_in: bool = False
    sending: bool = False
    silent: bool = False
    passing_problem: bool = False
    lost_input_said: bool = False
    """The problem said is that the input was lost (over once an input delivers)."""
    key_available: bool = False
    key_rejected: bool = False
    preference: str = "auto"
    until_live: set[str] = field(default_factory=set)
    input_lost: bool = False
    input_note: str = ""
    """"Captioning continues from …": true while that input delivers."""
    covered_notes: set[str] = field(default_factory=set)
    ever_live: bool = False
    """The session running (or the last one) has been live."""


LOST_INPUT = Problem(ProblemKind.INPUT_LOST, "Headset Microphone was unplugged.", Recovery.GIVE_UP)
PROBLEMS = [
    Problem(ProblemKind.NETWORK, "The connection was lost.", Recovery.RECONNECT),
    Problem(ProblemKind.UNREACHABLE, "Cannot reach 127.0.0.1: refused.", Recovery.RECONNECT),
    Problem(ProblemKind.ENGINE_FAULT, "The speech model stopped.", Recovery.RECONNECT),
    Problem(ProblemKind.RATE_LIMIT, "Too many sessions at once.", Recovery.RETRY_LATER),
    LOST_INPUT,
]
STATES = [
    StateChanged(SessionState.CONNECTING, "Connecting…"),
    StateChanged(SessionState.LIVE, "Live"),
    StateChanged(SessionState.RECONNECTING, "Reconnecting in 0.5 s"),
    StateChanged(SessionState.UNREACHABLE, "Trying again in 0.5 s."),
    StateChanged(SessionState.PAUSED, "Paused: no audio is being sent"),
    StateChanged(SessionState.PAUSED, "Waiting for another input"),
]
EVENTS: list[SessionEvent] = [
    *STATES,
    *PROBLEMS,
    EngineInUse(CLOUD.name, False, 0.15, False),
    EngineInUse(LOCAL.name, True, 0.0, True),
    Notice("The captioning service stopped answering; reconnecting.", Holds.UNTIL_LIVE),
    Notice(f"AssemblyAI did not come back. {COVER}", Holds.WHILE_COVERED),
    Notice(
        f"Cannot reach 127.0.0.1:18765: the connection was refused. {COVER}", Holds.WHILE_COVERED
    ),
    Notice("Captioning continues from Webcam.", Holds.WHILE_INPUT),
    Notice("Captioning continues from Headset Microphone.", Holds.WHILE_INPUT),
    InputSilence("Headset Microphone", True, SILENT),
    InputSilence("Headset Microphone", False),
    AudioLevel(-27.0, True),
    AudioLevel(-27.0, False),
    TurnUpdate(UpdateKind.LIVE, make_turn(0, 0, "belief in", 0)),
]
ACTIONS = ["start-cloud", "start-auto", "start-local", "stop", "dismiss", "key-saved", "rejected"]
ACTIONS += ["prefer-local", "prefer-auto"]
steps = st.lists(st.sampled_from([*range(len(EVENTS)), *ACTIONS]), min_size=1, max_size=30)


def _apply(truth: Truth, event: SessionEvent) -> None:  # noqa: PLR0912
    if not truth.running:
        return
    if isinstance(event, StateChanged):
        if event.state is SessionState.PAUSED and truth.state is not SessionState.PAUSED:
            truth.input_note = ""  # paused: captioning does not continue from it
        truth.state = event.state
        if event.state not in (
            SessionState.CONNECTING,
            SessionState.LIVE,
            SessionState.RECONNECTING,
        ):
            truth.sending = False
        if event.state is SessionState.LIVE:
            truth.ever_live = True
            truth.passing_problem = False
            truth.until_live.clear()
            if truth.engine is not None and not truth.engine.on_device:
                truth.key_rejected = False  # the cloud took a key: the rejection is over
    elif isinstance(event, Problem):
        truth.passing_problem = True
        truth.lost_input_said = event.kind is ProblemKind.INPUT_LOST
        if event.kind is ProblemKind.INPUT_LOST:
            truth.input_lost, truth.input_note = True, ""
    elif isinstance(event, EngineInUse):
        truth.engine = EngineView.of(event)
        if not event.standing_in:
            truth.covered_notes.clear()
        else:  # this computer takes over: the trouble that led to it is no longer the news
            truth.passing_problem = False
    elif isinstance(event, Notice):
        if event.holds is Holds.UNTIL_LIVE:
            truth.until_live.add(event.text)
        elif event.holds is Holds.WHILE_COVERED:
            truth.covered_notes.add(event.text)
        elif event.holds is Holds.WHILE_INPUT:
            truth.input_note = event.text  # the input it names replaced the one before
    elif isinstance(event, InputSilence):
        truth.silent = event.silent
    elif isinstance(event, AudioLevel):
        truth.input_lost = False  # a reading: an input delivers
        if truth.lost_input_said:  # so none is lost any more, paused or not
            truth.passing_problem = truth.lost_input_said = False
        truth.sending = event.sending and truth.state in (
            SessionState.CONNECTING,
            SessionState.LIVE,
            SessionState.RECONNECTING,
        )
    elif isinstance(event, TurnUpdate):
        truth.silent = False


def _check(truth: Truth, window: MainWindow, overlay: CaptionOverlay) -> None:  # noqa: PLR0912
    running, state, engine = truth.running, truth.state, truth.engine
    covered = running and engine is not None and engine.standing_in
    cloud_live = running and engine is not None and not engine.on_device
    for item in window.notices.showing():
        text = item.text
        if "No sound from" in text:
            assert running and truth.silent and state is not SessionState.PAUSED, text
        if COVER in text:
            assert covered, text
        if "stopped answering" in text:
            assert running and state is not SessionState.LIVE and text in truth.until_live
        if "Captioning continues from" in text:
            assert running and not truth.input_lost and text == truth.input_note, text
            assert state is not SessionState.PAUSED, text
        if any(p.message in text for p in PROBLEMS):
            assert running and truth.passing_problem and state is not SessionState.LIVE, text
            if LOST_INPUT.message in text:  # only while no input delivers
                assert truth.input_lost, text
            if truth.stand_in:  # the app switches by itself: no advice to do it by hand
                assert "Engine menu" not in text, text
        if "rejected" in text:
            assert truth.key_rejected and truth.preference != "local", text
        if "with no account" in text:
            assert not truth.key_available and not cloud_live, text
    # One outage, one notice: the newest news of the cloud's absence takes the last one's place.
    assert len([n for n in window.notices.showing() if COVER in n.text]) <= 1
    # The first notice shown is the first not dismissed; nothing hidden is counted.
    assert window.notices.isHidden() == (not window.notices.showing())
    light = window.status_panel.sending_label.text()
    line = window.status_panel.state_label.text()
    connected = running and state in (
        SessionState.CONNECTING,
        SessionState.LIVE,
        SessionState.RECONNECTING,
    )
    if engine is not None and engine.on_device:
        assert ("stays on this computer" in light) == connected, light
    else:
        sending = connected and truth.sending and state is SessionState.LIVE
        assert ("Sending audio to the cloud" in light) == sending, light
    if line.startswith("Live"):
        assert running and state is SessionState.LIVE, line
    if "Paused" in line or "Waiting" in line:
        assert running and state is SessionState.PAUSED, line
    if line.startswith(("Stopped", "Finished", "Did not start")):
        assert not running, line
    if line == "Did not start":
        assert not truth.ever_live, line
    if line.startswith("Starting the speech model"):  # not on the way back to the cloud
        assert running and engine is not None and engine.on_device, line
    if line.startswith("Connecting to"):
        assert running and engine is not None and not engine.on_device, line
    if "Reconnect" in line or "Reconnect" in overlay.status():  # nothing connects locally
        assert running and engine is not None and not engine.on_device, line
    # The meter reads "no input" while none delivers, never its last reading.
    meter = window.status_panel.meter.text()
    if running and truth.input_lost:
        assert meter == NO_INPUT_METER_TEXT, meter
    elif meter == NO_INPUT_METER_TEXT:
        assert running, meter
    # The empty transcript: "Press Start" only while nothing runs, "Listening" only live.
    hint = window.transcript.editor.placeholderText()
    if hint.startswith("Press Start"):
        assert not running, hint
    if hint.startswith("Listening"):
        assert running and state is SessionState.LIVE, hint
    # The session clock runs exactly while a session runs, whatever ended the last one (from
    # Start, as the recorded length does: the fourth walk saw them differ by the model's load).
    assert window.status_panel.clock_running() == running
    # "On this computer" only while it captions (the seventh walk: it stayed lit while paused).
    paused = state is SessionState.PAUSED
    assert (overlay.badge() != "") == (covered and not paused), overlay.badge()
    said = overlay.status()
    if not running:
        assert said.startswith(("Captions stopped", "End of")) or said == "", said
    elif state is SessionState.LIVE:
        assert said == "", said
    else:
        assert said, state


@settings(
    max_examples=500,  # 120 missed some of the defects this found on the code before it
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps)
def test_nothing_shown_contradicts_the_session(qtbot: QtBot, script: list[int | str]) -> None:
    controller = SessionController()
    window = MainWindow(controller, list, price_per_hour=0.0)
    overlay = CaptionOverlay()
    controller.statusChanged.connect(overlay.show_status)
    window.set_facts(explain_engines=True)
    truth = Truth()
    session: ScriptedSession | None = None
    try:
        for step in script:
            if isinstance(step, int):
                event = EVENTS[step]
                _apply(truth, event)
                if controller.running:
                    controller._on_event(event)  # as the queued signal hands it over
            elif step.startswith("start") and not controller.running:
                engine = LOCAL if step == "start-local" else CLOUD
                stand_in = step == "start-auto"
                truth = Truth(
                    running=True,
                    state=SessionState.CONNECTING,
                    engine=engine,
                    stand_in=stand_in,
                    key_available=truth.key_available,
                    key_rejected=truth.key_rejected,
                    preference=truth.preference,
                )
                session = ScriptedSession()

                def factory(_listener: SessionListener, made: ScriptedSession = session):  # type: ignore[no-untyped-def]
                    return made

                window.starting()
                controller.start(factory, engine, has_stand_in=stand_in)
            elif step == "stop" and controller.running:
                controller.stop()
                qtbot.waitUntil(lambda: not controller.running, timeout=5000)
                truth.running = False
                truth.sending = truth.silent = truth.passing_problem = False
            elif step == "dismiss" and not window.notices.isHidden():
                window.notices.dismiss_button.click()
            elif step == "key-saved":
                truth.key_available, truth.key_rejected = True, False
                window.set_facts(key=KeyFacts(available=True))
            elif step == "rejected":
                truth.key_rejected = True
                window.set_facts(key=KeyFacts(available=True, rejected="the stored key"))
            elif step.startswith("prefer"):
                truth.preference = step.removeprefix("prefer-")
                window.set_facts(preference=truth.preference)
            _check(truth, window, overlay)
    finally:
        controller.stop()
        controller.wait(5000)
        qtbot.waitUntil(lambda: not controller.running, timeout=5000)
        window.deleteLater()
        overlay.deleteLater()
