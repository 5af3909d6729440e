"""The connection supervisor on a fake clock, with a fake engine: every state, every move.

No threads, no sockets, no sleeping: the clock is a number the test moves in milliseconds, the
engine hands out recording connections (or refuses, as told), and the pump only notes what it
was asked to do. The end-to-end tests against the local server (tests/streaming) stay; these
pin down the rules themselves: the backoff sequence, rollover timing, the watchdog, pause and
resume, losing the input, and stop from every state.
"""

from __future__ import annotations

import itertools
import queue
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from caption_app.core.engines.assemblyai.engine import READER_LOST
from caption_app.core.engines.base import Connection, Engine, EventQueue, OpenFailed
from caption_app.core.model.gaps import GapReason
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import Holds, Notice, SessionEvent, SessionState, StateChanged
from caption_app.core.settings import FailoverSettings, StreamingSettings
from caption_app.core.streaming.failover import EngineSelector
from caption_app.core.streaming.phases import TRANSITIONS, Phase, Trigger
from caption_app.core.streaming.supervisor import COVERED, SPARSE_WATCHDOG_FACTOR, Supervisor
from caption_app.core.streaming.timing import Timing

TIMING = Timing()  # production values: the fake clock makes them free
NETWORK = Problem(ProblemKind.NETWORK, "The connection was lost.", Recovery.RECONNECT)
AUTH = Problem(ProblemKind.AUTH, "The key was rejected.", Recovery.NEW_KEY, 4001)
RATE = Problem(ProblemKind.RATE_LIMIT, "Too many sessions.", Recovery.RETRY_LATER, 3009)
EXPIRED = Problem(ProblemKind.EXPIRED, "The session expired.", Recovery.RECONNECT_NOW, 3008)
BROKEN_INPUT = Problem(ProblemKind.AUDIO_INPUT, "The microphone failed.", Recovery.GIVE_UP)
THREE_HOURS_S = 3 * 3600.0


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
    refusals: list[Exception] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    prepared: int = 0

    def reachable(self, settings: StreamingSettings) -> bool:
        return True

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
class FakePump:
    opened: list[int] = field(default_factory=list)
    engines: list[str] = field(default_factory=list)
    speaking: bool = False
    retired: list[tuple[int, bool, GapReason | None, bool]] = field(default_factory=list)
    """(stream, had a connection, gap reason, terminate)."""

    def connection_opened(self, stream: int, connection: Connection, engine: Engine) -> None:
        self.opened.append(stream)
        self.engines.append(engine.name)

    def between_turns(self) -> bool:
        return not self.speaking

    def connection_retired(
        self, stream: int, connection: Connection | None, reason: GapReason | None, terminate: bool
    ) -> None:
        self.retired.append((stream, connection is not None, reason, terminate))


@dataclass
class Rig:
    clock: FakeClock = field(default_factory=FakeClock)
    engine: FakeEngine = field(default_factory=FakeEngine)
    pump: FakePump = field(default_factory=FakePump)
    reports: list[SessionEvent] = field(default_factory=list)
    local: FakeEngine | None = None
    """Standing in for ``engine`` (the cloud) when set: engine = auto."""
    cloud_answers: bool = False
    probes: int = 0
    settings: StreamingSettings = field(default_factory=StreamingSettings)
    timing: Timing = TIMING
    supervisor: Supervisor = field(init=False)

    def __post_init__(self) -> None:
        def probe() -> bool:
            self.probes += 1
            return self.cloud_answers

        engines = EngineSelector(
            self.engine,
            self.local,
            probe=probe,
            clock=self.clock,
            run_in_background=lambda work: work(),  # at once: no threads in these tests
        )
        self.supervisor = Supervisor(
            engines,
            lambda: self.settings,
            queue.SimpleQueue(),
            self.pump,
            self.reports.append,
            timing=self.timing,
            clock=self.clock,
        )

    def states(self) -> list[tuple[SessionState, str]]:
        return [(e.state, e.detail) for e in self.reports if isinstance(e, StateChanged)]

    def last_state(self) -> tuple[SessionState, str]:
        return self.states()[-1]

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
    s.start()
    if phase is Phase.CONNECTING:
        return rig
    s.began(THREE_HOURS_S)
    if phase is Phase.BACKOFF:
        s.failed(NETWORK)
    elif phase is Phase.PAUSED:
        s.pause()
    elif phase is Phase.SOURCE_LOST:
        s.source_lost()
    elif phase is Phase.FAILED:
        s.failed(AUTH)
    elif phase is Phase.STOPPING:
        s.stop()
    elif phase is Phase.ENDED:
        s.stop()
        s.closed()
    assert phase_of(s) is phase
    return rig


