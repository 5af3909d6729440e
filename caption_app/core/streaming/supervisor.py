"""The live session's connection supervisor: an explicit state machine on one injected clock.

It decides when a connection is opened, kept, rolled over, restarted by the watchdog or given
up on, and reports the resulting session state. It never touches audio: the pump in
``session.py`` moves chunks and engine events and tells the supervisor what happened, and the
supervisor calls back through ``Pump`` to open and retire connections. Every decision reads
the same ``clock`` (monotonic seconds), so the unit tests drive it with a fake clock.

Which engine serves the next connection is the supervisor's choice, through an
``EngineSelector`` (``failover.py``): the cloud, or the local engine standing in for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from caption_app.core.engines.base import Connection, Engine, EventQueue, OpenFailed
from caption_app.core.model.gaps import GapReason
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    Holds,
    Notice,
    SessionListener,
    SessionState,
    StateChanged,
)
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.failover import STANDS_IN_FOR, EngineSelector
from caption_app.core.streaming.phases import TRANSITIONS, Phase, Trigger
from caption_app.core.streaming.timing import Timing

log = logging.getLogger(__name__)
COVERED = "Captions continue on this computer until the cloud answers again."
SERVICE_ENDED = Problem(
    ProblemKind.NETWORK, "The captioning service ended the session unasked.", Recovery.RECONNECT
)

SPARSE_WATCHDOG_FACTOR = 4
"""Universal-3 Pro answers speech with a partial after ~0.75 s and then only at pauses, so the
watchdog waits this many times longer before calling a connection dead."""


class Pump(Protocol):
    """What the supervisor asks of the audio pump (``LiveSession``)."""

    def connection_opened(self, stream: int, connection: Connection, engine: Engine) -> None:
        """Send the audio kept while connecting (all of it since the last finished turn when
        the engine changed), then carry on live."""

    def between_turns(self) -> bool:
        """No turn is being spoken on the current connection (a good moment to switch)."""

    def connection_retired(
        self, stream: int, connection: Connection | None, reason: GapReason | None, terminate: bool
    ) -> None:
        """Close it in the background (its last turns still arrive) and mark the gap."""


class Supervisor:
    def __init__(
        self,
        engines: EngineSelector,
        settings: Callable[[], StreamingSettings],
        events: EventQueue,
        pump: Pump,
        report: SessionListener,
        *,
        timing: Timing,
        clock: Callable[[], float],
    ) -> None:
        self.engines = engines
        self._settings = settings
        self._events = events
        self._pump = pump
        self._report = report
        self._timing = timing
        self._clock = clock
        self.phase = Phase.STARTING
        self.connection: Connection | None = None
        self.stream = -1
        self.connections = 0
        self.failure: Problem | None = None  # why the session ended, once it has failed
        self.next_attempt_at = 0.0
        self.rollover_at: float | None = None
        self._backoff_s = timing.backoff_first_s
        self._failures_in_a_row = 0
        self._speech_unanswered_since: float | None = None
        self._watchdog_s = timing.watchdog_s
        self._ever_live = False
        self._live_since: float | None = None
        """When the current connection began; None once it failed."""
        self._last_failure: Problem | None = None

    # --- what the pump tells it ------------------------------------------------------------

    def start(self) -> None:
        if self._move(Trigger.START):
            self._connect()

    def began(self, expires_in_s: float | None) -> None:
        if not self._move(Trigger.BEGAN):
            return
        self.engines.began()
        self._ever_live = True
        # Not a reset of the backoff yet: a service that accepts and then drops every
        # connection (or sends a frame that kills the reader after each Begin) would otherwise
        # get a new billed session every half second. A turn, or a while live, resets it.
        self._live_since = self._clock()
        if expires_in_s is not None:
            margin = min(self._timing.rollover_margin_s, expires_in_s / 2)
            # A clock far off (expiry already "past") must not retire every new connection
            # at once, each a billed session: roll over no sooner than the floor; the
            # service's own 3008 at expiry still reconnects at once.
            wait = max(self._timing.rollover_floor_s, expires_in_s - margin)
            self.rollover_at = self._clock() + wait
        if self.engines.on_fallback:
            self._set_state(SessionState.LIVE, "Live on this computer: the cloud cannot be reached")
        else:
            self._set_state(SessionState.LIVE, "Live")

    def heard_from_engine(self) -> None:
        """Any event of the current connection: it is alive."""
        self._speech_unanswered_since = None

    def turn_received(self) -> None:
        """The service is really working again: failures no longer count as in a row."""
        self._failures_in_a_row = 0
        self._backoff_s = self._timing.backoff_first_s

    def speech_sent(self) -> None:
        """A loud chunk went out; the engine should answer within the watchdog's limit."""
        if self.phase is Phase.LIVE and self._speech_unanswered_since is None:
            self._speech_unanswered_since = self._clock()

    def failed(self, problem: Problem) -> None:
        """The current connection failed (the pump ignores retired ones)."""
        fatal = problem.recovery in (Recovery.NEW_KEY, Recovery.GIVE_UP)
        if self.phase not in (Phase.CONNECTING, Phase.LIVE) and not (
            fatal and self.phase is Phase.BACKOFF
        ):
            return  # already failed, or retired on purpose: one report is enough
        log.info(  # expected in the field: the person is told through the problem event
            "stream %d failed: %s (code=%s)", self.stream, problem.kind.value, problem.code
        )
        self._retire(GapReason.RECONNECT, terminate=False)
        self._after_failure(problem)

    def ended_unasked(self) -> bool:
        """The service ended the current connection (a Termination) without being asked:
        a drop, reconnected after the backoff rather than found by the watchdog seconds later.
        Whether it was one (False once the connection was retired: then it was asked)."""
        if self.connection is None:
            return False
        self.failed(SERVICE_ENDED)
        return True

    def fail(self, problem: Problem) -> None:
        """Something outside the engine makes going on impossible (the input at start)."""
        self._report(problem)
        if self._move(Trigger.FAILED_FATAL):
            self.failure = problem  # the connection stays for ``stop`` to close
            self._set_state(SessionState.FAILED, problem.message)

    def pause(self) -> None:
        if self._move(Trigger.PAUSE):
            self._retire(GapReason.PAUSE, terminate=True)
            self._set_state(SessionState.PAUSED, "Paused: no audio is being sent")

    def resume(self) -> None:
        if self._move(Trigger.RESUME):
            self._connect()

    def source_lost(self) -> None:
        if self._move(Trigger.SOURCE_LOST):
            self._retire(GapReason.DEVICE, terminate=True)
            self._set_state(SessionState.PAUSED, "Waiting for another input")

    def source_replaced(self) -> None:
        """The pump has started another input; go on with it (still paused if paused)."""
        was = self.phase
        if self._move(Trigger.SOURCE_REPLACED) and self.phase is Phase.CONNECTING:
            if was is not Phase.SOURCE_LOST:
                self._retire(GapReason.DEVICE, terminate=True)
            self._connect()

    def tick(self) -> None:
        """Time-driven moves: the next attempt after a backoff, rollover, the watchdog."""
        now = self._clock()
        failing_over = self.phase is Phase.BACKOFF and self.engines.failover_due()
        if failing_over:
            primary = self.engines.primary.name
            self._report(Notice(f"{primary} did not come back. {COVERED}", Holds.WHILE_COVERED))
        if self.phase is Phase.BACKOFF and (failing_over or now >= self.next_attempt_at):
            self._move(Trigger.BACKOFF_ELAPSED)
            # "Reconnecting" only for a connection that was live and is being replaced.
            self._connect(reconnecting=self._ever_live and not self.engines.on_fallback)
        elif self.phase is not Phase.LIVE:
            return
        elif self.engines.return_due() and self._pump.between_turns():
            log.info("the cloud answers again: leaving the local engine")
            self._move(Trigger.SWITCH)
            self.engines.returned()
            self._retire(GapReason.SWITCH, terminate=True)
            self._connect(reconnecting=False)
        elif self.rollover_at is not None and now >= self.rollover_at:
            log.info("rolling over stream %d before it expires", self.stream)
            self._move(Trigger.ROLLOVER_DUE)
            self._retire(GapReason.ROLLOVER, terminate=True)
            self._connect()
        elif self._watchdog_expired(now):
            self._report(
                Notice(
                    "The captioning service stopped answering; reconnecting.",
                    Holds.UNTIL_LIVE,
                )
            )
            self._move(Trigger.WATCHDOG_EXPIRED)
            self._retire(GapReason.RECONNECT, terminate=False)
            self._connect()

    def stop(self) -> Connection | None:
        """Stop: returns the live connection for the pump to close (and wait for)."""
        connection = self.connection
        self.connection = None
        if self._move(Trigger.STOP):
            self._set_state(SessionState.STOPPING, "Stopping…")
        return connection

    def closed(self) -> None:
        """The pump has closed everything: the session has ended."""
        if not self._move(Trigger.CLOSED):
            return
        self.engines.release()
        if self.failure is None and not self._ever_live:
            self.failure = self._last_failure  # never captioned at all: that is a failure
        if self.failure is not None:
            self._set_state(SessionState.FAILED, self.failure.message)
        else:
            self._set_state(SessionState.IDLE, "Stopped")

    @property
    def running(self) -> bool:
        return self.phase not in (Phase.FAILED, Phase.STOPPING, Phase.ENDED)

    @property
    def sending(self) -> bool:
        """Audio goes to a connection now (else it is kept for the next one, or dropped)."""
        return self.connection is not None

    # --- the machine -----------------------------------------------------------------------

    def _move(self, trigger: Trigger) -> bool:
        target = TRANSITIONS.get((self.phase, trigger))
        if target is None:
            log.debug("%s ignored while %s", trigger.value, self.phase.value)
            return False
        self.phase = target
        return True

    def _connect(self, *, reconnecting: bool = True) -> None:
        """Open the next connection (the phase is CONNECTING)."""
        self.stream += 1
        self.connections += 1
        self._speech_unanswered_since = None
        self.rollover_at = None
        settings = self._settings()
        # The model is fixed per connection; a change in Settings applies to the next one.
        factor = SPARSE_WATCHDOG_FACTOR if settings.sparse_partials else 1
        self._watchdog_s = self._timing.watchdog_s * factor
        reconnecting = reconnecting and self.stream > 0
        state = SessionState.RECONNECTING if reconnecting else SessionState.CONNECTING
        self._set_state(state, "Connecting…")
        try:
            engine = self.engines.next_engine()
            self.connection = engine.open(self.stream, settings, self._events)
        except OpenFailed as exc:
            self._connect_failed(exc.problem)
        except Exception as exc:  # anything else an engine raises: retry like a network fault
            log.info("opening stream %d failed", self.stream, exc_info=True)
            self._connect_failed(
                Problem(
                    ProblemKind.UNREACHABLE,
                    f"Cannot reach the captioning service ({type(exc).__name__}).",
                    Recovery.RECONNECT,
                )
            )
        else:
            self._pump.connection_opened(self.stream, self.connection, engine)

    def _connect_failed(self, problem: Problem) -> None:
        self._after_failure(problem)

    def _after_failure(self, problem: Problem) -> None:
        if self.engines.failed(problem):
            # The other engine takes over now (the cloud unreachable at Start, or not back
            # after all; or the local engine cannot run here and the cloud is tried again).
            covered = self.engines.on_fallback  # then it is news, not a problem to act on
            news = Notice(f"{problem.message} {COVERED}", Holds.WHILE_COVERED)
            self._report(news if covered else problem)
            if self._move(Trigger.FAILED):
                self._failures_in_a_row = 0
                self.next_attempt_at = self._clock()
            return
        self._report(problem)
        live_since, self._live_since = self._live_since, None
        if live_since is not None and self._clock() - live_since >= self._timing.stable_after_s:
            self._backoff_s = self._timing.backoff_first_s  # it held: this drop is news
        if problem.kind in STANDS_IN_FOR:
            self.engines.prepare_fallback(self._settings())
        self._last_failure = problem
        self._failures_in_a_row += 1
        limit = self._timing.give_up_after_failures
        if limit is not None and self._failures_in_a_row >= limit:
            problem = replace(problem, recovery=Recovery.GIVE_UP)
        if problem.recovery in (Recovery.NEW_KEY, Recovery.GIVE_UP):
            if self._move(Trigger.FAILED_FATAL):
                self.failure = problem
                self._set_state(SessionState.FAILED, problem.message)
            return
        if not self._move(Trigger.FAILED):
            return
        delay = self._next_delay(problem)
        self.next_attempt_at = self._clock() + delay
        if problem.kind is ProblemKind.UNREACHABLE:
            # Nothing was ever live: say so, and that retries go on, never "reconnecting".
            detail = f"{problem.message} Trying again in {delay:.1f} s."
            self._set_state(SessionState.UNREACHABLE, detail)
            return
        detail = f"Reconnecting in {delay:.1f} s"
        if problem.kind is ProblemKind.TOKEN_SERVICE:
            detail = problem.message
        self._set_state(SessionState.RECONNECTING, detail)

    def _next_delay(self, problem: Problem) -> float:
        if problem.recovery is Recovery.RECONNECT_NOW:
            return 0.0
        if problem.recovery is Recovery.RETRY_LATER:
            return max(self._timing.rate_limit_backoff_s, self._backoff_s)
        delay = self._backoff_s
        self._backoff_s = min(self._backoff_s * 2, self._timing.backoff_max_s)
        return delay

    def _retire(self, reason: GapReason | None, *, terminate: bool) -> None:
        connection, self.connection = self.connection, None
        self.rollover_at = None
        self._speech_unanswered_since = None
        self._pump.connection_retired(self.stream, connection, reason, terminate)

    def _watchdog_expired(self, now: float) -> bool:
        since = self._speech_unanswered_since
        return since is not None and now - since > self._watchdog_s

    def _set_state(self, state: SessionState, detail: str) -> None:
        self._report(StateChanged(state, detail))
