"""The connection supervisor on a fake clock, with a fake engine: every state, every move.

No threads, no sockets, no sleeping: the clock is a number the test moves in milliseconds, the
engine hands out recording connections (or refuses, as told), and a small pump does what the
supervisor answers (opening at once, or never when a connect is to hang). The end-to-end tests
against the local server (tests/streaming, tests/failover) stay; these pin down the rules
themselves: the backoff sequence, rollover timing, the watchdog, pause and resume whatever the
input does, a connect that hangs, failing over and coming back, and stop from every state.
"""

from __future__ import annotations

import datetime
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from caption_app.core.engines.assemblyai.engine import READER_LOST
from caption_app.core.engines.base import CannotConnect, Connection, EventQueue
from caption_app.core.model.gaps import GapReason
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    EngineInUse,
    Holds,
    Notice,
    SessionEvent,
    SessionState,
    StateChanged,
)
from caption_app.core.settings import FailoverSettings, StreamingSettings
from caption_app.core.streaming.actions import Action, Adopt, Discard, Open, Retire
from caption_app.core.streaming.failover import EngineSelector
from caption_app.core.streaming.phases import TRANSITIONS, Effect, Phase, Trigger
from caption_app.core.streaming.reports import COVERED
from caption_app.core.streaming.supervisor import Supervisor
from caption_app.core.streaming.timing import Timing
from caption_app.core.streaming.watchdog import SPARSE_WATCHDOG_FACTOR
from tests.support.said import untimed

TIMING = Timing()  # production values: the fake clock makes them free
NETWORK = Problem(ProblemKind.NETWORK, "The connection was lost.", Recovery.RECONNECT)
AUTH = Problem(ProblemKind.AUTH, "The key was rejected.", Recovery.NEW_KEY, 4001)
RATE = Problem(ProblemKind.RATE_LIMIT, "Too many sessions.", Recovery.RETRY_LATER, 3009)
EXPIRED = Problem(ProblemKind.EXPIRED, "The session expired.", Recovery.RECONNECT_NOW, 3008)
BROKEN_INPUT = Problem(ProblemKind.AUDIO_INPUT, "The microphone failed.", Recovery.GIVE_UP)
UNREACHABLE = Problem(
    ProblemKind.UNREACHABLE, "Cannot reach the cloud: refused.", Recovery.RECONNECT
)
THREE_HOURS_S = 3 * 3600.0
GRACE_MS = TIMING.cloud_grace_s * 1000


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance_ms(self, ms: float) -> None:
        self.now += ms / 1000


@dataclass
class FakeConnection:
    stream: int
    closed: bool = False

    def send_audio(self, pcm: bytes) -> None:
        pass

    def force_endpoint(self) -> None:
        pass

    def update(self, settings: StreamingSettings) -> None:
        pass

    def close(self, *, terminate: bool, timeout: float) -> None:
        self.closed = True


@dataclass
class FakeEngine:
    """Opens connections; ``refusals`` are raised, one per attempt, before any succeeds."""

    name: str = "fake"
    billed_per_hour_usd: float = 0.0
    on_device: bool = True
    realtime_lead_s: float | None = None
    answer_within_s: float = 4.0
    refusals: list[Exception] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    prepared: int = 0

    def no_answer(self, settings: StreamingSettings) -> Problem:
        return Problem(
            ProblemKind.UNREACHABLE, f"Cannot reach {self.name}: no answer.", Recovery.RECONNECT
        )

    def warm_up(self) -> None:
        pass

    def prepare(self, settings: StreamingSettings) -> None:
        self.prepared += 1

    def release(self) -> None:
        self.prepared = 0

    def open(self, stream: int, settings: StreamingSettings, events: EventQueue) -> Connection:
        if self.refusals:
            raise self.refusals.pop(0)
        self.opened.append(stream)
        return FakeConnection(stream)


@dataclass
class Rig:
    """A supervisor and the smallest pump that does what it answers."""

    clock: FakeClock = field(default_factory=FakeClock)
    engine: FakeEngine = field(default_factory=FakeEngine)
    local: FakeEngine | None = None
    """Standing in for ``engine`` (the cloud) when set: engine = auto."""
    reports: list[SessionEvent] = field(default_factory=list)
    settings: StreamingSettings = field(default_factory=StreamingSettings)
    timing: Timing = TIMING
    hang: set[str] = field(default_factory=set)
    """Names of engines whose attempts never answer (until ``answer``)."""
    dial: bool = True
    """Attempts have loaded what they need at once (False: an SDK import takes its time)."""
    pending: list[Open] = field(default_factory=list)
    adopted: list[tuple[int, str]] = field(default_factory=list)
    """(stream, engine name) of every connection audio went to."""
    retired: list[tuple[int, bool, GapReason | None, bool]] = field(default_factory=list)
    """(stream, had a connection, gap reason, clean)."""
    discarded: list[int] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    speaking: bool = False
    supervisor: Supervisor = field(init=False)

    def __post_init__(self) -> None:
        engines = EngineSelector(self.engine, self.local, clock=self.clock)
        self.supervisor = Supervisor(
            engines,
            lambda: self.settings,
            self.reports.append,
            timing=self.timing,
            clock=self.clock,
        )

    # the pump's part

    def do(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Open):
                if self.dial:
                    self.supervisor.dialling(action.stream)  # loaded: it contacts the engine
                if action.engine.name in self.hang:
                    self.pending.append(action)
                else:
                    self.answer(action)
            elif isinstance(action, Adopt):
                self.adopted.append((action.stream, action.engine.name))
                if action.marker:
                    self.markers.append(action.marker)
            elif isinstance(action, Retire):
                had = action.connection is not None
                self.retired.append((action.stream, had, action.reason, action.clean))
            elif isinstance(action, Discard):
                self.discarded.append(action.stream)

    def answer(self, action: Open) -> None:
        engine = action.engine
        assert isinstance(engine, FakeEngine)
        try:
            connection = engine.open(action.stream, self.settings, None)  # type: ignore[arg-type]
        except CannotConnect as exc:
            self.do(self.supervisor.connection_failed(action.stream, exc.problem))
        except Exception:  # what the opener makes of anything else
            self.do(self.supervisor.connection_failed(action.stream, UNREACHABLE))
        else:
            self.do(self.supervisor.opened(action.stream, connection))

    def answer_pending(self) -> None:
        pending, self.pending = self.pending, []
        for action in pending:
            self.answer(action)

    # what happens to a session

    def start(self) -> None:
        self.do(self.supervisor.start())

    def began(self, stream: int | None = None, expires_in_s: float | None = None) -> None:
        s = self.supervisor
        self.do(s.began(s.stream if stream is None else stream, expires_in_s))

    def failed(self, problem: Problem, stream: int | None = None) -> None:
        s = self.supervisor
        self.do(s.connection_failed(s.stream if stream is None else stream, problem))

    def tick(self) -> None:
        self.do(self.supervisor.tick(between_turns=not self.speaking))

    def pause(self) -> None:
        self.do(self.supervisor.pause())

    def resume(self) -> None:
        self.do(self.supervisor.resume())

    def input_lost(self) -> None:
        self.do(self.supervisor.input_lost())

    def input_replaced(self) -> None:
        self.do(self.supervisor.input_replaced())

    def stop(self) -> None:
        self.do(self.supervisor.stop())

    # what it said

    def states(self) -> list[tuple[SessionState, str]]:
        states: list[tuple[SessionState, str]] = []
        for e in self.reports:
            if isinstance(e, StateChanged) and (not states or states[-1] != (e.state, e.detail)):
                states.append((e.state, e.detail))
        return states

    def last_state(self) -> tuple[SessionState, str]:
        return self.states()[-1]

    def said(self) -> list[str]:
        """What was said, each notice's time of day left out (``untimed``)."""
        return [
            e.message if isinstance(e, Problem) else untimed(e.text) for e in self.problems_said()
        ]

    def problems_said(self) -> list[Problem | Notice]:
        return [e for e in self.reports if isinstance(e, Problem | Notice)]

    def delay_ms(self) -> int:
        return round((self.supervisor.next_attempt_at - self.clock.now) * 1000)


