"""The live session: audio source in, caption updates out, through any engine.

``LiveSession.run()`` is the body of one worker thread (a QThread in the GUI, the main thread in
the headless CLI). It is the pump: it moves 50 ms chunks from the audio source into the current
connection and folds the engine's events into turn updates, all on that one thread. When to
connect, reconnect (backoff 0.5 s doubling to 8 s), roll over before the service's 3-hour expiry
or restart a silent connection is decided by the ``Supervisor`` (``supervisor.py``). Other
threads only call the ``request_*`` methods, which enqueue commands and never block.

While there is no connection, capture keeps running; the last second of audio is carried over
to the next connection and the stretch in between is marked as a gap.
"""

from __future__ import annotations

import collections
import queue
import time
from collections.abc import Callable

from caption_app.core.audio.source import AudioChunk, AudioSource, AudioSourceError
from caption_app.core.engines.base import (
    Began,
    Connection,
    Engine,
    EngineEvent,
    EventQueue,
    Failed,
    SpeakersRevised,
    SpeechDetected,
    Terminated,
    Translated,
    TurnReceived,
    Warned,
)
from caption_app.core.model.gaps import Gap, GapReason, Marker
from caption_app.core.model.problems import ProblemKind
from caption_app.core.model.session import (
    EngineInUse,
    Notice,
    SessionEnded,
    SessionListener,
    SpeechStarted,
    StreamBegan,
    StreamOpened,
    Tick,
)
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.core.streaming.closing import Closers
from caption_app.core.streaming.event_wait import EventWait
from caption_app.core.streaming.failover import EngineSelector
from caption_app.core.streaming.handoff import Handoff
from caption_app.core.streaming.level_feed import LevelFeed
from caption_app.core.streaming.phases import Phase
from caption_app.core.streaming.requests import Command, SessionRequests
from caption_app.core.streaming.session_input import SessionInput, input_problem
from caption_app.core.streaming.supervisor import Supervisor
from caption_app.core.streaming.timing import Timing

SPEECH_DBFS = -45.0
"""Chunks louder than this count as speech for the watchdog."""

__all__ = ["LiveSession", "Timing"]


