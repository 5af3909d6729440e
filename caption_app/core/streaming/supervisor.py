"""The live session's connection supervisor: an explicit state machine on one injected clock.

It decides when a connection is opened, kept, rolled over, restarted by the watchdog, set
aside, handed over or given up on, and reports the session's status. It never touches audio
and never waits: the pump (``session.py``) tells it what happened, and every call returns what
the pump is to do (``actions.py``), so the dependency runs one way. Every move is a row of the
table in ``phases.py``, effects included; the person's Pause is an intent kept beside the phase
(``hold.py``); the engine of each connection comes from the ``EngineSelector``
(``failover.py``). Every decision reads the one injected ``clock`` (monotonic seconds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from caption_app.core.engines.base import Connection, Engine
from caption_app.core.model.gaps import GapReason
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import SessionListener, SessionState, StateChanged
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.actions import Action, Adopt, Discard, Open, Retire
from caption_app.core.streaming.attempts import Attempt, Attempts
from caption_app.core.streaming.failover import EngineSelector
from caption_app.core.streaming.hold import Hold
from caption_app.core.streaming.phases import GAP_REASONS, TRANSITIONS, Effect, Phase, Trigger
from caption_app.core.streaming.reports import (
    SERVICE_ENDED,
    SERVICE_SILENT,
    Reports,
    covered,
    ended,
    live,
    waiting_to_retry,
)
from caption_app.core.streaming.retry import Backoff
from caption_app.core.streaming.timing import Timing
from caption_app.core.streaming.watchdog import Watchdog

log = logging.getLogger(__name__)


class Supervisor:
    def __init__(
        self,
        engines: EngineSelector,
        settings: Callable[[], StreamingSettings],
        report: SessionListener,
        *,
        timing: Timing,
        clock: Callable[[], float],
    ) -> None:
        self._engines = engines
        self._settings = settings
        self._timing = timing
        self._clock = clock
        self.phase = Phase.STARTING
        self._hold = Hold()
        self._attempts = Attempts()
        self.failure: Problem | None = None
        """Why the session ended, once it has failed."""
        self.next_attempt_at = 0.0
        self.rollover_at: float | None = None
        self._backoff = Backoff(timing)
        self._watchdog = Watchdog(timing.watchdog_s)
        self._ever_live = False
        self._last_failure: Problem | None = None
        self._adopted_engine: Engine | None = None
        self._board = Reports(report)

    # --- what the pump reads -----------------------------------------------------------------

    @property
    def stream(self) -> int:
        """The current connection's stream (the last one opened)."""
        current = self._attempts.current
        return current.stream if current is not None else self._attempts.last_stream

    @property
    def attempts(self) -> int:
        return self._attempts.last_stream + 1

    @property
    def paused(self) -> bool:
        """The person's intent; while it holds, no connection is opened or fed."""
        return self._hold.paused

    @property
    def receiver(self) -> Connection | None:
        """The connection audio goes to now; None while paused, held or between connections."""
        current = self._attempts.current
        if self.paused or current is None or self.phase not in (Phase.CONNECTING, Phase.LIVE):
            return None
        return current.connection

    @property
    def keeps_audio(self) -> bool:
        """Audio read now is kept for a connection to come (never while paused)."""
        return not self.paused and self.running

    @property
    def running(self) -> bool:
        return self.phase not in (Phase.FAILED, Phase.STOPPING, Phase.ENDED)

    @property
    def state(self) -> StateChanged:
        """The state last said to the window."""
        return self._board.said

    def is_current(self, stream: int) -> bool:
        return self._attempts.is_current(stream)

    # --- what the pump tells it --------------------------------------------------------------

    def start(self) -> list[Action]:
        return self._fire(Trigger.START) or []

    def dialling(self, stream: int) -> None:
        """The attempt is ready and contacts the engine: its wait for an answer starts now."""
        attempt = self._attempts.find(stream)
        if attempt is not None:
            attempt.started_at, attempt.dialled = self._clock(), True

    def opened(self, stream: int, connection: Connection) -> list[Action]:
        """An attempt answered with its connection."""
        attempt = self._attempts.find(stream)
        if attempt is None or attempt.connection is not None:
            return [Discard(stream, connection)]  # given up on meanwhile
        attempt.connection = connection
        if attempt is self._attempts.aside:
            return []  # it waits for its Began, and then for its turn
        actions = self._fire(Trigger.OPENED) or []
        if attempt.began:  # its Began overtook the answer on the queue
            actions += self._began(attempt)
        return actions

    def began(self, stream: int, expires_in_s: float | None) -> list[Action]:
        attempt = self._attempts.find(stream)
        if attempt is None or attempt.began:
            return []
        attempt.began, attempt.expires_in_s = True, expires_in_s
        current = attempt is self._attempts.current
        return self._began(attempt) if current and attempt.connection is not None else []

    def heard_from(self, stream: int) -> None:
        """Any event of the current connection: it is alive."""
        if self.is_current(stream):
            self._watchdog.answered()

    def turn_received(self, stream: int) -> None:
        """The service is really working again: failures no longer count as in a row."""
        if self.is_current(stream):
            self._proven()

    def speech_sent(self) -> None:
        """A loud chunk went out; the engine should answer within the watchdog's limit."""
        if self.phase is Phase.LIVE:
            self._watchdog.speech_sent(self._clock())

    def connection_failed(self, stream: int, problem: Problem) -> list[Action]:
        """A connection (or the attempt to open one) failed; a retired one changes nothing."""
        if self._attempts.is_aside(stream):
            return self._aside_failed(problem)
        if not self.is_current(stream) or self.phase not in (Phase.CONNECTING, Phase.LIVE):
            return []
        log.info(  # expected in the field: the person is told through the problem event
            "stream %d failed: %s (code=%s)", stream, problem.kind.value, problem.code
        )
        return self._after_failure(problem)

    def terminated(self, stream: int) -> list[Action]:
        """The service ended ``stream``: unasked (a connection in use), that is a drop."""
        return self.connection_failed(stream, SERVICE_ENDED)

    def input_failed(self, problem: Problem) -> list[Action]:
        """The input cannot go on (it failed at start, or for good): the session fails."""
        return self._give_up(problem)

    def pause(self) -> list[Action]:
        return self._held_by(self._hold.pause())

    def resume(self) -> list[Action]:
        return self._held_by(self._hold.resume())

    def input_lost(self) -> list[Action]:
        return self._held_by(self._hold.lose_input())

    def key_renewed(self) -> None:
        """Another key was given: a cloud that rejected the last one is tried at once (and
        if it rejects this one too, that is news)."""
        self._engines.key_renewed()
        self._board.flowing()
        self._say_live()  # the cloud is tried now: no longer waiting for a key

    def engine_chosen(self, *, here: bool) -> list[Action]:
        """The person chose this computer (``here``: the cloud is left now) or the cloud
        (tried at once, taking over at a turn boundary), mid-session."""
        engines = self._engines
        if not engines.choose(here=here):
            return []
        self._say_live()  # chosen now, or standing in for the cloud again
        if not here or engines.on_fallback:
            return self._drop_aside() if here else []  # a try of the cloud under way goes
        engines.use_fallback()
        return self._fire(Trigger.CHOSEN_HERE) or []

    def input_replaced(self) -> list[Action]:
        """The pump has started another input: go on with it (still held while paused)."""
        return self._held_by(self._hold.replace_input())

    def tick(self, *, between_turns: bool) -> list[Action]:
        """Time-driven moves: a connect that does not answer, failing over, the next attempt
        after a backoff, trying the cloud again and switching to it, rollover, the watchdog.
        ``between_turns``: no turn is being spoken on the current connection now."""
        now = self._clock()
        actions = self._check_aside(now)
        if self.phase is Phase.CONNECTING:
            actions += self._tick_connecting(now)
        elif self.phase is Phase.BACKOFF:
            actions += self._tick_backoff(now)
        elif self.phase is Phase.LIVE:
            actions += self._tick_live(now, between_turns)
        return actions

    def stop(self) -> list[Action]:
        """Stop: the current connection is ended cleanly (the pump waits, bounded, for its
        last words); a connection on the side is let go."""
        current = self._attempts.current
        actions = self._fire(Trigger.STOP)
        if actions is None:
            return []
        self._attempts.take_current()
        if current is not None:
            actions.append(Retire(current.stream, current.connection, None, clean=True))
        self._set_state(SessionState.STOPPING, "Stopping…")
        return actions

    def closed(self) -> None:
        """The pump has closed everything: the session has ended."""
        if self._fire(Trigger.CLOSED) is None:
            return
        self._engines.release()
        if self.failure is None and not self._ever_live:
            self.failure = self._last_failure  # never captioned at all: that is a failure
        self._set_state(*ended(self.failure))

    # --- the machine -------------------------------------------------------------------------

    def _fire(self, trigger: Trigger) -> list[Action] | None:
        """Make the move the table lists for ``trigger`` now, with its effects; None when it
        lists none (the trigger is ignored)."""
        move = TRANSITIONS.get((self.phase, trigger))
        if move is None:
            log.debug("%s ignored while %s", trigger.value, self.phase.value)
            return None
        self.phase = move.to
        actions: list[Action] = []
        for effect in move.effects:
            if effect is Effect.CONNECT:
                actions += self._connect()
            elif effect is Effect.END or effect is Effect.DROP:
                actions += self._retire(GAP_REASONS.get(trigger), clean=effect is Effect.END)
            elif effect is Effect.ADOPT:
                actions += self._adopt()
            elif effect is Effect.SET_ASIDE and self._attempts.current_heard:
                actions += self._retire(GAP_REASONS.get(trigger), clean=False)
            elif effect is Effect.SET_ASIDE:
                self._attempts.set_aside()
            elif effect is Effect.OPEN_ASIDE:
                actions += self._open_aside()
            elif effect is Effect.TAKE_OVER:
                actions += self._take_over()
            elif effect is Effect.DROP_ASIDE:
                actions += self._drop_aside()
        self._publish()  # the phase, the Pause and whether audio is sent, as they are now
        return actions

    def _connect(self) -> list[Action]:
        """Open the next connection off the pump (the phase is CONNECTING)."""
        engine = self._engines.next_engine()
        attempt = self._attempts.new(engine, self._clock())
        self._watchdog.new_connection(sparse_partials=self._settings().sparse_partials)
        self.rollover_at = None
        reconnecting = self._ever_live and not self._engines.on_fallback
        state = SessionState.RECONNECTING if reconnecting else SessionState.CONNECTING
        self._set_state(state, "Connecting…")
        return [Open(attempt.stream, engine)]

    def _adopt(self) -> list[Action]:
        current = self._attempts.current
        assert current is not None and current.connection is not None
        engine, previous = current.engine, self._adopted_engine
        self._adopted_engine = engine
        marker = self._engines.marker(engine, previous)
        if marker is not None:  # named as the transcript marks the move (the fifth walk)
            self._board.show_engine(self._engines.in_use(engine))
        self._publish()
        return [Adopt(current.stream, current.connection, engine, marker)]

    def _retire(self, reason: GapReason | None, *, clean: bool) -> list[Action]:
        current = self._attempts.take_current()
        self.rollover_at = None
        self._watchdog.answered()
        if current is None:
            return []
        return [Retire(current.stream, current.connection, reason, clean)]

    def _open_aside(self) -> list[Action]:
        engine = self._engines.primary
        attempt = self._attempts.new(engine, self._clock(), aside=True)
        self._engines.return_tried()
        log.info("trying %s again on the side (stream %d)", engine.name, attempt.stream)
        return [Open(attempt.stream, engine)]

    def _take_over(self) -> list[Action]:
        attempt = self._attempts.take_over()
        if attempt.engine is self._engines.primary:
            self._engines.use_primary()
        else:
            self._engines.use_fallback()
        log.info("stream %d (%s) takes over", attempt.stream, attempt.engine.name)
        return self._adopt() + self._began(attempt, moved=True)

    def _drop_aside(self) -> list[Action]:
        aside = self._attempts.take_aside()
        if aside is None:
            return []
        self._engines.return_abandoned()
        return [Retire(aside.stream, aside.connection, None, clean=False)]

    def _began(self, attempt: Attempt, *, moved: bool = False) -> list[Action]:
        """The current connection began (``moved``: the table has already made it LIVE)."""
        if not moved and self._fire(Trigger.BEGAN) is None:
            return []
        engine = attempt.engine
        self._engines.began(engine)
        self._ever_live = True
        self._backoff.began(self._clock())
        if attempt.expires_in_s is not None:
            self.rollover_at = self._clock() + self._timing.rollover_after(attempt.expires_in_s)
        self._say_live(engine)
        return []

    def _say_live(self, engine: Engine | None = None) -> None:
        """Say what captions: ``engine``, just begun, or anew the local engine (why changed)."""
        current = self._attempts.current
        if engine is None and self._engines.on_fallback and self.phase is Phase.LIVE:
            engine = current.engine if current is not None else None
        if engine is not None:
            in_use = self._engines.in_use(engine)
            self._board.show_engine(in_use)
            self._set_state(*live(in_use))

    def _proven(self) -> None:
        self._backoff.proven()
        current = self._attempts.current
        if current is not None and current.engine is self._engines.primary:
            self._engines.primary_proven()
            self._board.flowing()

    # --- failures ------------------------------------------------------------------------------

    def _after_failure(self, problem: Problem) -> list[Action]:
        current = self._attempts.current
        assert current is not None
        engines = self._engines
        if engines.on_fallback and problem.kind is ProblemKind.ENGINE_SETUP:
            if engines.kept_here:  # the person chose to send nothing: never the cloud instead
                return self._give_up(replace(problem, recovery=Recovery.GIVE_UP))
            # The local engine cannot run here: the cloud is retried at once, for good.
            engines.fallback_cannot_run()
            self._board.tell(problem)
            return self._retry_at_once()
        if current.engine is engines.primary and engines.primary_failed(problem):
            # Never reached at Start, not back after all, or the key rejected: the local
            # engine takes over now (a rejected key is the person's to fix: a problem).
            engines.use_fallback()
            self._board.tell(problem if engines.awaiting_key else covered(problem.message))
            return self._retry_at_once()
        if problem.recovery in (Recovery.NEW_KEY, Recovery.GIVE_UP):
            return self._give_up(problem)
        self._last_failure = problem
        if self._backoff.held_long_enough(self._clock()):
            self._proven()  # it held: this drop is news
        if current.engine is engines.primary and engines.can_fail_over(problem):
            engines.prepare_fallback(self._settings())
        if self._backoff.failed(self._clock()):
            return self._give_up(replace(problem, recovery=Recovery.GIVE_UP))
        actions = self._fire(Trigger.CONNECTION_FAILED) or []
        delay = self._backoff.delay_after(problem)
        self.next_attempt_at = self._clock() + delay
        self._board.tell(problem)
        self._set_state(*waiting_to_retry(problem, delay))
        return actions

    def _retry_at_once(self) -> list[Action]:
        actions = self._fire(Trigger.CONNECTION_FAILED) or []
        self._backoff.forgive()
        self.next_attempt_at = self._clock()
        return actions

    def _give_up(self, problem: Problem) -> list[Action]:
        """Retrying cannot help: the move first, then it is said (unless already stopping)."""
        actions = self._fire(Trigger.GIVE_UP)
        if actions is None:
            return []
        self._board.tell(problem)
        self.failure = problem
        self._set_state(*ended(problem))
        return actions

    def _aside_failed(self, problem: Problem) -> list[Action]:
        """The cloud, tried on the side, did not begin: nothing changes for the captions;
        the next try waits longer, and the problem is said once."""
        aside = self._attempts.take_aside()
        assert aside is not None
        log.info("stream %d on the side failed: %s", aside.stream, problem.kind.value)
        self._board.tell_try_failed(problem, asked=self._engines.cloud_asked_for)
        self._engines.return_failed(problem)
        self._say_live()  # it may wait for another key now
        return [Retire(aside.stream, aside.connection, None, clean=False)]

    # --- time ---------------------------------------------------------------------------------

    def _check_aside(self, now: float) -> list[Action]:
        aside = self._attempts.aside
        if aside is None or not aside.overdue(now):
            return []
        return self._aside_failed(aside.engine.no_answer(self._settings()))

    def _tick_connecting(self, now: float) -> list[Action]:
        current = self._attempts.current
        if current is None or current.began:
            return []
        if not current.dialled:  # still loading what it needs (an SDK import): not waiting
            if current.engine is self._engines.primary and not self._engines.primary_ever_began:
                self._engines.prepare_fallback(self._settings())
            return []
        waited = now - current.started_at
        if current.overdue(now):
            log.info("stream %d did not answer in %.1f s", current.stream, waited)
            return self._after_failure(current.engine.no_answer(self._settings()))
        if self._attempts.aside_ready:
            return self._fire(Trigger.SWITCH) or []  # the cloud answered on the side
        if current.engine is not self._engines.primary:
            return []
        why = self._engines.why_fail_over(waited, self._timing.cloud_grace_s, self._settings())
        return self._fail_over(why) if why else []

    def _tick_backoff(self, now: float) -> list[Action]:
        if self._attempts.aside_ready:
            return self._fire(Trigger.SWITCH) or []
        why = self._engines.why_fail_over(None, self._timing.cloud_grace_s, self._settings())
        if why:
            return self._fail_over(why)
        if now >= self.next_attempt_at:
            return self._fire(Trigger.BACKOFF_ELAPSED) or []
        return []

    def _fail_over(self, why: str) -> list[Action]:
        """The local engine takes over; a cloud attempt under way goes on, on the side."""
        self._board.tell(covered(why, self._engines.away_for_s()))
        actions = self._drop_aside()
        self._engines.use_fallback(why)
        if self.phase is Phase.CONNECTING:
            self._engines.return_tried()  # the attempt set aside is the try
        return actions + (self._fire(Trigger.FAIL_OVER) or [])

    def _tick_live(self, now: float, between_turns: bool) -> list[Action]:
        if self._backoff.held_long_enough(now):
            self._proven()  # live a while, turns or not (a quiet room)
        if self._attempts.aside_ready:
            if not between_turns:
                return []
            log.info("the connection on the side takes over at a turn boundary")
            return self._fire(Trigger.SWITCH) or []
        if self._attempts.aside is None and self._engines.return_due():
            return self._fire(Trigger.RETURN_DUE) or []
        if self.rollover_at is not None and now >= self.rollover_at:
            log.info("rolling over stream %d before it expires", self.stream)
            return self._fire(Trigger.ROLLOVER_DUE) or []
        if self._watchdog.expired(now):
            self._board.tell(SERVICE_SILENT)
            return self._fire(Trigger.WATCHDOG_EXPIRED) or []
        return []

    # --- what the window sees -----------------------------------------------------------------

    def _set_state(self, state: SessionState, detail: str) -> None:
        self._board.set_state(state, detail)
        self._publish()

    def _held_by(self, trigger: Trigger | None) -> list[Action]:
        actions = (self._fire(trigger) if trigger is not None else None) or []
        self._publish()
        return actions

    def _publish(self) -> None:
        self._board.publish(held=self.phase is Phase.HELD, paused=self._hold.paused)
