"""The live session: audio source in, caption updates out, through any engine.

``LiveSession.run()`` is the body of one worker thread (a QThread in the GUI, the main thread in
the headless CLI). It pumps 50 ms chunks from the audio source into the engine connection and
folds the engine's events into turn updates, all on that one thread. Other threads only call
the ``request_*`` methods, which enqueue commands and never block.

Faults are handled here: reconnect with exponential backoff (0.5 s doubling to 8 s) while
capture keeps running, the last second of audio carried over to the new connection, the gap
marked; rollover to a new connection before the service's 3-hour expiry; a watchdog that
restarts a connection which went silent while speech kept flowing.
"""

from __future__ import annotations

import collections
import enum
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from caption_app.core.audio.silence import SilenceWatch
from caption_app.core.audio.source import (
    AttributingSource,
    AudioChunk,
    AudioSource,
    AudioSourceError,
    EndOfStream,
)
from caption_app.core.engines.base import (
    Began,
    Connection,
    Engine,
    EngineEvent,
    EventQueue,
    Failed,
    SpeakersRevised,
    Terminated,
    TurnReceived,
    Warned,
)
from caption_app.core.secrets.credentials import NoCredentials
from caption_app.core.secrets.token_service import TokenServiceError
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.errors import Problem, Recovery, classify
from caption_app.core.streaming.reports import (
    SessionEnded,
    SessionListener,
    SessionState,
)
from caption_app.core.streaming.turns import TurnAssembler
from caption_app.core.transcript.model import Gap, GapReason

log = logging.getLogger(__name__)

_ENTER_KEY = "Enter a valid key in the key dialog."
_TOKEN_ACTION = "Check the token service address in Settings, or ask your administrator."  # noqa: S105
SPEECH_DBFS = -45.0
"""Chunks louder than this count as speech for the watchdog."""
SPARSE_WATCHDOG_FACTOR = 4
"""Universal-3 Pro answers speech with a partial after ~0.75 s and then only at pauses, so the
watchdog waits this many times longer before calling a connection dead."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Knobs with production defaults; tests shorten them."""

    backoff_first_s: float = 0.5
    backoff_max_s: float = 8.0
    rate_limit_backoff_s: float = 5.0
    rollover_margin_s: float = 120.0
    """Open the next connection this long before the service's ``expires_at``."""
    rollover_floor_s: float = 600.0
    """Never roll a connection over sooner than this after it began (clock skew guard)."""
    watchdog_s: float = 5.0
    terminate_timeout_s: float = 5.0
    preroll_ms: int = 1000
    """Audio kept while reconnecting and sent first on the new connection."""
    read_timeout_s: float = 0.05
    give_up_after_failures: int | None = None
    """Consecutive failed connection attempts before giving up; None retries for ever (GUI)."""


_FIXED_FOR_THE_SESSION = (
    "api_host",
    "speech_model",
    "speaker_labels",
    "language_detection",
    "chunk_ms",
    "token_url",
)
_NEW_INPUT = "Pick another input in the Input menu; captions continue in this session."


class _Command(enum.Enum):
    STOP = "stop"
    FORCE_ENDPOINT = "force-endpoint"
    PAUSE = "pause"
    RESUME = "resume"