def _wait_for_backoff(rig: Rig) -> None:
    rig.clock.now = max(rig.clock.now, rig.supervisor.next_attempt_at)
    rig.supervisor.tick()


def _wait_for_rollover(rig: Rig) -> None:
    due = rig.supervisor.rollover_at
    rig.clock.now = due if due is not None else rig.clock.now + THREE_HOURS_S
    rig.supervisor.tick()


def _speak_unanswered(rig: Rig) -> None:
    rig.supervisor.speech_sent()
    rig.clock.advance_ms(TIMING.watchdog_s * 1000 + 1)
    rig.supervisor.tick()


def _cloud_answers_again(rig: Rig) -> None:
    rig.cloud_answers = True
    rig.clock.advance_ms(FailoverSettings().probe_every_s * 1000)
    rig.supervisor.tick()


FIRE: dict[Trigger, Callable[[Rig], object]] = {
    Trigger.START: lambda rig: rig.supervisor.start(),
    Trigger.BEGAN: lambda rig: rig.supervisor.began(THREE_HOURS_S),
    Trigger.FAILED: lambda rig: rig.supervisor.failed(NETWORK),
    Trigger.FAILED_FATAL: lambda rig: rig.supervisor.fail(BROKEN_INPUT),
    Trigger.BACKOFF_ELAPSED: _wait_for_backoff,
    Trigger.ROLLOVER_DUE: _wait_for_rollover,
    Trigger.WATCHDOG_EXPIRED: _speak_unanswered,
    Trigger.PAUSE: lambda rig: rig.supervisor.pause(),
    Trigger.RESUME: lambda rig: rig.supervisor.resume(),
    Trigger.SOURCE_LOST: lambda rig: rig.supervisor.source_lost(),
    Trigger.SOURCE_REPLACED: lambda rig: rig.supervisor.source_replaced(),
    Trigger.SWITCH: _cloud_answers_again,
    Trigger.STOP: lambda rig: rig.supervisor.stop(),
    Trigger.CLOSED: lambda rig: rig.supervisor.closed(),
}
"""How each trigger happens in a session."""
assert set(FIRE) == set(Trigger)


UNREACHABLE = Problem(
    ProblemKind.UNREACHABLE, "Cannot reach the cloud: refused.", Recovery.RECONNECT
)