def phase_of(supervisor: Supervisor) -> Phase:
    """Read afresh (each call may move it)."""
    return supervisor.phase


def rig_in(phase: Phase, **options: object) -> Rig:
    """A supervisor brought to ``phase`` the way a session gets there."""
    rig = Rig(**options)  # type: ignore[arg-type]
    s = rig.supervisor
    if phase is Phase.STARTING:
        return rig
    rig.start()
    if phase is Phase.CONNECTING:
        return rig
    rig.began(expires_in_s=THREE_HOURS_S)
    if phase is Phase.BACKOFF:
        rig.failed(NETWORK)
    elif phase is Phase.HELD:
        rig.pause()
    elif phase is Phase.FAILED:
        rig.failed(AUTH)
    elif phase is Phase.STOPPING:
        rig.stop()
    elif phase is Phase.ENDED:
        rig.stop()
        s.closed()
    assert phase_of(s) is phase
    return rig


def rig_live_locally() -> Rig:
    """engine = auto with the cloud unreachable at Start: live on the local engine."""
    rig = Rig(engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    rig.engine.refusals.append(CannotConnect(UNREACHABLE))
    rig.start()
    rig.tick()
    rig.began()
    assert phase_of(rig.supervisor) is Phase.LIVE and rig.adopted == [(1, "local")]
    return rig


def rig_cloud_hanging_at_start() -> Rig:
    """engine = auto; the cloud's first attempt never answers: local after the grace."""
    rig = Rig(engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"), hang={"cloud"})
    rig.start()
    rig.clock.advance_ms(GRACE_MS)
    rig.tick()
    assert phase_of(rig.supervisor) is Phase.CONNECTING and rig.adopted == [(1, "local")]
    return rig


def _wait_for_backoff(rig: Rig) -> None:
    rig.clock.now = max(rig.clock.now, rig.supervisor.next_attempt_at)
    rig.tick()


def _wait_for_rollover(rig: Rig) -> None:
    due = rig.supervisor.rollover_at
    rig.clock.now = due if due is not None else rig.clock.now + THREE_HOURS_S
    rig.tick()


def _speak_unanswered(rig: Rig) -> None:
    rig.supervisor.speech_sent()
    rig.clock.advance_ms(TIMING.watchdog_s * 1000 + 1)
    rig.tick()


def _cloud_tried_again(rig: Rig) -> None:
    rig.clock.advance_ms(FailoverSettings().probe_every_s * 1000)
    rig.tick()


def _cloud_answers_on_the_side(rig: Rig) -> None:
    s = rig.supervisor
    if s._attempts.aside is None:
        _cloud_tried_again(rig)
    aside = s._attempts.aside
    assert aside is not None
    rig.answer_pending()
    rig.began(aside.stream)
    rig.tick()


def _fail_over(rig: Rig) -> None:
    if phase_of(rig.supervisor) is Phase.CONNECTING:
        rig.clock.advance_ms(GRACE_MS)
    else:
        rig.clock.advance_ms(FailoverSettings().after_s * 1000)
    rig.tick()


FIRE: dict[Trigger, Callable[[Rig], object]] = {
    Trigger.START: Rig.start,
    Trigger.OPENED: Rig.answer_pending,
    Trigger.BEGAN: lambda rig: rig.began(expires_in_s=THREE_HOURS_S),
    Trigger.CONNECTION_FAILED: lambda rig: rig.failed(NETWORK),
    Trigger.GIVE_UP: lambda rig: rig.do(rig.supervisor.input_failed(BROKEN_INPUT)),
    Trigger.BACKOFF_ELAPSED: _wait_for_backoff,
    Trigger.FAIL_OVER: _fail_over,
    Trigger.RETURN_DUE: _cloud_tried_again,
    Trigger.SWITCH: _cloud_answers_on_the_side,
    Trigger.ROLLOVER_DUE: _wait_for_rollover,
    Trigger.WATCHDOG_EXPIRED: _speak_unanswered,
    Trigger.PAUSE: Rig.pause,
    Trigger.INPUT_LOST: Rig.input_lost,
    Trigger.RELEASE: Rig.resume,
    Trigger.INPUT_REPLACED: Rig.input_replaced,
    Trigger.STOP: Rig.stop,
    Trigger.CLOSED: lambda rig: rig.supervisor.closed(),
    Trigger.CHOSEN_HERE: lambda rig: rig.do(rig.supervisor.engine_chosen(here=True)),
}
"""How each trigger happens in a session."""
assert set(FIRE) == set(Trigger)


def rig_for(phase: Phase, trigger: Trigger) -> Rig:
    """A rig in ``phase`` where ``trigger`` can happen the way it does in a session."""
    if trigger is Trigger.OPENED:
        rig = Rig(hang={"fake"})
        rig.start()
        return rig
    if trigger is Trigger.FAIL_OVER and phase is Phase.CONNECTING:
        rig = Rig(engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"), hang={"cloud"})
        rig.start()
        return rig
    if trigger is Trigger.FAIL_OVER:  # BACKOFF: a live cloud lost, and it stays away
        rig = rig_in(Phase.LIVE, engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
        rig.failed(NETWORK)
        rig.engine.refusals += [CannotConnect(UNREACHABLE)] * 10
        for _ in range(3):
            _wait_for_backoff(rig)
        assert phase_of(rig.supervisor) is Phase.BACKOFF
        return rig
    if trigger is Trigger.RETURN_DUE:
        return rig_live_locally()
    if trigger is Trigger.CHOSEN_HERE:  # engine = auto, the cloud in use or being tried
        return rig_in(phase, engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    if trigger is Trigger.SWITCH:
        if phase is Phase.LIVE:
            rig = rig_live_locally()
            rig.hang.add("cloud")
            _cloud_tried_again(rig)
            return rig
        if phase is Phase.CONNECTING:
            return rig_cloud_hanging_at_start()
        rig = rig_live_locally()  # BACKOFF: the local engine fails while the cloud is tried
        rig.hang.add("cloud")
        _cloud_tried_again(rig)
        rig.local.refusals.append(CannotConnect(NETWORK))  # type: ignore[union-attr]
        rig.failed(NETWORK)
        assert phase_of(rig.supervisor) is Phase.BACKOFF
        return rig
    return rig_in(phase)


@pytest.mark.parametrize(
    ("phase", "trigger"), list(TRANSITIONS), ids=lambda v: getattr(v, "value", str(v))
)
def test_every_listed_move_happens_with_its_effects(phase: Phase, trigger: Trigger) -> None:
    rig = rig_for(phase, trigger)
    s = rig.supervisor
    assert phase_of(s) is phase
    move = TRANSITIONS[(phase, trigger)]
    retired, adopted = len(rig.retired), len(rig.adopted)
    opened = len(rig.engine.opened) + len(rig.pending) + len(getattr(rig.local, "opened", []))
    fire(rig, trigger)
    assert phase_of(s) is move.to
    opens = len(rig.engine.opened) + len(rig.pending) + len(getattr(rig.local, "opened", []))
    connects = sum(e in (Effect.CONNECT, Effect.OPEN_ASIDE) for e in move.effects)
    assert opens - opened == connects
    new_retired = rig.retired[retired:]
    if Effect.END in move.effects:
        assert any(clean and reason is GAP_OF[trigger] for _, _, reason, clean in new_retired)
    if Effect.DROP in move.effects:
        assert any(not clean for *_, clean in new_retired)
    if Effect.ADOPT in move.effects or Effect.TAKE_OVER in move.effects:
        assert len(rig.adopted) == adopted + 1
    if move.to in (Phase.BACKOFF, Phase.HELD, Phase.FAILED, Phase.STOPPING, Phase.ENDED):
        assert s.receiver is None


GAP_OF = {
    Trigger.GIVE_UP: GapReason.RECONNECT,
    Trigger.SWITCH: GapReason.SWITCH,
    Trigger.ROLLOVER_DUE: GapReason.ROLLOVER,
    Trigger.PAUSE: GapReason.PAUSE,
    Trigger.INPUT_LOST: GapReason.INPUT_LOST,
    Trigger.INPUT_REPLACED: GapReason.DEVICE,
    Trigger.CHOSEN_HERE: GapReason.SWITCH,
}


def fire(rig: Rig, trigger: Trigger) -> None:
    FIRE[trigger](rig)


_UNLISTED = [
    (phase, trigger)
    for phase, trigger in itertools.product(Phase, Trigger)
    if (phase, trigger) not in TRANSITIONS
]


@pytest.mark.parametrize(("phase", "trigger"), _UNLISTED, ids=lambda v: getattr(v, "value", str(v)))
def test_every_other_trigger_is_ignored(phase: Phase, trigger: Trigger) -> None:
    rig = rig_in(phase)
    s = rig.supervisor
    before = (len(rig.engine.opened), len(rig.retired), len(rig.adopted), s.receiver)
    assert s._fire(trigger) is None
    assert phase_of(s) is phase
    assert (len(rig.engine.opened), len(rig.retired), len(rig.adopted), s.receiver) == before


_DIRECT = (
    Trigger.START,
    Trigger.BEGAN,
    Trigger.CONNECTION_FAILED,
    Trigger.GIVE_UP,
    Trigger.PAUSE,
    Trigger.INPUT_LOST,
    Trigger.RELEASE,
    Trigger.INPUT_REPLACED,
    Trigger.STOP,
    Trigger.CLOSED,
)


@pytest.mark.parametrize(
    ("phase", "trigger"),
    [(p, t) for p, t in _UNLISTED if t in _DIRECT],
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_what_happens_out_of_turn_changes_no_connection(phase: Phase, trigger: Trigger) -> None:
    rig = rig_in(phase)
    s = rig.supervisor
    before = (len(rig.engine.opened), len(rig.retired), len(rig.adopted))
    fire(rig, trigger)
    assert (len(rig.engine.opened), len(rig.retired), len(rig.adopted)) == before
    if trigger not in (Trigger.PAUSE, Trigger.RELEASE, Trigger.INPUT_LOST, Trigger.INPUT_REPLACED):
        assert phase_of(s) is phase


def test_every_phase_is_reachable_and_has_a_way_out() -> None:
    targets = {move.to for move in TRANSITIONS.values()}
    sources = {phase for phase, _ in TRANSITIONS}
    assert targets | {Phase.STARTING} == set(Phase)
    assert sources | {Phase.ENDED} == set(Phase)


# --- backoff, limits, giving up --------------------------------------------------------------


def test_the_backoff_doubles_to_its_cap_and_resets_once_the_engine_answers() -> None:
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    delays = []
    for _ in range(7):
        rig.failed(NETWORK)
        delays.append(rig.delay_ms())
        shown = f"Reconnecting in {delays[-1] / 1000:.1f} s"
        assert rig.last_state() == (SessionState.RECONNECTING, shown)
        rig.clock.now = s.next_attempt_at
        rig.tick()
        assert phase_of(s) is Phase.CONNECTING
    assert delays == [500, 1000, 2000, 4000, 8000, 8000, 8000]
    assert rig.engine.opened == list(range(8))
    rig.began()
    s.turn_received(s.stream)
    rig.failed(NETWORK)
    assert rig.delay_ms() == 500


def test_a_service_that_drops_every_connection_after_begin_is_not_hammered() -> None:
    """Begin alone proves nothing (a hostile frame after each Begin kills the reader): the
    backoff goes on doubling, so it is not a new billed session every half second."""
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    delays = []
    for _ in range(6):
        rig.began()
        rig.clock.advance_ms(50)
        rig.failed(READER_LOST)
        delays.append(rig.delay_ms())
        rig.clock.now = s.next_attempt_at
        rig.tick()
    assert delays == [500, 1000, 2000, 4000, 8000, 8000]
    # A connection that held for a while starts the backoff afresh, turns or not (a quiet room).
    rig.began()
    rig.clock.advance_ms(TIMING.stable_after_s * 1000)
    rig.failed(NETWORK)
    assert rig.delay_ms() == 500


def test_the_same_failure_again_and_again_is_said_once() -> None:
    rig = rig_in(Phase.LIVE)
    for _ in range(4):
        rig.failed(NETWORK)
        _wait_for_backoff(rig)
        rig.began()
    assert rig.said() == [NETWORK.message]
    rig.supervisor.turn_received(rig.supervisor.stream)  # it carried captions: news again
    rig.failed(NETWORK)
    assert rig.said() == [NETWORK.message, NETWORK.message]


def test_limits_wait_longer_and_an_expired_session_reconnects_at_once() -> None:
    rig = rig_in(Phase.LIVE)
    rig.failed(RATE)
    assert rig.delay_ms() == TIMING.rate_limit_backoff_s * 1000
    rig = rig_in(Phase.LIVE)
    rig.failed(EXPIRED)
    assert rig.delay_ms() == 0
    rig.tick()
    assert phase_of(rig.supervisor) is Phase.CONNECTING and rig.supervisor.stream == 1


def test_a_rejected_key_ends_the_session_without_retrying() -> None:
    rig = rig_in(Phase.LIVE)
    rig.failed(AUTH)
    s = rig.supervisor
    assert phase_of(s) is Phase.FAILED and s.failure == AUTH
    assert rig.last_state() == (SessionState.FAILED, AUTH.message)
    assert AUTH in rig.reports
    rig.clock.advance_ms(60_000)
    rig.tick()
    assert rig.engine.opened == [0]
    assert rig.retired == [(0, True, GapReason.RECONNECT, True)]


def test_a_script_gives_up_after_so_many_failures_in_a_row() -> None:
    rig = rig_in(Phase.CONNECTING, timing=Timing(give_up_after_failures=3))
    s = rig.supervisor
    rig.failed(NETWORK)
    _wait_for_backoff(rig)
    rig.began()
    s.turn_received(s.stream)  # the service really worked: the count starts again
    for _ in range(2):
        rig.failed(NETWORK)
        _wait_for_backoff(rig)
    assert phase_of(s) is Phase.CONNECTING
    rig.failed(NETWORK)
    assert phase_of(s) is Phase.FAILED
    assert s.failure is not None and s.failure.recovery is Recovery.GIVE_UP


def test_no_key_fails_at_once_and_a_token_service_hiccup_is_retried() -> None:
    no_key = Problem(ProblemKind.NO_KEY, "No key.", Recovery.NEW_KEY)
    rig = Rig(engine=FakeEngine(refusals=[CannotConnect(no_key)]))
    rig.start()
    assert phase_of(rig.supervisor) is Phase.FAILED and rig.supervisor.failure == no_key
    assert no_key in rig.reports and rig.adopted == []

    hiccup = Problem(ProblemKind.TOKEN_SERVICE, "The token service is down.", Recovery.RECONNECT)
    rig = Rig(engine=FakeEngine(refusals=[CannotConnect(hiccup), RuntimeError("boom")]))
    s = rig.supervisor
    rig.start()
    assert phase_of(s) is Phase.BACKOFF
    assert rig.last_state() == (SessionState.RECONNECTING, hiccup.message)
    _wait_for_backoff(rig)  # an engine raising something unexpected: retried
    assert phase_of(s) is Phase.BACKOFF
    assert rig.problems_said()[-1] == UNREACHABLE
    _wait_for_backoff(rig)
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [2]
    assert rig.adopted == [(2, "fake")]


def test_an_input_that_fails_ends_the_session_and_is_told_after_the_move() -> None:
    rig = rig_in(Phase.CONNECTING)
    rig.do(rig.supervisor.input_failed(BROKEN_INPUT))
    assert phase_of(rig.supervisor) is Phase.FAILED and rig.problems_said() == [BROKEN_INPUT]
    assert rig.retired == [(0, True, GapReason.RECONNECT, True)]  # its last words still come
    rig.stop()
    rig.do(rig.supervisor.input_failed(BROKEN_INPUT))  # stopping: nothing to say any more
    assert rig.problems_said() == [BROKEN_INPUT]


# --- rollover and the watchdog -----------------------------------------------------------------


def test_rollover_comes_two_minutes_before_expiry_and_never_sooner_than_the_floor() -> None:
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    began_at = rig.clock.now
    rig.began(expires_in_s=THREE_HOURS_S)
    assert s.rollover_at == began_at + THREE_HOURS_S - TIMING.rollover_margin_s
    rig.clock.now = s.rollover_at - 0.001
    rig.tick()
    assert s.stream == 0
    rig.clock.now = s.rollover_at
    rig.tick()
    assert phase_of(s) is Phase.CONNECTING and s.stream == 1
    assert rig.retired == [(0, True, GapReason.ROLLOVER, True)]
    # A clock far off (expiry "already past") still keeps each connection for the floor.
    rig.began(expires_in_s=-50.0)
    assert s.rollover_at == rig.clock.now + TIMING.rollover_floor_s


def test_the_watchdog_restarts_a_connection_that_stopped_answering_speech() -> None:
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    s.speech_sent()  # before Began the model may still be loading: not counted
    rig.clock.advance_ms(3_000)
    rig.tick()
    assert s.stream == 0
    rig.began()
    s.speech_sent()
    rig.clock.advance_ms(4_000)
    s.heard_from(s.stream)  # an answer: the wait starts again with the next speech
    s.speech_sent()
    rig.clock.advance_ms(5_000)
    rig.tick()
    assert s.stream == 0
    rig.clock.advance_ms(1)
    rig.tick()
    assert phase_of(s) is Phase.CONNECTING and s.stream == 1
    assert rig.retired == [(0, True, GapReason.RECONNECT, False)]
    lost = Notice("The captioning service stopped answering; reconnecting.", Holds.UNTIL_LIVE)
    assert lost in rig.reports


def test_a_dead_reader_reported_at_once_reconnects_after_the_first_backoff_not_the_watchdog() -> (
    None
):
    # The AssemblyAI engine reports its SDK's read thread dying as READER_LOST, when it dies.
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    s.speech_sent()  # the speech the dead reader will never answer
    rig.clock.advance_ms(100)
    rig.failed(READER_LOST)
    assert phase_of(s) is Phase.BACKOFF
    assert rig.retired == [(0, True, GapReason.RECONNECT, False)]  # no Terminate to wait on
    assert READER_LOST in rig.reports
    rig.clock.advance_ms(TIMING.backoff_first_s * 1000)
    rig.tick()
    assert phase_of(s) is Phase.CONNECTING and s.stream == 1
    assert TIMING.backoff_first_s < TIMING.watchdog_s / 5
    assert not [r for r in rig.reports if isinstance(r, Notice)]  # not the watchdog's notice


def test_sparse_partial_models_get_a_longer_watchdog() -> None:
    rig = rig_in(Phase.LIVE, settings=StreamingSettings(speech_model="u3-rt-pro"))
    s = rig.supervisor
    s.speech_sent()
    rig.clock.advance_ms(TIMING.watchdog_s * 1000 * SPARSE_WATCHDOG_FACTOR)
    rig.tick()
    assert s.stream == 0
    rig.clock.advance_ms(1)
    rig.tick()
    assert s.stream == 1


def test_a_termination_nobody_asked_for_is_a_drop_not_a_silence_for_the_watchdog() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    rig.do(s.terminated(0))
    assert phase_of(s) is Phase.BACKOFF
    assert rig.retired == [(0, True, GapReason.RECONNECT, False)]
    assert rig.delay_ms() == TIMING.backoff_first_s * 1000
    rig = rig_in(Phase.HELD)  # the Termination of a connection retired on purpose
    assert rig.supervisor.terminated(0) == []
    assert phase_of(rig.supervisor) is Phase.HELD


def test_a_second_failure_report_for_the_same_connection_counts_once() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    rig.failed(NETWORK, stream=0)
    first = rig.delay_ms()
    rig.failed(NETWORK, stream=0)
    assert rig.delay_ms() == first and len(rig.retired) == 1
    rig.failed(AUTH, stream=0)  # a retired connection's report changes nothing now
    assert phase_of(s) is Phase.BACKOFF


# --- pause: the person's intent, whatever the input and the network do -----------------------


def test_pause_closes_the_connection_and_resume_opens_a_new_one() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    rig.pause()
    assert s.receiver is None and s.paused and s.state.state is SessionState.PAUSED
    assert rig.retired == [(0, True, GapReason.PAUSE, True)]
    assert rig.last_state() == (SessionState.PAUSED, "Paused: no audio is being sent")
    rig.clock.advance_ms(600_000)
    rig.tick()
    assert rig.engine.opened == [0]  # nothing reconnects while paused
    rig.resume()
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [0, 1]
    assert rig.last_state() == (SessionState.RECONNECTING, "Connecting…")
    assert not s.paused


def test_pause_while_waiting_for_another_input_is_kept() -> None:
    """Defect 1: Pause pressed while the input was gone was dropped (no table row)."""
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    rig.input_lost()
    assert rig.last_state() == (SessionState.NO_INPUT, "Waiting for another input")
    rig.pause()
    assert s.paused and s.state.state is SessionState.PAUSED
    assert rig.last_state() == (SessionState.PAUSED, "Paused: no audio is being sent")
    rig.input_replaced()  # another headset plugged in: still paused, nothing opened
    assert phase_of(s) is Phase.HELD and rig.engine.opened == [0] and s.receiver is None
    rig.resume()
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [0, 1]


def test_an_input_replaced_while_paused_sends_nothing_until_resume() -> None:
    """Defect 1: paused, unplugged, plugged in: it connected and streamed while paused."""
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    rig.pause()
    rig.input_lost()
    rig.input_replaced()
    rig.clock.advance_ms(60_000)
    rig.tick()
    assert phase_of(s) is Phase.HELD and s.receiver is None and rig.engine.opened == [0]
    assert s.paused and s.state.state is SessionState.PAUSED
    rig.resume()  # the next un-check is not ignored
    assert phase_of(s) is Phase.CONNECTING and s.receiver is not None


def test_resume_without_an_input_waits_for_one() -> None:
    rig = rig_in(Phase.LIVE)
    rig.pause()
    rig.input_lost()
    rig.resume()
    s = rig.supervisor
    assert phase_of(s) is Phase.HELD and rig.last_state()[0] is SessionState.NO_INPUT
    rig.input_replaced()
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [0, 1]


def test_a_lost_input_waits_for_another_and_a_new_one_carries_on() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    rig.input_lost()
    assert rig.retired == [(0, True, GapReason.INPUT_LOST, True)]
    assert s.state.state is SessionState.NO_INPUT and not s.paused
    rig.input_replaced()
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [0, 1]
    assert len(rig.retired) == 1  # nothing more to retire


def test_picking_another_input_restarts_a_live_connection_but_not_a_paused_one() -> None:
    rig = rig_in(Phase.LIVE)
    rig.input_replaced()
    assert rig.retired == [(0, True, GapReason.DEVICE, True)]
    assert rig.engine.opened == [0, 1]
    rig = rig_in(Phase.HELD)
    rig.input_replaced()
    assert phase_of(rig.supervisor) is Phase.HELD and rig.engine.opened == [0]


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.value)
def test_stop_from_every_state_ends_the_connection_and_ends(phase: Phase) -> None:
    rig = rig_in(phase)
    s = rig.supervisor
    had = s.receiver
    retired = len(rig.retired)
    rig.stop()
    assert s.receiver is None
    if had is not None:
        assert rig.retired[retired:] == [(s.stream, True, None, True)]
    if (phase, Trigger.STOP) in TRANSITIONS:
        assert phase_of(s) is Phase.STOPPING
        assert rig.last_state() == (SessionState.STOPPING, "Stopping…")
    s.closed()
    if phase is Phase.FAILED:
        assert rig.last_state() == (SessionState.FAILED, AUTH.message)
    else:
        assert rig.last_state() == (SessionState.IDLE, "Stopped")
    assert not s.running


# --- a connect that hangs ----------------------------------------------------------------------


def test_a_connect_that_never_answers_counts_as_a_failure_and_its_late_answer_is_let_go() -> None:
    rig = Rig(hang={"fake"})
    s = rig.supervisor
    rig.start()
    assert phase_of(s) is Phase.CONNECTING and s.receiver is None
    rig.clock.advance_ms(rig.engine.answer_within_s * 1000 - 1)
    rig.tick()
    assert phase_of(s) is Phase.CONNECTING
    rig.clock.advance_ms(1)
    rig.tick()
    assert phase_of(s) is Phase.BACKOFF
    assert rig.said() == ["Cannot reach fake: no answer."]
    assert rig.last_state()[0] is SessionState.UNREACHABLE
    rig.answer_pending()  # it answers after all, too late
    assert rig.discarded == [0] and rig.adopted == []
    _wait_for_backoff(rig)
    assert phase_of(s) is Phase.CONNECTING and s.stream == 1


def test_pause_and_stop_are_answered_while_a_connect_hangs() -> None:
    rig = Rig(hang={"fake"})
    s = rig.supervisor
    rig.start()
    rig.pause()
    assert phase_of(s) is Phase.HELD and s.state.state is SessionState.PAUSED
    rig.answer_pending()
    assert rig.discarded == [0] and rig.adopted == []  # no audio ever goes to it
    rig.resume()
    rig.stop()
    assert phase_of(s) is Phase.STOPPING


# --- failover (engine = auto): the local engine stands in for a cloud it cannot reach --------


def test_a_cloud_unreachable_at_start_hands_over_to_the_local_engine_at_once() -> None:
    rig = rig_live_locally()
    assert rig.said() == [f"{UNREACHABLE.message} {COVERED}"]
    (notice,) = [e for e in rig.reports if isinstance(e, Notice)]
    # Third walk A4: read after the cloud was back, it must not say the outage is now.
    assert re.search(r" \(at \d\d:\d\d:\d\d\)\. ", notice.text), notice.text
    assert notice.holds is Holds.WHILE_COVERED
    assert UNREACHABLE not in rig.reports  # news, not a problem to act on
    assert rig.last_state() == (
        SessionState.LIVE,
        "Live on this computer, standing in for the cloud",
    )
    assert rig.clock.now == 1000.0  # no waiting at all
    (shown,) = [e for e in rig.reports if isinstance(e, EngineInUse)]
    assert shown.standing_in and shown.name == "local"


def test_a_cloud_that_does_not_answer_at_start_is_not_waited_for() -> None:
    rig = Rig(engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"), hang={"cloud"})
    rig.start()
    rig.tick()
    assert rig.local is not None and rig.local.prepared == 1  # loading while it waits
    rig.clock.advance_ms(GRACE_MS)
    rig.tick()
    assert rig.adopted == [(1, "local")]
    # Tenth walk: the row said "cannot be reached" for a cloud that answered 8 s later.
    assert rig.markers == ["Captions continue on this computer: cloud has not answered yet."]
    assert rig.said() == [f"cloud has not answered yet. {COVERED}"]


def test_the_engine_is_named_with_the_marker_of_the_move_not_later() -> None:
    """Fifth walk W5: the transcript already said "Captions continue on this computer" while
    the status line said "Connecting to AssemblyAI…" (the engine was named only once the local
    engine began)."""
    rig = rig_cloud_hanging_at_start()
    assert rig.markers
    (shown,) = [e for e in rig.reports if isinstance(e, EngineInUse)]
    assert shown.on_device and shown.standing_in


def test_a_slow_cloud_that_answers_on_the_side_takes_over() -> None:
    rig = rig_cloud_hanging_at_start()
    s = rig.supervisor
    rig.began()  # the local engine is live
    rig.answer_pending()  # the cloud's first attempt answers, 2 s late
    rig.began(0)
    rig.speaking = True
    rig.tick()
    assert phase_of(s) is Phase.LIVE and rig.adopted == [(1, "local")]  # mid-turn: wait
    rig.speaking = False
    rig.tick()
    assert rig.adopted == [(1, "local"), (0, "cloud")]
    assert rig.retired[-1] == (1, True, GapReason.SWITCH, True)
    assert rig.last_state() == (SessionState.LIVE, "Live")
    assert rig.markers[-1] == "Captions move to cloud."  # (it was never live before)


def test_a_cloud_that_hangs_never_takes_over_is_said_once_and_tried_less_and_less() -> None:
    """Defect 2: a cloud that accepts TCP and never answers made the captions flap."""
    rig = rig_cloud_hanging_at_start()
    s = rig.supervisor
    rig.began()  # live locally
    tries_at: list[tuple[int, float]] = []
    for _ in range(5):
        for _ in range(400):  # at most 400 s of 1 s ticks per try
            rig.clock.advance_ms(1000)
            rig.tick()
            if rig.pending and rig.pending[-1].stream not in [t for t, _ in tries_at]:
                tries_at.append((rig.pending[-1].stream, rig.clock.now))
                break
    assert phase_of(s) is Phase.LIVE and rig.adopted == [(1, "local")]  # never flapped
    gaps = [round(b[1] - a[1]) for a, b in itertools.pairwise(tries_at)]
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]  # each failed try waits longer
    # Said once: the tries that fail leave the notice as it was (the fifth walk, C10: it
    # changed its words under the same state).
    assert rig.said() == [f"cloud has not answered yet. {COVERED}"]
    assert not [r for r in rig.retired if r[2] is GapReason.SWITCH]


def test_a_lost_cloud_waits_a_few_seconds_for_itself_then_goes_local() -> None:
    rig = rig_in(Phase.LIVE, engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    s = rig.supervisor
    rig.failed(NETWORK)
    for _ in range(3):  # 0.5 s, 1 s, 2 s: the cloud is tried again and stays unreachable
        rig.engine.refusals.append(CannotConnect(UNREACHABLE))
        _wait_for_backoff(rig)
        assert phase_of(s) is Phase.BACKOFF and rig.adopted == [(0, "cloud")]
    assert rig.clock.now == pytest.approx(1003.5)
    rig.clock.now = 1000 + FailoverSettings().after_s - 0.001
    rig.tick()
    assert rig.adopted == [(0, "cloud")]
    rig.clock.now = 1000 + FailoverSettings().after_s
    rig.tick()
    assert phase_of(s) is Phase.CONNECTING and rig.adopted == [(0, "cloud"), (4, "local")]
    assert f"cloud did not come back. {COVERED}" in rig.said()
    assert rig.local is not None and rig.local.prepared >= 1  # loading while the cloud is tried


def test_a_reconnect_that_hangs_counts_toward_failover() -> None:
    """Defect 4: failover was only looked at in BACKOFF, never during a hung connect."""
    cloud = FakeEngine(name="cloud", answer_within_s=30.0)  # not its own deadline: failover's
    rig = rig_in(Phase.LIVE, engine=cloud, local=FakeEngine(name="local"))
    s = rig.supervisor
    rig.hang.add("cloud")
    rig.failed(NETWORK)
    _wait_for_backoff(rig)  # the reconnect hangs
    assert phase_of(s) is Phase.CONNECTING
    rig.clock.now = 1000 + FailoverSettings().after_s - 0.001
    rig.tick()
    assert rig.adopted == [(0, "cloud")]
    rig.clock.now = 1000 + FailoverSettings().after_s
    rig.tick()
    assert rig.adopted[-1] == (2, "local")
    rig.answer_pending()  # the hung reconnect answers after all: it is the cloud's return
    rig.began(1)
    rig.tick()
    assert rig.adopted[-1] == (1, "cloud")


def test_a_cloud_that_drops_right_after_each_begin_counts_toward_failover() -> None:
    """Defect 3: each connection came back, so a flapping cloud never handed over."""
    rig = rig_in(Phase.LIVE, engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    s = rig.supervisor
    for _ in range(10):
        rig.failed(NETWORK)
        _wait_for_backoff(rig)
        if rig.adopted[-1][1] == "local":
            break
        rig.began()
        rig.clock.advance_ms(300)
    assert rig.adopted[-1][1] == "local"
    assert rig.clock.now - 1000 >= FailoverSettings().after_s
    assert phase_of(s) in (Phase.CONNECTING, Phase.LIVE)


def test_the_cloud_is_tried_again_on_the_side_and_takes_over_at_a_turn_boundary() -> None:
    rig = rig_live_locally()
    s = rig.supervisor
    every_ms = FailoverSettings().probe_every_s * 1000
    rig.hang.add("cloud")
    rig.clock.advance_ms(every_ms - 1)
    rig.tick()
    assert not rig.pending  # tried every few seconds, not more often
    rig.clock.advance_ms(1)
    rig.tick()
    assert len(rig.pending) == 1 and phase_of(s) is Phase.LIVE
    assert rig.adopted == [(1, "local")] and s.receiver is not None  # still the local engine
    rig.answer_pending()
    rig.tick()
    assert rig.adopted == [(1, "local")]  # open is not enough: it must have begun
    rig.speaking = True
    rig.began(2)
    rig.tick()
    assert rig.adopted == [(1, "local")]  # mid-turn: wait for its end
    rig.speaking = False
    rig.tick()
    assert rig.adopted == [(1, "local"), (2, "cloud")]
    assert rig.retired[-1] == (1, True, GapReason.SWITCH, True)
    assert not s._engines.on_fallback
    assert rig.last_state() == (SessionState.LIVE, "Live")
    engines = [e.name for e in rig.reports if isinstance(e, EngineInUse)]
    assert engines == ["local", "cloud"]


def test_a_cloud_that_fails_again_right_after_taking_over_hands_back_at_once() -> None:
    rig = rig_live_locally()
    _cloud_answers_on_the_side(rig)
    assert rig.adopted[-1] == (2, "cloud")
    rig.failed(UNREACHABLE)
    rig.tick()
    assert rig.adopted[-1] == (3, "local")


def test_a_rejected_key_is_covered_by_the_local_engine_until_another_key_is_given() -> None:
    """Third walk A5: the rejection ended the session (and the app began another)."""
    rig = rig_in(Phase.LIVE, engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    s = rig.supervisor
    rig.engine.refusals.append(CannotConnect(AUTH))  # the key is refused at every try
    rig.failed(AUTH)
    rig.tick()
    rig.began()
    assert phase_of(s) is Phase.LIVE and rig.adopted == [(0, "cloud"), (1, "local")]
    assert rig.said() == [AUTH.message]  # a problem to fix: said as it is, once
    assert rig.markers == ["Captions continue on this computer: cloud rejected the key."]
    # Ninth walk V4: not "standing in for the cloud", as if the cloud were being tried.
    rejected = (SessionState.LIVE, "Live on this computer: the cloud rejected the API key")
    assert rig.last_state() == rejected
    for _ in range(600):  # ten minutes: the same key is never tried again
        rig.clock.advance_ms(1000)
        rig.tick()
    assert rig.engine.refusals and s._attempts.aside is None  # not tried
    s.key_renewed()  # another key: tried at once, on the side
    assert rig.last_state()[1] == "Live on this computer, standing in for the cloud"
    rig.tick()
    assert not rig.engine.refusals and phase_of(s) is Phase.LIVE
    assert rig.said() == [AUTH.message, AUTH.message]  # this one was rejected too: news
    assert rig.last_state() == rejected
    assert [e.cloud_waits_for for e in rig.reports if isinstance(e, EngineInUse)][-1] == (
        "the cloud rejected the API key"
    )
    rig.clock.advance_ms(600_000)
    rig.tick()
    assert s._attempts.aside is None  # waiting for a key again
    s.key_renewed()
    rig.tick()
    _cloud_answers_on_the_side(rig)
    assert rig.adopted[-1][1] == "cloud", rig.adopted
    assert rig.markers[-1] == "Captions are back on cloud."  # (it captioned before)


def test_no_stand_in_when_the_cloud_was_asked_for() -> None:
    rig = rig_in(Phase.LIVE)  # no local engine: engine = assemblyai
    rig.failed(AUTH)
    assert phase_of(rig.supervisor) is Phase.FAILED and rig.adopted == [(0, "fake")]
    rig = Rig()
    rig.engine.refusals.append(CannotConnect(UNREACHABLE))
    rig.start()
    assert phase_of(rig.supervisor) is Phase.BACKOFF
    shown = f"{UNREACHABLE.message} Trying again in 0.5 s."
    assert rig.last_state() == (SessionState.UNREACHABLE, shown)  # never "reconnecting"


def test_a_local_engine_that_cannot_run_leaves_the_cloud_retrying() -> None:
    rig = rig_live_locally()
    s = rig.supervisor
    broken = Problem(ProblemKind.ENGINE_SETUP, "No model.", Recovery.GIVE_UP)
    rig.failed(broken)
    assert phase_of(s) is Phase.BACKOFF and not s._engines.on_fallback
    rig.tick()
    assert rig.adopted[-1] == (2, "cloud")


def test_pausing_while_the_cloud_is_tried_on_the_side_lets_both_go() -> None:
    rig = rig_live_locally()
    rig.hang.add("cloud")
    _cloud_tried_again(rig)
    aside = rig.pending[0].stream
    before = len(rig.retired)
    rig.pause()
    assert {stream for stream, *_ in rig.retired[before:]} == {1, aside}
    rig.answer_pending()
    rig.began(aside)
    rig.tick()
    assert rig.supervisor.receiver is None and rig.adopted == [(1, "local")]


def test_the_cloud_is_tried_again_after_a_pause_let_its_try_go() -> None:
    rig = rig_live_locally()
    rig.hang.add("cloud")
    _cloud_tried_again(rig)
    rig.pause()  # the try on the side is let go
    rig.resume()
    rig.began()
    tried = len(rig.pending)
    rig.clock.advance_ms(FailoverSettings().probe_every_s * 1000)
    rig.tick()
    assert len(rig.pending) == tried + 1  # tried again on schedule, not never


def test_the_wait_for_an_answer_counts_once_the_engine_has_loaded() -> None:
    """An SDK import of a second or two on a busy machine is not the cloud failing to answer:
    neither the grace nor the deadline counts it (it made a refused port read "has not
    answered yet")."""
    rig = Rig(
        engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"), hang={"cloud"}, dial=False
    )
    s = rig.supervisor
    rig.start()
    rig.clock.advance_ms(10_000)
    rig.tick()
    assert phase_of(s) is Phase.CONNECTING and rig.adopted == [] and rig.said() == []
    assert rig.local is not None and rig.local.prepared == 1  # it loads meanwhile
    s.dialling(0)
    rig.engine.refusals.append(CannotConnect(UNREACHABLE))
    rig.answer_pending()  # refused at once
    rig.tick()
    assert rig.said() == [f"{UNREACHABLE.message} {COVERED}"]


def test_a_cloud_away_for_long_is_tried_at_least_every_half_minute() -> None:
    """Fourth walk N4: after a 2.5-minute outage, "Cannot reach …" stayed 30-40 s after the
    cloud was back, the tries having spaced out towards two minutes."""
    clock = FakeClock()
    engines = EngineSelector(FakeEngine(name="cloud"), FakeEngine(name="local"), clock=clock)
    engines.use_fallback()
    waits = []
    for _ in range(12):  # the cloud away for many minutes
        clock.advance_ms(round((engines._next_return_at - clock.now) * 1000))
        assert engines.return_due()
        engines.return_tried()
        engines.return_failed(UNREACHABLE)
        waits.append(engines._next_return_at - clock.now)
    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert max(waits) <= 30.0, waits


def _cloud_live_with_a_stand_in() -> Rig:
    rig = Rig(engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    rig.start()
    rig.began()
    assert rig.adopted == [(0, "cloud")]
    return rig


def test_a_local_engine_that_cannot_run_after_the_person_chose_it_never_sends_to_the_cloud() -> (
    None
):
    """A review of C4: "On this computer" chosen, and the local engine cannot load its model:
    the next attempt went to the cloud, marked "Captions continue on this computer: you chose
    it." The person chose to send nothing: the session ends and says why."""
    rig = _cloud_live_with_a_stand_in()
    s = rig.supervisor
    rig.do(s.engine_chosen(here=True))
    assert rig.adopted[-1][1] == "local"
    broken = Problem(ProblemKind.ENGINE_SETUP, "No model.", Recovery.GIVE_UP)
    rig.failed(broken)
    for _ in range(3):
        rig.clock.advance_ms(31_000)
        rig.tick()
    assert [name for _, name in rig.adopted] == ["cloud", "local"]
    assert phase_of(s) is Phase.FAILED
    assert "No model." in rig.said()


def test_choosing_this_computer_while_it_stands_in_says_it_no_longer_stands_in() -> None:
    """A review of C4: chosen while this computer already stood in for the cloud, the window
    kept "Live on this computer, standing in for the cloud" (and its notice) though the cloud
    is not tried again."""
    rig = rig_live_locally()
    s = rig.supervisor
    shown = [e for e in rig.reports if isinstance(e, EngineInUse)]
    assert shown[-1].standing_in
    rig.do(s.engine_chosen(here=True))
    shown = [e for e in rig.reports if isinstance(e, EngineInUse)]
    assert not shown[-1].standing_in and shown[-1].on_device
    assert rig.last_state() == (SessionState.LIVE, "Live")


def test_the_cloud_chosen_again_is_tried_until_it_answers_and_its_failure_is_said() -> None:
    """A review of C4: with "return to the cloud" off, Automatic chosen again after "On this
    computer" made one try; when it failed, nothing was said, it was never tried again, and the
    window still said "Live" (not standing in for the cloud)."""
    rig = _cloud_live_with_a_stand_in()
    s = rig.supervisor
    s._engines.options = FailoverSettings(return_to_cloud=False)
    rig.do(s.engine_chosen(here=True))
    rig.began()
    tries = 4
    rig.engine.refusals.extend(CannotConnect(UNREACHABLE) for _ in range(tries))
    rig.do(s.engine_chosen(here=False))
    shown = [e for e in rig.reports if isinstance(e, EngineInUse)]
    assert shown[-1].standing_in
    assert rig.last_state() == (
        SessionState.LIVE,
        "Live on this computer, standing in for the cloud",
    )
    for _ in range(tries):
        rig.tick()
        rig.clock.advance_ms(31_000)
    assert UNREACHABLE.message in rig.said()
    assert rig.said().count(UNREACHABLE.message) == 1  # said once
    rig.tick()  # the cloud answers now
    assert rig.engine.opened, "the cloud was not tried again"


def test_a_key_gone_missing_is_not_marked_as_rejected() -> None:
    """Seventh walk: the key removed from the keyring mid-session, the next connection found
    none, and the transcript said "…AssemblyAI Universal-Streaming rejected the key."."""
    rig = _cloud_live_with_a_stand_in()
    rig.engine.refusals.append(
        CannotConnect(Problem(ProblemKind.NO_KEY, "No key.", Recovery.NEW_KEY))
    )
    rig.failed(NETWORK)
    for _ in range(3):
        rig.clock.advance_ms(1_000)
        rig.tick()
    assert rig.adopted[-1][1] == "local"
    assert rig.markers and "rejected" not in rig.markers[-1], rig.markers
    assert "no API key" in rig.markers[-1], rig.markers
    rig.began()
    # Ninth walk V4: the cloud is not tried again without a key; the status says why.
    assert rig.last_state() == (
        SessionState.LIVE,
        "Live on this computer: no API key for the cloud",
    )


def test_a_cloud_that_did_not_come_back_is_said_with_the_time_it_went_away() -> None:
    """Seventh walk Y9: "…did not come back (at 12:38:58)" gave the time the app gave up, 5 s
    after the cloud went away (35 s after, when a pause came between); the transcript's row
    had the true time."""
    rig = rig_in(Phase.LIVE, engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    rig.failed(NETWORK)
    rig.engine.refusals.extend(CannotConnect(UNREACHABLE) for _ in range(5))
    away_s = FailoverSettings().after_s + 30
    rig.clock.now = 1000 + away_s  # given up on 35 s later (on the session's clock)
    rig.tick()
    went_away = time.time() - away_s  # on the wall clock
    (said,) = [
        e.text for e in rig.reports if isinstance(e, Notice) and "did not come back" in e.text
    ]
    stamp = re.search(r"\(at (\d\d:\d\d:\d\d)\)", said)
    assert stamp is not None, said
    told = datetime.datetime.strptime(stamp.group(1), "%H:%M:%S").time()
    expected = datetime.datetime.fromtimestamp(went_away).time()
    seconds = (told.hour * 3600 + told.minute * 60 + told.second) - (
        expected.hour * 3600 + expected.minute * 60 + expected.second
    )
    assert abs(seconds) <= 2, (said, expected)