class LiveSession(SessionRequests):
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
        engines: EngineSelector | None = None,
    ) -> None:
        """``wait_for_new_source``: when the input fails mid-session (unplugged), keep the
        session and wait for ``request_source`` (the GUI) instead of ending it (the CLI).
        ``engines``: ``engine`` with a local engine standing in for it (engine = auto)."""
        self._wait_for_new_source = wait_for_new_source
        self._settings = settings
        self._emit = listener
        self._timing = timing or Timing()
        self._clock = clock
        super().__init__()
        self._events: EventQueue = queue.SimpleQueue()
        self._event_wait = EventWait(self._events, settings.chunk_ms)
        self._input = SessionInput(source, settings.chunk_ms, listener, clock)
        self._assembler = TurnAssembler(self._input.attribution())
        self._supervisor = Supervisor(
            engines or EngineSelector(engine, clock=clock),
            lambda: self._settings,
            self._events,
            self,
            listener,
            timing=self._timing,
            clock=clock,
        )
        self._closers = Closers(self._events, self._timing.terminate_timeout_s)
        self._handoff = Handoff(settings.chunk_ms)
        self._levels = LevelFeed(settings.chunk_ms)
        self._engine_in_use: Engine | None = None
        self._engine_last_shown: Engine | None = None
        self._reported_until_ms = 0
        """End of the last word any connection reported (``_heard_until_ms`` is per stream)."""

        self._stream_started = False
        self._preroll: collections.deque[AudioChunk] = collections.deque(
            maxlen=max(1, self._timing.preroll_ms // settings.chunk_ms)
        )
        self._stream_offset_ms = 0
        self._heard_until_ms = 0
        """End of the last word the current stream reported: audio after it may be lost."""
        self._gap: tuple[int, GapReason] | None = None
        """Start and reason of the gap open now (no connection is hearing the audio)."""
        self._audio_acknowledged_s = 0.0

    # --- the session thread ----------------------------------------------------------------

    def run(self) -> SessionEnded:
        started = self._clock()
        supervisor = self._supervisor
        # Connect first: the engine's first connection also imports its SDK, and audio
        # captured meanwhile would reach the service as a burst ahead of real time.
        supervisor.start()
        try:
            if supervisor.running:
                self._input.start()
        except AudioSourceError as exc:
            supervisor.fail(input_problem(exc, ProblemKind.AUDIO_INPUT))
        try:
            while self._keep_running():
                self._take_commands(self._handle_command)
                self._handle_events()
                if not self._keep_running():
                    break
                if self._input.delivering:
                    self._pump_audio()
                else:
                    self._wait_for_command(self._timing.read_timeout_s, self._handle_command)
                supervisor.tick()
                self._emit(Tick())
        finally:
            self._input.stop()
            self._shutdown()
        supervisor.closed()  # first: a session that never captioned has failed
        summary = SessionEnded(
            audio_s=self._audio_acknowledged_s,
            session_s=self._clock() - started,
            connections=supervisor.connections,
            failed=supervisor.failure,
            captioned_ms=self._input.position_ms,
            reached_end=self._input.done and supervisor.failure is None,
        )
        self._emit(summary)
        return summary

    def _keep_running(self) -> bool:
        return not (
            self._stop_requested.is_set() or not self._supervisor.running or self._input.done
        )

    # commands

    def _handle_command(self, command: Command | StreamingSettings | AudioSource) -> None:
        connection = self._supervisor.connection
        if isinstance(command, StreamingSettings):
            self._apply_settings(command)
        elif command is Command.FORCE_ENDPOINT and connection is not None:
            connection.force_endpoint()
        elif command is Command.PAUSE:
            self._supervisor.pause()
        elif command is Command.RESUME:
            self._supervisor.resume()
        elif not isinstance(command, Command):
            self._switch_source(command)

    def _on_source_lost(self, exc: AudioSourceError) -> None:
        """The input failed mid-session: keep the session and wait for another input."""
        self._emit(input_problem(exc, ProblemKind.INPUT_LOST))
        self._input.lose()
        self._supervisor.source_lost()

    def _switch_source(self, source: AudioSource) -> None:
        """Continue on another input: after a failure, or because the person picked one."""
        try:
            self._input.replace(source)
        except AudioSourceError as exc:
            self._emit(input_problem(exc, ProblemKind.INPUT_LOST))
            self._supervisor.source_lost()
            return
        self._assembler.attribute = self._input.attribution()
        self._supervisor.source_replaced()

    def _apply_settings(self, settings: StreamingSettings) -> None:
        self._settings, restart_needed = self._settings.updated_mid_session(settings)
        if self._supervisor.connection is not None:
            self._supervisor.connection.update(self._settings)  # UpdateConfiguration
        if restart_needed:
            self._emit(
                Notice(
                    "Changes to the model, host, speaker labels, language detection or token "
                    "service apply at the next start."
                )
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
        supervisor = self._supervisor
        current = event.stream == supervisor.stream
        if current:
            supervisor.heard_from_engine()
        if self._on_content(event, current):
            return
        if isinstance(event, Began):
            if current and supervisor.phase is Phase.CONNECTING:
                self._emit(StreamBegan(event.stream, event.session_id))
                supervisor.began(event.expires_in_s)
                self._show_engine()
        elif isinstance(event, Terminated):
            self._audio_acknowledged_s += float(event.audio_duration_s or 0)
            if not (current and supervisor.ended_unasked()):
                self._end_stream(event.stream)
        elif isinstance(event, Warned):
            self._emit(Notice(f"The captioning service warns: {event.message}"))
        elif isinstance(event, Failed):
            if current:
                supervisor.failed(event.problem)
            else:
                # A retired connection (rollover, pause) failing on its way out changes nothing.
                self._end_stream(event.stream)

    def _on_content(self, event: EngineEvent, current: bool) -> bool:
        """What was said: turns, speaker revisions, translations, speech starting."""
        if isinstance(event, TurnReceived):
            self._on_turn(event, current)
        elif isinstance(event, SpeakersRevised):
            for update in self._assembler.revise_speakers(event.stream, event.revisions):
                self._emit(update)
        elif isinstance(event, Translated):
            # Tied to its turn by (stream, turn_order): late or out of order, it lands there.
            translate = self._assembler.translate
            for update in translate(event.stream, event.turn_order, event.translation):
                self._emit(update)
        elif isinstance(event, SpeechDetected):
            if current:
                self._emit(SpeechStarted(self._stream_offset_ms + event.at_ms))
        else:
            return False
        return True

    def _on_turn(self, event: TurnReceived, current: bool) -> None:
        if current:
            self._supervisor.turn_received()
        for update in self._assembler.apply(event.stream, event.message):
            if current:
                # A word can only have been heard in audio that was sent (a service
                # reporting absurd times must not hide the next gap).
                heard = min(update.turn.end_ms, self._input.position_ms)
                self._heard_until_ms = max(self._heard_until_ms, heard)
                self._reported_until_ms = max(self._reported_until_ms, heard)
                self._handoff.heard_until(self._reported_until_ms)
            self._emit(update)

    # audio

    def _read(self, timeout: float) -> AudioChunk | None:
        """The next chunk on the session clock; a failing input ends or pauses the session."""
        try:
            return self._input.read(timeout)
        except AudioSourceError as exc:
            if self._wait_for_new_source:
                self._on_source_lost(exc)
            else:
                self._supervisor.fail(input_problem(exc, ProblemKind.AUDIO_INPUT))
            return None

    def _pump_audio(self) -> None:
        due_in = self._input.due_in()
        event = self._event_wait.until_next_chunk(self._timing.read_timeout_s, due_in)
        if event is not None:
            self._handle_event(event)  # a Turn goes on now, not after the wait for audio
            return
        chunk = self._read(self._timing.read_timeout_s)
        if chunk is None:
            return
        self._event_wait.chunk_read()
        supervisor = self._supervisor
        if (level := self._levels.add(chunk, supervisor.sending)) is not None:
            self._emit(level)
        if supervisor.phase is not Phase.PAUSED:
            self._handoff.keep(chunk)
        if supervisor.connection is None:
            if supervisor.phase is not Phase.PAUSED:
                self._preroll.append(chunk)  # reconnecting: keep the last second for later
            return
        self._send(supervisor.connection, chunk)

    def _send(self, connection: Connection, chunk: AudioChunk) -> None:
        if not self._stream_started:
            self._stream_started = True
            stream = self._supervisor.stream
            self._stream_offset_ms = self._heard_until_ms = chunk.start_ms
            self._assembler.begin_stream(stream, chunk.start_ms)
            self._emit(StreamOpened(stream, chunk.start_ms))
            self._close_gap(chunk.start_ms)
        connection.send_audio(chunk.pcm)
        if chunk.rms_dbfs > SPEECH_DBFS:
            self._supervisor.speech_sent()

    # what the supervisor asks for (the Pump protocol)

    def connection_opened(self, stream: int, connection: Connection, engine: Engine) -> None:
        self._stream_started = False
        self._catch_up()
        chunks = list(self._preroll)
        previous, self._engine_in_use = self._engine_in_use, engine
        selector = self._supervisor.engines
        if engine is not previous and (previous is not None or selector.on_fallback):
            # Retries that never began report nothing: hand over from the last word reported.
            at_ms = self._reported_until_ms if selector.on_fallback else self._input.position_ms
            if selector.on_fallback:
                chunks = self._handoff.since(at_ms)  # everything the cloud did not report
                text = f"Captions continue on this computer: {selector.primary.name} "
                text += "cannot be reached."
            else:
                text = f"Captions are back on {engine.name}."
            self._emit(Marker(at_ms, text))
        for chunk in chunks:
            self._send(connection, chunk)
        self._preroll.clear()

    def _show_engine(self) -> None:
        """Say which engine captions now, once it has begun, when that changed."""
        engine = self._engine_in_use
        if engine is not None and engine is not self._engine_last_shown:
            self._engine_last_shown = engine
            price = engine.billed_per_hour_usd
            on_fallback = self._supervisor.engines.on_fallback
            self._emit(EngineInUse(engine.name, engine.on_device, price, on_fallback))

    def between_turns(self) -> bool:
        stream = self._supervisor.stream
        return not any(turn.stream == stream for turn in self._assembler.live_turns())

    def _catch_up(self) -> None:
        """Take what the source captured while connecting; only the last second is kept.

        Sending a longer backlog would run ahead of real time (the service refuses that) and
        leave captions lagging; the part dropped is inside the marked gap.
        """
        if not self._input.started:
            return
        while self._input.delivering and not self._input.done:
            chunk = self._read(timeout=0)
            if chunk is None:
                return
            self._preroll.append(chunk)
            self._handoff.keep(chunk)

    def connection_retired(
        self, stream: int, connection: Connection | None, reason: GapReason | None, terminate: bool
    ) -> None:
        if reason is not None and self._gap is None:
            if reason in (GapReason.PAUSE, GapReason.ROLLOVER, GapReason.SWITCH):
                start = self._input.position_ms  # all audio sent is heard (ended cleanly)
            else:
                # Audio sent after the last word the service reported may never have been
                # heard (it was in flight when the connection died), so the gap starts there.
                start = max(self._heard_until_ms, self._stream_offset_ms)
            self._gap = (start, reason)
        if not terminate:
            # Dropped, not ended: no final message will come for its live turn. Finish it now,
            # so it is marked as cut off and sits before the gap that follows it.
            self._end_stream(stream)
        if connection is not None:
            self._closers.close_in_background(connection, stream, terminate)

    def _end_stream(self, stream: int) -> None:
        update = self._assembler.end_stream(stream)
        if update is not None:
            self._emit(update)
        if stream < self._supervisor.stream:
            # Nothing can revise a retired stream's turns once it has ended: let them go,
            # so an 8-hour session with reconnects holds only the current stream's turns.
            self._assembler.forget_stream(stream)

    def _close_gap(self, end_ms: int) -> None:
        if self._gap is None:
            return
        start_ms, reason = self._gap
        if end_ms > start_ms:
            self._emit(Gap(start_ms, end_ms, reason))
        self._gap = None

    def _shutdown(self) -> None:
        """Stop: Terminate the live connection and wait (bounded) for its last turns."""
        stream = self._supervisor.stream
        connection = self._supervisor.stop()
        deadline = self._clock() + self._timing.terminate_timeout_s + 0.5
        if connection is not None:
            self._closers.close_now(connection, stream)
        self._closers.wait(lambda: max(0.0, deadline - self._clock()))
        self._handle_events()
        for live in self._assembler.live_turns():
            self._end_stream(live.stream)