def rig_live_locally() -> Rig:
    """engine = auto with the cloud unreachable at Start: live on the local engine."""
    rig = Rig(engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    rig.engine.refusals.append(OpenFailed(UNREACHABLE))
    rig.supervisor.start()
    rig.supervisor.tick()
    rig.supervisor.began(None)
    assert rig.supervisor.phase is Phase.LIVE and rig.supervisor.engines.on_fallback
    return rig


def fire(rig: Rig, trigger: Trigger) -> None:
    FIRE[trigger](rig)


@pytest.mark.parametrize(
    ("phase", "trigger"), list(TRANSITIONS), ids=lambda v: getattr(v, "value", str(v))
)
def test_every_listed_move_happens(phase: Phase, trigger: Trigger) -> None:
    rig = rig_live_locally() if trigger is Trigger.SWITCH else rig_in(phase)
    opened_before = len(rig.engine.opened)
    fire(rig, trigger)
    target = TRANSITIONS[(phase, trigger)]
    assert phase_of(rig.supervisor) is target
    # Entering CONNECTING always opens a new connection; no other move does.
    assert len(rig.engine.opened) - opened_before == (1 if target is Phase.CONNECTING else 0)
    if target in (Phase.CONNECTING, Phase.LIVE):
        assert rig.supervisor.connection is not None
    elif target is not Phase.FAILED:  # a fatal input problem leaves it for stop to close
        assert rig.supervisor.connection is None


_TIMERS = (Trigger.BACKOFF_ELAPSED, Trigger.ROLLOVER_DUE, Trigger.WATCHDOG_EXPIRED, Trigger.SWITCH)
_UNLISTED = [
    (phase, trigger)
    for phase, trigger in itertools.product(Phase, Trigger)
    if (phase, trigger) not in TRANSITIONS
    # Time passing in BACKOFF is the backoff timer, whichever timer the test meant.
    and not (phase is Phase.BACKOFF and trigger in _TIMERS)
]


@pytest.mark.parametrize(("phase", "trigger"), _UNLISTED, ids=lambda v: getattr(v, "value", str(v)))
def test_every_other_trigger_is_ignored(phase: Phase, trigger: Trigger) -> None:
    rig = rig_in(phase)
    opened, retired, reports = len(rig.engine.opened), len(rig.pump.retired), len(rig.reports)
    fire(rig, trigger)
    assert phase_of(rig.supervisor) is phase
    assert len(rig.engine.opened) == opened and len(rig.pump.retired) == retired
    # A fatal input problem is still told, even when nothing else changes.
    expected_reports = reports + (1 if trigger is Trigger.FAILED_FATAL else 0)
    assert len(rig.reports) == expected_reports


def test_every_phase_is_reachable_and_has_a_way_out() -> None:
    targets = {target for target in TRANSITIONS.values()}
    sources = {phase for phase, _ in TRANSITIONS}
    assert targets | {Phase.STARTING} == set(Phase)
    assert sources | {Phase.ENDED} == set(Phase)


def test_the_backoff_doubles_to_its_cap_and_resets_once_the_engine_answers() -> None:
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    delays = []
    for _ in range(7):
        s.failed(NETWORK)
        delays.append(rig.delay_ms())
        shown = f"Reconnecting in {delays[-1] / 1000:.1f} s"
        assert rig.last_state() == (SessionState.RECONNECTING, shown)
        rig.clock.now = s.next_attempt_at
        s.tick()
        assert phase_of(s) is Phase.CONNECTING
    assert delays == [500, 1000, 2000, 4000, 8000, 8000, 8000]
    assert rig.engine.opened == list(range(8))
    s.began(None)
    s.turn_received()
    s.failed(NETWORK)
    assert rig.delay_ms() == 500


def test_a_service_that_drops_every_connection_after_begin_is_not_hammered() -> None:
    """Begin alone proves nothing (a hostile frame after each Begin kills the reader): the
    backoff goes on doubling, so it is not a new billed session every half second."""
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    delays = []
    for _ in range(6):
        s.began(None)
        rig.clock.advance_ms(50)
        s.failed(READER_LOST)
        delays.append(rig.delay_ms())
        rig.clock.now = s.next_attempt_at
        s.tick()
    assert delays == [500, 1000, 2000, 4000, 8000, 8000]
    # A connection that held for a while starts the backoff afresh, turns or not (a quiet room).
    s.began(None)
    rig.clock.advance_ms(TIMING.stable_after_s * 1000)
    s.failed(NETWORK)
    assert rig.delay_ms() == 500


def test_limits_wait_longer_and_an_expired_session_reconnects_at_once() -> None:
    rig = rig_in(Phase.LIVE)
    rig.supervisor.failed(RATE)
    assert rig.delay_ms() == TIMING.rate_limit_backoff_s * 1000
    rig = rig_in(Phase.LIVE)
    rig.supervisor.failed(EXPIRED)
    assert rig.delay_ms() == 0
    rig.supervisor.tick()
    assert phase_of(rig.supervisor) is Phase.CONNECTING and rig.supervisor.stream == 1


def test_a_rejected_key_ends_the_session_without_retrying() -> None:
    rig = rig_in(Phase.LIVE)
    rig.supervisor.failed(AUTH)
    assert phase_of(rig.supervisor) is Phase.FAILED and rig.supervisor.failure == AUTH
    assert rig.last_state() == (SessionState.FAILED, AUTH.message)
    rig.clock.advance_ms(60_000)
    rig.supervisor.tick()
    assert rig.engine.opened == [0]
    assert rig.pump.retired == [(0, True, GapReason.RECONNECT, False)]


def test_a_script_gives_up_after_so_many_failures_in_a_row() -> None:
    rig = rig_in(Phase.CONNECTING, timing=Timing(give_up_after_failures=3))
    s = rig.supervisor
    s.failed(NETWORK)
    rig.clock.now = s.next_attempt_at
    s.tick()
    s.began(None)
    s.turn_received()  # the service really worked: the count starts again
    for _ in range(2):
        s.failed(NETWORK)
        rig.clock.now = s.next_attempt_at
        s.tick()
    assert phase_of(s) is Phase.CONNECTING
    s.failed(NETWORK)
    assert phase_of(s) is Phase.FAILED
    assert s.failure is not None and s.failure.recovery is Recovery.GIVE_UP


def test_no_key_fails_at_once_and_a_token_service_hiccup_is_retried() -> None:
    no_key = Problem(ProblemKind.NO_KEY, "No key.", Recovery.NEW_KEY)
    rig = Rig(engine=FakeEngine(refusals=[OpenFailed(no_key)]))
    rig.supervisor.start()
    assert phase_of(rig.supervisor) is Phase.FAILED and rig.supervisor.failure == no_key
    assert no_key in rig.reports and rig.pump.opened == []

    hiccup = Problem(ProblemKind.TOKEN_SERVICE, "The token service is down.", Recovery.RECONNECT)
    rig = Rig(engine=FakeEngine(refusals=[OpenFailed(hiccup), RuntimeError("boom")]))
    s = rig.supervisor
    s.start()
    assert phase_of(s) is Phase.BACKOFF
    assert rig.last_state() == (SessionState.RECONNECTING, hiccup.message)
    rig.clock.now = s.next_attempt_at
    s.tick()  # an engine raising something unexpected: never connected, retried
    assert phase_of(s) is Phase.BACKOFF
    assert isinstance(rig.reports[-2], Problem)
    assert rig.reports[-2].kind is ProblemKind.UNREACHABLE
    rig.clock.now = s.next_attempt_at
    s.tick()
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [2]
    assert rig.pump.opened == [2]


def test_rollover_comes_two_minutes_before_expiry_and_never_sooner_than_the_floor() -> None:
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    began_at = rig.clock.now
    s.began(THREE_HOURS_S)
    assert s.rollover_at == began_at + THREE_HOURS_S - TIMING.rollover_margin_s
    rig.clock.now = s.rollover_at - 0.001
    s.tick()
    assert s.stream == 0
    rig.clock.now = s.rollover_at
    s.tick()
    assert phase_of(s) is Phase.CONNECTING and s.stream == 1
    assert rig.pump.retired == [(0, True, GapReason.ROLLOVER, True)]
    # A clock far off (expiry "already past") still keeps each connection for the floor.
    s.began(-50.0)
    assert s.rollover_at == rig.clock.now + TIMING.rollover_floor_s
    s.began(None)  # ignored: already live


def test_the_watchdog_restarts_a_connection_that_stopped_answering_speech() -> None:
    rig = rig_in(Phase.CONNECTING)
    s = rig.supervisor
    s.speech_sent()  # before Began the model may still be loading: not counted
    rig.clock.advance_ms(60_000)
    s.tick()
    assert s.stream == 0
    s.began(None)
    s.speech_sent()
    rig.clock.advance_ms(4_000)
    s.heard_from_engine()  # an answer: the wait starts again with the next speech
    s.speech_sent()
    rig.clock.advance_ms(5_000)
    s.tick()
    assert s.stream == 0
    rig.clock.advance_ms(1)
    s.tick()
    assert phase_of(s) is Phase.CONNECTING and s.stream == 1
    assert rig.pump.retired == [(0, True, GapReason.RECONNECT, False)]
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
    s.failed(READER_LOST)
    assert phase_of(s) is Phase.BACKOFF
    assert rig.pump.retired == [(0, True, GapReason.RECONNECT, False)]  # no Terminate to wait on
    assert READER_LOST in rig.reports
    rig.clock.advance_ms(TIMING.backoff_first_s * 1000)
    s.tick()
    assert phase_of(s) is Phase.CONNECTING and s.stream == 1
    assert TIMING.backoff_first_s < TIMING.watchdog_s / 5
    assert not [r for r in rig.reports if isinstance(r, Notice)]  # not the watchdog's notice


def test_sparse_partial_models_get_a_longer_watchdog() -> None:
    rig = rig_in(Phase.LIVE, settings=StreamingSettings(speech_model="u3-rt-pro"))
    s = rig.supervisor
    s.speech_sent()
    rig.clock.advance_ms(TIMING.watchdog_s * 1000 * SPARSE_WATCHDOG_FACTOR)
    s.tick()
    assert s.stream == 0
    rig.clock.advance_ms(1)
    s.tick()
    assert s.stream == 1


def test_pause_closes_the_connection_and_resume_opens_a_new_one() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    s.pause()
    assert s.connection is None and not s.sending
    assert rig.pump.retired == [(0, True, GapReason.PAUSE, True)]
    assert rig.last_state() == (SessionState.PAUSED, "Paused: no audio is being sent")
    rig.clock.advance_ms(600_000)
    s.tick()
    assert rig.engine.opened == [0]  # nothing reconnects while paused
    s.resume()
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [0, 1]
    assert rig.last_state() == (SessionState.RECONNECTING, "Connecting…")


def test_a_lost_input_waits_for_another_and_a_new_one_carries_on() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    s.source_lost()
    assert rig.pump.retired == [(0, True, GapReason.DEVICE, True)]
    assert rig.last_state() == (SessionState.PAUSED, "Waiting for another input")
    s.resume()
    assert phase_of(s) is Phase.SOURCE_LOST
    s.source_replaced()
    assert phase_of(s) is Phase.CONNECTING and rig.engine.opened == [0, 1]
    assert len(rig.pump.retired) == 1  # nothing more to retire


def test_picking_another_input_restarts_a_live_connection_but_not_a_paused_one() -> None:
    rig = rig_in(Phase.LIVE)
    rig.supervisor.source_replaced()
    assert rig.pump.retired == [(0, True, GapReason.DEVICE, True)]
    assert rig.engine.opened == [0, 1]
    rig = rig_in(Phase.PAUSED)
    rig.supervisor.source_replaced()
    assert phase_of(rig.supervisor) is Phase.PAUSED and rig.engine.opened == [0]


def test_a_second_failure_report_for_the_same_connection_counts_once() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    s.failed(NETWORK)
    first = rig.delay_ms()
    s.failed(NETWORK)
    assert rig.delay_ms() == first and len(rig.pump.retired) == 1
    s.failed(AUTH)  # ...unless it says retrying cannot help
    assert phase_of(s) is Phase.FAILED


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.value)
def test_stop_from_every_state_hands_over_the_connection_and_ends(phase: Phase) -> None:
    rig = rig_in(phase)
    s = rig.supervisor
    live = s.connection
    handed = s.stop()
    assert handed is live and s.connection is None
    assert (live is not None) == (phase in (Phase.CONNECTING, Phase.LIVE))
    if (phase, Trigger.STOP) in TRANSITIONS:
        assert phase_of(s) is Phase.STOPPING
        assert rig.last_state() == (SessionState.STOPPING, "Stopping…")
    s.closed()
    if phase is Phase.FAILED:
        assert rig.last_state() == (SessionState.FAILED, AUTH.message)
    else:
        assert rig.last_state() == (SessionState.IDLE, "Stopped")
    assert not s.running