class LiveSession:
    def __init__(
        self,
        engine: Engine,
        source: AudioSource,
        settings: StreamingSettings,
        listener: SessionListener,
        *,
        timing: Timing | None = None,
        clock: Callable[[], float] = time.monotonic,
        wait_for_new_source: bool = False,
    ) -> None:
        """``wait_for_new_source``: when the input fails mid-session (unplugged), keep the
        session and wait for ``request_source`` (the GUI) instead of ending it (the CLI)."""
        self._engine = engine
        self._source = source
        self._wait_for_new_source = wait_for_new_source
        self._silence = SilenceWatch(source.description)
        self._settings = settings
        self._listener = listener
        self._timing = timing or Timing()
        self._clock = clock
        self._commands: queue.SimpleQueue[_Command | StreamingSettings | AudioSource] = (
            queue.SimpleQueue()
        )
        self._events: EventQueue = queue.SimpleQueue()
        self._assembler = TurnAssembler()
        self._connection_sparse_partials = settings.sparse_partials
        self._attributing: AttributingSource | None = None
        self._use_source_attribution(source)
        self._state = SessionState.IDLE
        self._stop_requested = threading.Event()

        self._connection: Connection | None = None
        self._stream = -1
        self._stream_started = False
        self._stream_began = False
        """The watchdog only counts once the engine said Began (a local model may take a few
        seconds to load while the audio queues up for it)."""
        self._closers: list[threading.Thread] = []
        self._preroll: collections.deque[AudioChunk] = collections.deque(
            maxlen=max(1, self._timing.preroll_ms // settings.chunk_ms)
        )
        self._position_ms = 0
        self._stream_offset_ms = 0
        self._heard_until_ms = 0
        """End of the last word the current stream reported: audio after it may be lost."""
        self._gap_start_ms: int | None = None
        self._gap_reason = ""
        self._next_attempt_at = 0.0
        self._backoff_s = self._timing.backoff_first_s
        self._rollover_at: float | None = None
        self._speech_unanswered_since: float | None = None
        self._paused = False
        self._audio_acknowledged_s = 0.0
        self._connections = 0
        self._failure: Problem | None = None
        self._failures_in_a_row = 0
        self._source_done = False
        self._source_started = False
        self._source_lost_at: float | None = None
        self._source_offset_ms = 0
        self._progress_reported_s = -1
        """Added to the source's chunk times: a replacement input starts its clock at 0."""

    # --- requests from other threads: enqueue, never block -------------------------------

    def request_stop(self) -> None:
        self._stop_requested.set()
        self._commands.put(_Command.STOP)

    def request_force_endpoint(self) -> None:
        """End the current caption line now (ForceEndpoint)."""
        self._commands.put(_Command.FORCE_ENDPOINT)

    def request_pause(self, paused: bool) -> None:
        """Pause stops sending audio: the connection is closed, so nothing is billed either."""
        self._commands.put(_Command.PAUSE if paused else _Command.RESUME)

    def request_source(self, source: AudioSource) -> None:
        """Continue with another input (not started yet) after the current one failed."""
        self._commands.put(source)

    def request_settings(self, settings: StreamingSettings) -> None:
        """Apply what the service allows mid-session (UpdateConfiguration); the rest next time."""
        self._commands.put(settings.validate())

    @property
    def state(self) -> SessionState:
        return self._state

    # --- the session thread ----------------------------------------------------------------

    def run(self) -> SessionEnded:
        started = self._clock()
        try:
            # Connect first: the engine's first connection also imports its SDK, and audio
            # captured meanwhile would reach the service as a burst ahead of real time.
            self._connect()
            self._source.start()
            self._source_started = True
            while self._keep_running():
                self._handle_commands()
                self._handle_events()
                if not self._keep_running():
                    break
                if self._source_lost_at is None:
                    self._pump_audio()
                else:
                    self._wait_for_command(self._timing.read_timeout_s)
                self._maintain_connection()
                self._listener.tick()
        except AudioSourceError as exc:
            self._failure = self._audio_problem(exc)
        finally:
            self._source.stop()
            self._shutdown()
        return self._finish(started, self._failure)

    def _keep_running(self) -> bool:
        return not (
            self._stop_requested.is_set() or self._state is SessionState.FAILED or self._source_done
        )

    def _finish(self, started: float, failure: Problem | None) -> SessionEnded:
        if failure is not None:
            self._set_state(SessionState.FAILED, failure.message)
        summary = SessionEnded(
            audio_s=self._audio_acknowledged_s,
            session_s=self._clock() - started,
            connections=self._connections,
            failed=failure,
        )
        self._listener.ended(summary)
        if failure is None:
            self._set_state(SessionState.IDLE, "Stopped")
        return summary

    def _audio_problem(self, exc: AudioSourceError) -> Problem:
        problem = Problem(
            None, str(exc), "Pick another input and start again.", Recovery.GIVE_UP, audio=True
        )
        self._listener.problem(problem)
        return problem

    # commands

    def _wait_for_command(self, timeout: float) -> None:
        """Block until a command arrives (or ``timeout``) and handle it."""
        try:
            command = self._commands.get(timeout=timeout)
        except queue.Empty:
            return
        self._handle_command(command)

    def _handle_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            self._handle_command(command)

    def _handle_command(self, command: _Command | StreamingSettings | AudioSource) -> None:
        if isinstance(command, StreamingSettings):
            self._apply_settings(command)
        elif command is _Command.FORCE_ENDPOINT and self._connection is not None:
            self._connection.force_endpoint()
        elif command is _Command.PAUSE and not self._paused:
            self._paused = True
            self._retire_connection(reason=GapReason.PAUSE)
            self._set_state(SessionState.PAUSED, "Paused: no audio is being sent")
        elif command is _Command.RESUME and self._paused:
            self._paused = False
            self._connect()
        elif not isinstance(command, _Command):
            self._switch_source(command)

    def _on_source_lost(self, exc: AudioSourceError) -> None:
        """The input failed mid-session: keep the session and wait for another input."""
        self._listener.problem(Problem(None, str(exc), _NEW_INPUT, Recovery.GIVE_UP, audio=True))
        self._source.stop()
        self._source_lost_at = self._clock()
        self._retire_connection(reason=GapReason.DEVICE)
        self._set_state(SessionState.PAUSED, "Waiting for another input")

    def _switch_source(self, source: AudioSource) -> None:
        """Continue on another input: after a failure, or because the person picked one."""
        if self._source_lost_at is None:
            self._source.stop()
            self._source_lost_at = self._clock()
            self._retire_connection(reason=GapReason.DEVICE)
        lost_at = self._source_lost_at
        try:
            source.start()
        except AudioSourceError as exc:
            self._listener.problem(
                Problem(None, str(exc), _NEW_INPUT, Recovery.GIVE_UP, audio=True)
            )
            return
        waited_ms = int((self._clock() - lost_at) * 1000)
        self._source_offset_ms = self._position_ms + waited_ms
        self._source, self._source_lost_at = source, None
        self._use_source_attribution(source)
        self._silence = SilenceWatch(source.description)
        self._listener.notice(f"Captioning continues from {source.description}.")
        self._connect()

    def _apply_settings(self, settings: StreamingSettings) -> None:
        # What a connection is opened with stays as it was for the whole session (reconnects
        # included), so "at the next start" is true; the rest goes out as UpdateConfiguration.
        fixed = {name: getattr(self._settings, name) for name in _FIXED_FOR_THE_SESSION}
        restart_needed = any(getattr(settings, name) != fixed[name] for name in fixed)
        self._settings = replace(settings, **fixed)
        if self._connection is not None:
            self._connection.update(self._settings)
        if restart_needed:
            self._listener.notice(
                "Changes to the model, host, speaker labels, language detection or token "
                "service apply at the next start."
            )

    # engine events

    def _handle_events(self) -> None:
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            self._handle_event(event)

    def _handle_event(self, event: EngineEvent) -> None:
        current = event.stream == self._stream
        if current:
            self._speech_unanswered_since = None
        if isinstance(event, TurnReceived):
            if current:
                self._failures_in_a_row = 0  # the service is really working again
            for update in self._assembler.apply(event.stream, event.message):
                if current:
                    # A word can only have been heard in audio that was sent (a service
                    # reporting absurd times must not hide the next gap).
                    heard = min(update.turn.end_ms, self._position_ms)
                    self._heard_until_ms = max(self._heard_until_ms, heard)
                self._listener.turn_updated(update)
        elif isinstance(event, SpeakersRevised):
            for update in self._assembler.revise_speakers(event.stream, event.revisions):
                self._listener.turn_updated(update)
        elif isinstance(event, Began):
            if current:
                self._on_began(event)
        elif isinstance(event, Terminated):
            self._audio_acknowledged_s += float(event.audio_duration_s or 0)
            self._end_stream(event.stream)
        elif isinstance(event, Warned):
            self._listener.notice(f"The captioning service warns: {event.message}")
        elif isinstance(event, Failed):
            self._on_failed(event)

    def _on_began(self, event: Began) -> None:
        self._stream_began = True
        self._backoff_s = self._timing.backoff_first_s
        self._listener.stream_began(event.stream, event.session_id, event.expires_at)
        if event.expires_at is not None:
            expires = event.expires_at
            if expires.tzinfo is None:  # the SDK parses Unix seconds into a naive UTC time
                expires = expires.replace(tzinfo=UTC)
            remaining = (expires - datetime.now(UTC)).total_seconds()
            margin = min(self._timing.rollover_margin_s, remaining / 2)
            # A clock far off (expiry already "past") must not retire every new connection
            # at once, each a billed session: roll over no sooner than the floor; the
            # service's own 3008 at expiry still reconnects at once.
            wait = max(self._timing.rollover_floor_s, remaining - margin)
            self._rollover_at = self._clock() + wait
        self._set_state(SessionState.LIVE, "Live")

    def _on_failed(self, event: Failed) -> None:
        if event.stream != self._stream:
            # A retired connection (rollover, pause) failing on its way out changes nothing.
            self._end_stream(event.stream)
            return
        problem = event.problem or classify(event.code, event.message)
        log.warning("stream %d failed: code=%s", event.stream, event.code)
        self._listener.problem(problem)
        self._retire_connection(reason=GapReason.RECONNECT, terminate=False)
        self._failures_in_a_row += 1
        limit = self._timing.give_up_after_failures
        if limit is not None and self._failures_in_a_row >= limit:
            problem = replace(problem, recovery=Recovery.GIVE_UP)
        if problem.recovery in (Recovery.NEW_KEY, Recovery.GIVE_UP):
            self._failure = problem
            self._set_state(SessionState.FAILED, problem.message)
            return
        if problem.recovery is Recovery.RECONNECT_NOW:
            delay = 0.0
        elif problem.recovery is Recovery.RETRY_LATER:
            delay = max(self._timing.rate_limit_backoff_s, self._backoff_s)
        else:
            delay = self._backoff_s
            self._backoff_s = min(self._backoff_s * 2, self._timing.backoff_max_s)
        self._next_attempt_at = self._clock() + delay
        self._set_state(SessionState.RECONNECTING, f"Reconnecting in {delay:.1f} s")

    # audio

    def _read(self, timeout: float) -> AudioChunk | None:
        """The next chunk on the session clock; a failing input ends or pauses the session."""
        try:
            chunk = self._source.read(timeout=timeout)
        except EndOfStream:
            self._source_done = True
            return None
        except AudioSourceError as exc:
            if not self._wait_for_new_source:
                raise
            self._on_source_lost(exc)
            return None
        if chunk is None:
            return None
        if self._source_offset_ms:
            chunk = replace(chunk, start_ms=chunk.start_ms + self._source_offset_ms)
        self._position_ms = chunk.start_ms + self._settings.chunk_ms
        if self._attributing is not None and (told := self._attributing.take_notice()):
            self._listener.notice(told)
        notice = self._silence.feed(chunk, self._settings.chunk_ms)
        if notice is not None:
            self._listener.notice(notice)
        return chunk

    def _use_source_attribution(self, source: AudioSource) -> None:
        """Let the input name speakers when it can (microphone + system audio: You / Others);
        plain inputs cost the turn assembly nothing."""
        self._attributing = source if isinstance(source, AttributingSource) else None
        self._assembler.attribute = self._speaker_at if self._attributing is not None else None

    def _speaker_at(self, start_ms: int, end_ms: int) -> str | None:
        """Who spoke at these session-clock times. Words come back within seconds of their
        audio, so the current input (on its own clock, ``_source_offset_ms`` behind) is the one."""
        if self._attributing is None:
            return None
        offset = self._source_offset_ms
        return self._attributing.channel_of(start_ms - offset, end_ms - offset)

    def _pump_audio(self) -> None:
        chunk = self._read(self._timing.read_timeout_s)
        if chunk is None:
            return
        sending = self._connection is not None and not self._paused
        self._listener.audio_level(chunk.rms_dbfs, chunk.peak_dbfs, sending)
        self._report_progress(chunk)
        if self._connection is None or self._paused:
            if not self._paused:
                self._preroll.append(chunk)  # reconnecting: keep the last second for later
            return
        self._send(chunk)

    def _report_progress(self, chunk: AudioChunk) -> None:
        duration = getattr(self._source, "duration_ms", None)
        if duration is None or chunk.start_ms // 1000 == self._progress_reported_s:
            return
        self._progress_reported_s = chunk.start_ms // 1000
        self._listener.progress(chunk.start_ms - self._source_offset_ms, duration)

    def _send(self, chunk: AudioChunk) -> None:
        assert self._connection is not None
        if not self._stream_started:
            self._stream_started = True
            self._stream_offset_ms = self._heard_until_ms = chunk.start_ms
            self._assembler.begin_stream(self._stream, chunk.start_ms)
            self._listener.stream_opened(self._stream, chunk.start_ms)
            self._close_gap(chunk.start_ms)
        self._connection.send_audio(chunk.pcm)
        if (
            self._stream_began
            and chunk.rms_dbfs > SPEECH_DBFS
            and self._speech_unanswered_since is None
        ):
            self._speech_unanswered_since = self._clock()

    # connection lifecycle

    def _connect(self) -> None:
        self._stream += 1
        self._stream_started = False
        self._stream_began = False
        self._connections += 1
        self._speech_unanswered_since = None
        self._rollover_at = None
        # The model is fixed per connection; a change in Settings applies to the next one.
        self._connection_sparse_partials = self._settings.sparse_partials
        state = SessionState.CONNECTING if self._stream == 0 else SessionState.RECONNECTING
        self._set_state(state, "Connecting…")
        try:
            self._connection = self._engine.open(self._stream, self._settings, self._events)
        except NoCredentials as exc:
            self._fail_to_connect(Problem(None, str(exc), _ENTER_KEY, Recovery.NEW_KEY))
            return
        except TokenServiceError as exc:
            recovery = Recovery.NEW_KEY if exc.is_rejection else Recovery.RECONNECT
            self._fail_to_connect(Problem(exc.status, str(exc), _TOKEN_ACTION, recovery))
            return
        except Exception as exc:  # anything else an engine raises: retry like a network fault
            log.exception("opening stream %d failed", self._stream)
            self._events.put(Failed(self._stream, None, str(exc)))
            return
        self._catch_up()
        for chunk in self._preroll:
            self._send(chunk)
        self._preroll.clear()

    def _catch_up(self) -> None:
        """Take what the source captured while connecting; only the last second is kept.

        Sending a longer backlog would run ahead of real time (the service refuses that) and
        leave captions lagging; the part dropped is inside the marked gap.
        """
        if not self._source_started:
            return
        while self._source_lost_at is None:
            chunk = self._read(timeout=0)
            if chunk is None:
                return
            self._preroll.append(chunk)

    def _fail_to_connect(self, problem: Problem) -> None:
        """No connection could even be attempted (no key, token service refused)."""
        self._listener.problem(problem)
        if problem.recovery is Recovery.NEW_KEY:
            self._failure = problem
            self._set_state(SessionState.FAILED, problem.message)
            return
        self._next_attempt_at = self._clock() + self._backoff_s
        self._backoff_s = min(self._backoff_s * 2, self._timing.backoff_max_s)
        self._set_state(SessionState.RECONNECTING, problem.message)

    def _maintain_connection(self) -> None:
        now = self._clock()
        if self._connection is None:
            waiting = self._paused or self._source_lost_at is not None
            if not waiting and now >= self._next_attempt_at:
                self._connect()
            return
        if self._rollover_at is not None and now >= self._rollover_at:
            log.info("rolling over stream %d before it expires", self._stream)
            self._retire_connection(reason="", terminate=True)
            self._connect()
            return
        unanswered = self._speech_unanswered_since
        limit = self._timing.watchdog_s
        if self._connection_sparse_partials:
            limit *= SPARSE_WATCHDOG_FACTOR
        if unanswered is not None and now - unanswered > limit:
            self._listener.notice("The captioning service stopped answering; reconnecting.")
            self._retire_connection(reason=GapReason.RECONNECT, terminate=False)
            self._connect()

    def _retire_connection(self, *, reason: str, terminate: bool = True) -> None:
        """Close the current connection in the background; its last turns still arrive."""
        connection, stream = self._connection, self._stream
        self._connection = None
        if reason and self._gap_start_ms is None:
            # Audio sent after the last word the service reported may never have been heard
            # (it was in flight when the connection died), so the gap starts there.
            heard = max(self._heard_until_ms, self._stream_offset_ms)
            start = self._position_ms if reason == GapReason.PAUSE else heard
            self._gap_start_ms, self._gap_reason = start, reason
        if connection is None:
            return
        if terminate:
            connection.force_endpoint()
        closer = threading.Thread(
            target=self._close_quietly,
            args=(connection, stream, terminate),
            name=f"close-stream-{stream}",
        )
        closer.start()
        self._closers.append(closer)
        self._closers = [t for t in self._closers if t.is_alive()]

    def _close_quietly(self, connection: Connection, stream: int, terminate: bool) -> None:
        try:
            connection.close(terminate=terminate, timeout=self._timing.terminate_timeout_s)
        except Exception:
            log.exception("closing stream %d failed", stream)
        finally:
            # Whatever the engine said last has been queued by now; end its live turn after it.
            self._events.put(Terminated(stream, None, None))

    def _end_stream(self, stream: int) -> None:
        update = self._assembler.end_stream(stream)
        if update is not None:
            self._listener.turn_updated(update)
        if stream < self._stream:
            # Nothing can revise a retired stream's turns once it has ended: let them go,
            # so an 8-hour session with reconnects holds only the current stream's turns.
            self._assembler.forget_stream(stream)

    def _close_gap(self, end_ms: int) -> None:
        if self._gap_start_ms is None:
            return
        if end_ms > self._gap_start_ms:
            self._listener.gap_marked(Gap(self._gap_start_ms, end_ms, self._gap_reason))
        self._gap_start_ms = None

    def _shutdown(self) -> None:
        """Stop: Terminate the live connection and wait (bounded) for its last turns."""
        self._set_state(SessionState.STOPPING, "Stopping…")
        deadline = self._clock() + self._timing.terminate_timeout_s + 0.5
        connection, stream = self._connection, self._stream
        self._connection = None
        if connection is not None:
            try:
                connection.close(terminate=True, timeout=self._timing.terminate_timeout_s)
            except Exception:
                log.exception("closing stream %d failed", stream)
        for closer in self._closers:
            closer.join(timeout=max(0.0, deadline - self._clock()))
        self._handle_events()
        for live in self._assembler.live_turns():
            self._end_stream(live.stream)

    def _set_state(self, state: SessionState, detail: str) -> None:
        self._state = state
        self._listener.state_changed(state, detail)
