"""The live session: audio source in, caption updates out, through any engine.

``LiveSession.run()`` is the body of one worker thread (a QThread in the GUI, the main thread in
the headless CLI). It is the pump: it moves 50 ms chunks from the audio source into the
connection that hears now and folds the engine's events into turn updates, all on that one
thread. What to connect, when, and to which engine is the ``Supervisor``'s decision
(``supervisor.py``): the pump tells it what happened and does what it answers. Connections are
opened off this thread (``opening.py``), so the audio never waits on the network, and Pause
and Stop are answered within one chunk whatever the network does.

Other threads only call the ``request_*`` methods, which enqueue and never block; the session's
state is only ever touched by its own thread.

While no connection hears, capture keeps running and the audio is kept (``handoff.py``): the
next connection gets what the last one may not have heard, so a reconnect or a change of engine
loses no speech. While paused nothing is kept and nothing is sent.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Sequence

from caption_app.core.audio.source import AudioChunk, AudioSource, AudioSourceError
from caption_app.core.engines.base import (
    Began,
    Connection,
    ConnectionFailed,
    Dialling,
    Engine,
    EngineEvent,
    EventQueue,
    Opened,
    SpeakersRevised,
    SpeechDetected,
    Terminated,
    Translated,
    TurnReceived,
    Warned,
)
from caption_app.core.model.gaps import input_marker
from caption_app.core.model.problems import ProblemKind
from caption_app.core.model.session import (
    Notice,
    SessionEnded,
    SessionListener,
    SpeechStarted,
)
from caption_app.core.settings import FIXED_FOR_THE_SESSION_TEXT, StreamingSettings
from caption_app.core.streaming.actions import Action, Adopt, Discard, Open, Retire
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.core.streaming.billing import AudioAccount
from caption_app.core.streaming.closing import Closers
from caption_app.core.streaming.event_wait import EventWait
from caption_app.core.streaming.failover import EngineSelector
from caption_app.core.streaming.handoff import Handoff
from caption_app.core.streaming.hearing import Hearing
from caption_app.core.streaming.level_feed import LevelFeed
from caption_app.core.streaming.opening import Opener, Run, in_a_thread
from caption_app.core.streaming.outbox import Outbox
from caption_app.core.streaming.requests import Command, Request, Requests
from caption_app.core.streaming.session_input import SessionInput, input_problem
from caption_app.core.streaming.speaking import SPEECH_DBFS, WORDS_STILL_COMING_MS, Speaking
from caption_app.core.streaming.supervisor import Supervisor
from caption_app.core.streaming.timing import Timing

CLOUD_BACKLOG_S = 2.0
"""A connection that must be paced gets at most this much kept audio beyond its lead: more
would leave its captions that far behind for as long as it lasts."""

__all__ = ["LiveSession", "Timing"]


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
        engines: EngineSelector | None = None,
        open_with: Run = in_a_thread,
    ) -> None:
        """``wait_for_new_source``: when the input fails mid-session (unplugged), keep the
        session and wait for ``request_source`` (the GUI) instead of ending it (the CLI).
        ``engines``: ``engine`` with a local engine standing in for it (engine = auto).
        ``open_with``: where connections are opened (a thread of their own; tests decide)."""
        self._wait_for_new_source = wait_for_new_source
        self._settings = settings
        self._emit = listener
        self._timing = timing or Timing()
        self._clock = clock
        self._requests = Requests()
        self._events: EventQueue = queue.SimpleQueue()
        self._event_wait = EventWait(self._events, settings.chunk_ms)
        self._opener = Opener(self._events, open_with)
        self._input = SessionInput(source, settings.chunk_ms, listener, clock)
        self._assembler = TurnAssembler(self._input.attribution())
        self._supervisor = Supervisor(
            engines or EngineSelector(engine, clock=clock),
            lambda: self._settings,
            listener,
            timing=self._timing,
            clock=clock,
        )
        self._closers = Closers(self._events, self._timing.terminate_timeout_s)
        self._handoff = Handoff(settings.chunk_ms)
        self._outbox = Outbox(settings.chunk_ms, clock)
        self._levels = LevelFeed(settings.chunk_ms)
        self._hearing = Hearing(listener)
        """The connection the audio goes to, as adopted (the supervisor's ``receiver`` says
        whether it may have audio now)."""
        self._account = AudioAccount()
        self._started_at = 0.0
        self._speaking = Speaking()

    # --- what other threads may ask (each only enqueues, never blocks) -----------------------

    def request_stop(self, within_s: float | None = None) -> None:
        """Stop; ``within_s`` bounds the wait for the last words (quitting the app)."""
        self._requests.stop(within_s)

    def request_force_endpoint(self) -> None:
        """End the current caption line now (ForceEndpoint)."""
        self._requests.put(Command.FORCE_ENDPOINT)

    def request_pause(self, paused: bool) -> None:
        """Pause stops sending audio: the connection is closed, so nothing is billed either."""
        self._requests.put(Command.PAUSE if paused else Command.RESUME)

    def request_key_renewed(self) -> None:
        """Another key was given: a cloud that rejected the last one is tried again now."""
        self._requests.put(Command.KEY_RENEWED)

    def request_engine(self, *, here: bool) -> None:
        """The person chose where captions run: this computer (the cloud is left at once) or
        the cloud again (tried at once); a session with no local engine keeps its own."""
        self._requests.put(Command.USE_THIS_COMPUTER if here else Command.USE_THE_CLOUD)

    def request_source(self, source: AudioSource) -> None:
        """Continue with another input (not started yet)."""
        self._requests.put(source)

    def request_settings(self, settings: StreamingSettings) -> None:
        """Apply what the service allows mid-session (UpdateConfiguration); the rest next time."""
        self._requests.put(settings.validate())

    # --- the session thread ------------------------------------------------------------------

    def run(self) -> SessionEnded:
        self.begin()
        try:
            while self.running:
                self.step()
        finally:
            self._input.stop()
            self._shutdown()
        return self.end()

    def begin(self) -> None:
        """Connect (off this thread) and start the input: a live one at once (its audio is
        kept for the connection), a file once a connection takes its audio (it can wait, and
        nothing of it is then lost to a slow first connection)."""
        self._started_at = self._clock()
        self._do(self._supervisor.start())
        if not self._input.waits_for_a_connection:
            self._start_input()

    def _start_input(self) -> None:
        try:
            self._input.start()
        except AudioSourceError as exc:
            self._do(self._supervisor.input_failed(input_problem(exc, ProblemKind.AUDIO_INPUT)))

    @property
    def running(self) -> bool:
        return not (self._requests.stopping or not self._supervisor.running or self._input.done)

    def step(self) -> None:
        """One turn of the loop: requests, engine events, one chunk of audio, the clock."""
        self._take_requests()
        self._handle_events()
        if not self.running:
            return
        if self._input.reads_now(self._supervisor.paused):
            self._pump_audio()
        else:
            self._wait_for_request(self._timing.read_timeout_s)
        self._do(self._supervisor.tick(between_turns=self._between_turns()))
        self._send_due()

    def end(self) -> SessionEnded:
        """After the loop and its shutdown: the session's summary, reported last."""
        supervisor = self._supervisor
        supervisor.closed()  # first: a session that never captioned has failed
        self._hearing.ended(now_ms := self._input.now_ms)  # (no input: where it stopped + wait)
        summary = SessionEnded(
            audio_s=self._account.acknowledged_s,
            billed_audio_s=self._account.billed_s,
            session_s=self._clock() - self._started_at,
            connections=supervisor.attempts,
            failed=supervisor.failure,
            captioned_ms=now_ms,
            reached_end=self._input.done and supervisor.failure is None,
        )
        self._emit(summary)
        return summary

    # requests

    def _take_requests(self) -> None:
        for request in self._requests.take():
            self._handle_request(request)

    def _wait_for_request(self, timeout: float) -> None:
        """No input delivers (it is gone): wait for a request, or an engine event."""
        event = self._event_wait.until(timeout)
        if event is not None:
            self._handle_event(event)
        self._take_requests()

    def _handle_request(self, request: Request) -> None:
        supervisor = self._supervisor
        if isinstance(request, StreamingSettings):
            self._apply_settings(request)
        elif request is Command.FORCE_ENDPOINT:
            receiver = supervisor.receiver
            if receiver is not None:
                receiver.force_endpoint()
        elif request is Command.PAUSE:
            self._do(supervisor.pause())
            self._hearing.paused(self._input.now_ms)
        elif request is Command.RESUME:
            self._do(supervisor.resume())
            self._hearing.resumed(self._input.now_ms, input_delivers=self._input.delivering)
        elif request is Command.KEY_RENEWED:
            supervisor.key_renewed()
        elif request in (Command.USE_THIS_COMPUTER, Command.USE_THE_CLOUD):
            self._do(supervisor.engine_chosen(here=request is Command.USE_THIS_COMPUTER))
        elif not isinstance(request, Command):
            self._switch_source(request)

    def _switch_source(self, source: AudioSource) -> None:
        """Continue on another input: after a failure, or because the person picked one."""
        try:
            self._input.replace(source)
        except AudioSourceError as exc:
            self._emit(input_problem(exc, ProblemKind.INPUT_LOST))
            self._do(self._supervisor.input_lost())
            return
        self._handoff.break_in_audio()
        self._hearing.mark(self._input.now_ms, input_marker(source.description))
        self._assembler.attribute = self._input.attribution()
        # A new input's first reading goes out even if it matches the last one: it tells the
        # window an input delivers again.
        self._levels = LevelFeed(self._settings.chunk_ms)
        self._do(self._supervisor.input_replaced())

    def _apply_settings(self, settings: StreamingSettings) -> None:
        self._settings, restart_needed = self._settings.updated_mid_session(settings)
        receiver = self._supervisor.receiver
        if receiver is not None:
            receiver.update(self._settings)  # UpdateConfiguration
        if restart_needed:
            self._emit(Notice(FIXED_FOR_THE_SESSION_TEXT))

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
        stream = event.stream
        supervisor.heard_from(stream)
        self._account.heard(event, self._clock())
        if self._on_content(event):
            return
        if isinstance(event, Dialling):
            supervisor.dialling(stream)
        elif isinstance(event, Opened):
            self._do(supervisor.opened(stream, event.connection))
        elif isinstance(event, Began):
            self._on_began(event)
        elif isinstance(event, Terminated):
            self._on_ended(stream, supervisor.terminated(stream))
        elif isinstance(event, Warned):
            self._emit(Notice(f"The captioning service warns: {event.message}"))
        elif isinstance(event, ConnectionFailed):
            self._on_ended(stream, supervisor.connection_failed(stream, event.problem))

    def _on_content(self, event: EngineEvent) -> bool:
        """What was said: turns, speaker revisions, translations, speech starting."""
        if isinstance(event, TurnReceived):
            self._on_turn(event)
        elif isinstance(event, SpeakersRevised):
            for update in self._assembler.revise_speakers(event.stream, event.revisions):
                self._emit(update)
        elif isinstance(event, Translated):
            # Tied to its turn by (stream, turn_order): late or out of order, it lands there.
            translate = self._assembler.translate
            for update in translate(event.stream, event.turn_order, event.translation):
                self._emit(update)
        elif isinstance(event, SpeechDetected):
            if self._hearing.hears(event.stream):
                self._emit(SpeechStarted(self._hearing.offset_ms + event.at_ms))
        else:
            return False
        return True

    def _on_began(self, event: Began) -> None:
        self._hearing.service_began(event.stream, event.session_id)
        self._do(self._supervisor.began(event.stream, event.expires_in_s))

    def _on_ended(self, stream: int, actions: Sequence[Action]) -> None:
        """A connection ended or failed: what the supervisor makes of it, or, for one that was
        retired already (a rollover, a pause), only the end of its live turn."""
        if actions:
            self._do(actions)
        elif not self._supervisor.is_current(stream):
            self._end_stream(stream)

    def _on_turn(self, event: TurnReceived) -> None:
        hearing = self._hearing.hears(event.stream)
        if hearing:
            self._supervisor.turn_received(event.stream)
        for update in self._assembler.apply(event.stream, event.message):
            if hearing:
                # A word can only have been heard in audio that was sent (a service
                # reporting absurd times must not hide the next gap).
                heard = min(update.turn.end_ms, self._input.position_ms)
                self._handoff.heard_until(heard)
            self._emit(update)

    # audio

    def _read(self, timeout: float) -> AudioChunk | None:
        """The next chunk on the session clock; a failing input ends or holds the session."""
        try:
            return self._input.read(timeout)
        except AudioSourceError as exc:
            if self._wait_for_new_source:
                self._emit(input_problem(exc, ProblemKind.INPUT_LOST))
                self._input.lose()
                self._assembler.cut_short(self._supervisor.stream)  # the words stopped mid-turn
                self._do(self._supervisor.input_lost())
            else:
                problem = input_problem(exc, ProblemKind.AUDIO_INPUT)
                self._do(self._supervisor.input_failed(problem))
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
        self._take(chunk)

    def _take(self, chunk: AudioChunk) -> None:
        supervisor = self._supervisor
        receiver = supervisor.receiver
        if (level := self._levels.add(chunk, receiver is not None)) is not None:
            self._emit(level)
        self._speaking.heard(chunk, self._settings.chunk_ms)
        if not supervisor.keeps_audio:
            self._handoff.break_in_audio()  # paused: it goes nowhere, not even into memory
            return
        self._handoff.keep(chunk)
        if receiver is not None:
            self._outbox.put(chunk)
            self._send_due()

    def _send_due(self) -> None:
        receiver = self._supervisor.receiver
        if receiver is None:
            return
        for chunk in self._outbox.due():
            self._send(receiver, chunk)

    def _send(self, connection: Connection, chunk: AudioChunk) -> None:
        if (stream := self._hearing.begins_with(chunk.start_ms)) is not None:
            self._assembler.begin_stream(stream, chunk.start_ms, self._handoff.captioned_until_ms)
        connection.send_audio(chunk.pcm)
        if chunk.rms_dbfs > SPEECH_DBFS:
            self._supervisor.speech_sent()

    def _cut_if_mid_speech(self, stream: int) -> None:
        """The connection hearing now is ended cleanly while someone speaks (Pause, Stop, the
        other engine chosen; also a rollover or a give-up): its line's last words, flushed as
        it closes, end as cut off (the fifth and sixth walks: "…prudently in his" read whole).
        A recording that ended was not cut."""
        now = self._input.now_ms
        if not self._input.done and self._speaking.speaks_at(now):
            self._assembler.cut_short(stream, words_since_ms=now - WORDS_STILL_COMING_MS)

    def _between_turns(self) -> bool:
        """No turn is being spoken on the current connection (a good moment to switch)."""
        stream = self._supervisor.stream
        return not any(turn.stream == stream for turn in self._assembler.live_turns())

    # what the supervisor asks for

    def _do(self, actions: Sequence[Action]) -> None:
        for action in actions:
            if isinstance(action, Open):
                self._account.opened(action.stream, action.engine)
                self._opener.open(action.stream, action.engine, self._settings)
            elif isinstance(action, Adopt):
                self._adopt(action)
            elif isinstance(action, Retire):
                self._retire(action)
            elif isinstance(action, Discard):
                self._closers.close_in_background(action.connection, action.stream, False)

    def _adopt(self, action: Adopt) -> None:
        """Audio goes to this connection now: first what the last one may not have heard."""
        if not self._input.started:
            self._start_input()  # a file, waiting for its first connection
        self._hearing.adopt(action.stream, action.connection)
        lead_s = action.engine.realtime_lead_s
        self._outbox.open(lead_s)
        limit = None if lead_s is None else int((lead_s + CLOUD_BACKLOG_S) * 1000)
        backlog = self._handoff.backlog(limit)
        if action.marker is not None:
            at_ms = backlog[0].start_ms if backlog else self._input.position_ms
            self._hearing.mark(max(at_ms, self._handoff.captioned_until_ms), action.marker)
        for chunk in backlog:
            self._outbox.put(chunk)
        self._send_due()

    def _retire(self, action: Retire) -> None:
        current = self._hearing.hears(action.stream)
        if current:
            self._hearing.drop()
            self._outbox.clear()
            if action.clean:
                # Ended with Terminate: all it was sent is heard; its last words come as it closes.
                self._cut_if_mid_speech(action.stream)
                self._handoff.all_heard(self._input.position_ms)
        opens_a_gap = current or action.connection is None  # no other connection hears it
        if action.reason is not None and opens_a_gap:
            self._hearing.open_gap(self._handoff.captioned_until_ms, action.reason)
        if not action.clean:
            # Dropped, not ended: no final message will come for its live turn. Finish it now,
            # so it is marked as cut off and sits before the gap that follows it.
            self._end_stream(action.stream)
        if action.connection is not None:
            self._closers.close_in_background(action.connection, action.stream, action.clean)

    def _end_stream(self, stream: int) -> None:
        update = self._assembler.end_stream(stream)
        if update is not None:
            self._emit(update)
        if not self._hearing.hears(stream):
            # Nothing can revise a retired stream's turns once it has ended: let them go,
            # so an 8-hour session with reconnects holds only the current stream's turns.
            self._assembler.forget_stream(stream)

    def _send_the_rest(self, deadline: float) -> None:
        """Audio still held back for a paced connection goes out at its pace (the end of a
        file, a Stop just after a reconnect), within the stop's deadline."""
        outbox = self._outbox
        for _ in range(round(outbox.waiting_s * 1000 / self._settings.chunk_ms) + 1):
            if self._supervisor.receiver is None or not outbox.waiting_s:
                return
            wait = outbox.due_in()
            if self._clock() + wait > deadline:
                return
            time.sleep(wait)
            self._send_due()

    def _shutdown(self) -> None:
        """Stop: end the connection hearing now and wait (bounded) for its last turns."""
        within = self._requests.stop_within_s
        wait_s = self._timing.terminate_timeout_s + 0.5 if within is None else within
        deadline = self._clock() + wait_s
        self._closers.timeout_s = min(self._timing.terminate_timeout_s, wait_s)
        self._send_the_rest(deadline)
        self._opener.shutdown()
        self._do(self._supervisor.stop())
        self._handle_events()  # answers already queued: each is discarded now
        self._closers.wait(lambda: max(0.0, deadline - self._clock()))
        self._handle_events()
        for live in self._assembler.live_turns():
            self._end_stream(live.stream)