# --- failover (engine = auto): the local engine stands in for a cloud it cannot reach --------


def test_a_cloud_unreachable_at_start_hands_over_to_the_local_engine_at_once() -> None:
    rig = rig_live_locally()
    assert rig.pump.engines == ["local"]
    # Told, once, why, as news (captions go on): not as a problem to act on.
    assert Notice(f"{UNREACHABLE.message} {COVERED}", Holds.WHILE_COVERED) in rig.reports
    assert UNREACHABLE not in rig.reports
    assert rig.last_state() == (
        SessionState.LIVE,
        "Live on this computer: the cloud cannot be reached",
    )
    assert rig.clock.now == 1000.0  # no waiting at all


def test_a_lost_cloud_waits_a_few_seconds_for_itself_then_goes_local() -> None:
    rig = rig_in(Phase.LIVE, engine=FakeEngine(name="cloud"), local=FakeEngine(name="local"))
    s = rig.supervisor
    s.failed(NETWORK)
    for _ in range(3):  # 0.5 s, 1 s, 2 s: the cloud is tried again and stays unreachable
        rig.engine.refusals.append(OpenFailed(UNREACHABLE))
        rig.clock.now = s.next_attempt_at
        s.tick()
        assert phase_of(s) is Phase.BACKOFF and not s.engines.on_fallback
    assert rig.clock.now == pytest.approx(1003.5)
    rig.clock.now = 1000 + FailoverSettings().after_s - 0.001
    s.tick()
    assert not s.engines.on_fallback
    rig.clock.now = 1000 + FailoverSettings().after_s
    s.tick()
    assert phase_of(s) is Phase.CONNECTING and rig.pump.engines == ["cloud", "local"]
    assert Notice(f"fake did not come back. {COVERED}", Holds.WHILE_COVERED) not in rig.reports
    assert Notice(f"cloud did not come back. {COVERED}", Holds.WHILE_COVERED) in rig.reports
    assert rig.local is not None and rig.local.prepared >= 1  # loading while the cloud is tried


def test_the_cloud_back_is_used_again_at_a_turn_boundary() -> None:
    rig = rig_live_locally()
    s = rig.supervisor
    every_ms = FailoverSettings().probe_every_s * 1000
    rig.clock.advance_ms(every_ms - 1)
    s.tick()
    assert rig.probes == 0  # probed every few seconds, not more often
    rig.clock.advance_ms(1)
    s.tick()
    assert rig.probes == 1 and phase_of(s) is Phase.LIVE  # not answering yet
    rig.cloud_answers = True
    rig.pump.speaking = True
    rig.clock.advance_ms(every_ms)
    s.tick()
    assert rig.probes == 2 and phase_of(s) is Phase.LIVE  # mid-turn: wait for its end
    rig.pump.speaking = False
    s.tick()
    assert phase_of(s) is Phase.CONNECTING and rig.pump.engines == ["local", "cloud"]
    assert rig.pump.retired[-1] == (1, True, GapReason.SWITCH, True)
    s.began(None)
    assert not s.engines.on_fallback and rig.last_state() == (SessionState.LIVE, "Live")


def test_a_cloud_that_fails_again_on_return_hands_back_at_once() -> None:
    rig = rig_live_locally()
    s = rig.supervisor
    _cloud_answers_again(rig)
    assert rig.pump.engines == ["local", "cloud"]
    s.failed(UNREACHABLE)
    s.tick()
    assert rig.pump.engines == ["local", "cloud", "local"]


def test_no_stand_in_for_a_rejected_key_or_when_the_cloud_was_asked_for() -> None:
    rig = rig_in(Phase.LIVE, local=FakeEngine(name="local"))
    rig.supervisor.failed(AUTH)
    assert phase_of(rig.supervisor) is Phase.FAILED and rig.pump.engines == ["fake"]
    rig = Rig()  # no local engine: engine = assemblyai
    rig.engine.refusals.append(OpenFailed(UNREACHABLE))
    rig.supervisor.start()
    assert phase_of(rig.supervisor) is Phase.BACKOFF
    shown = f"{UNREACHABLE.message} Trying again in 0.5 s."
    assert rig.last_state() == (SessionState.UNREACHABLE, shown)  # never "reconnecting"


def test_a_local_engine_that_cannot_run_leaves_the_cloud_retrying() -> None:
    rig = rig_live_locally()
    s = rig.supervisor
    broken = Problem(ProblemKind.ENGINE_SETUP, "No model.", Recovery.GIVE_UP)
    s.failed(broken)
    assert phase_of(s) is Phase.BACKOFF and not s.engines.on_fallback
    s.tick()
    assert rig.pump.engines == ["local", "cloud"]


def test_a_termination_nobody_asked_for_is_a_drop_not_a_silence_for_the_watchdog() -> None:
    rig = rig_in(Phase.LIVE)
    s = rig.supervisor
    assert s.ended_unasked()
    assert phase_of(s) is Phase.BACKOFF
    assert rig.pump.retired == [(0, True, GapReason.RECONNECT, False)]
    assert rig.delay_ms() == TIMING.backoff_first_s * 1000
    rig = rig_in(Phase.PAUSED)  # the Termination of a connection retired on purpose
    assert not rig.supervisor.ended_unasked()
    assert phase_of(rig.supervisor) is Phase.PAUSED
