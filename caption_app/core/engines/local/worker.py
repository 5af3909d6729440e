"""The local engine's child process: the model, the VAD and the recognizer, off the app's back.

Started by ``engine.py`` with multiprocessing's *spawn* method (a fresh interpreter: no Qt, no
threads inherited). Three threads here:

- the main thread owns the recognizer: audio and commands in, decode jobs and Turn messages out;
- a reader drains the pipe into the main thread's inbox all the time, so the app's sends never
  block, even while the model loads or decodes;
- a decoder runs one Whisper decode at a time and posts its result to the same inbox.

Messages to the app are tuples: ("began", description), ("turn", TurnMessage), ("alive", ms),
("error", message) and, last, ("terminated", audio_seconds, compute_seconds): the CPU time
the process spent on the audio once the model was loaded (VAD, decodes, alignment).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from caption_app.core.engines.local.recognizer import (
    DecodeJob,
    Output,
    StreamingRecognizer,
    TurnPolicy,
)

log = logging.getLogger(__name__)

ALIVE_EVERY_MS = 1000
FINISH_TIMEOUT_S = 4.0


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    model_folder: str
    """The folder the person chose, or "" to look in the usual places."""
    policy: TurnPolicy
    cpu_threads: int = 2
    model: str = ""
    """A name from ``models.MODELS``; "" is the default model."""


def load_decoder(model_name: str, folder: str, *, cpu_threads: int) -> tuple[Any, str]:
    """The model found, checked and loaded, and where it came from (for the log); raises
    ``ModelError`` with what to do when it cannot be."""
    from caption_app.core.engines.local.decoder import WhisperDecoder
    from caption_app.core.engines.local.model_files import ModelError, find_model, verify_model
    from caption_app.core.engines.local.models import MODELS, model_named

    try:
        model = model_named(model_name)
    except KeyError:
        known = ", ".join(MODELS)
        raise ModelError(
            f"There is no local model called {model_name!r} (known: {known})."
        ) from None
    location = find_model(folder, model)
    verify_model(location, model)
    decoder = WhisperDecoder(
        location.path, cpu_threads=cpu_threads, multilingual=model.multilingual
    )
    return decoder, f"{model.description} from {location.origin}"


def main(conn: Connection, config: WorkerConfig) -> None:
    """The child process' entry point."""
    inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
    threading.Thread(target=_read_pipe, args=(conn, inbox), name="pipe-reader", daemon=True).start()
    try:
        from caption_app.core.engines.local.model_files import ModelError
        from caption_app.core.engines.local.vad import StreamingVad

        try:
            decoder, origin = load_decoder(
                config.model, config.model_folder, cpu_threads=config.cpu_threads
            )
            vad = StreamingVad()
        except ModelError as exc:
            conn.send(("error", str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 (a model CTranslate2 cannot read, a broken install)
            conn.send(("error", f"The local speech model could not be loaded: {exc}"))
            return
        conn.send(("began", origin))
        _Session(conn, inbox, decoder, vad, config.policy).run()
    except (BrokenPipeError, EOFError, OSError):
        pass  # the app went away; nothing is left to tell
    finally:
        conn.close()


def _read_pipe(conn: Connection, inbox: queue.SimpleQueue[tuple[Any, ...]]) -> None:
    try:
        while True:
            inbox.put(conn.recv())
    except (EOFError, OSError):
        inbox.put(("close", False))  # the app closed its end (or died): stop


class _Session:
    def __init__(
        self,
        conn: Connection,
        inbox: queue.SimpleQueue[tuple[Any, ...]],
        decoder: Any,
        vad: Any,
        policy: TurnPolicy,
    ) -> None:
        self._conn = conn
        self._inbox = inbox
        self._vad = vad
        self._recognizer = StreamingRecognizer(policy)
        self._jobs: queue.SimpleQueue[DecodeJob | None] = queue.SimpleQueue()
        self._decoder_thread = threading.Thread(
            target=self._decode_jobs, args=(decoder,), name="decoder", daemon=True
        )
        self._received_ms = 0
        self._alive_at = 0
        self._cpu_at_start = time.process_time()

    def run(self) -> None:
        self._decoder_thread.start()
        try:
            while True:
                message = self._inbox.get()
                kind = message[0]
                if kind == "close":
                    if message[1]:
                        self._finish()
                    compute_s = time.process_time() - self._cpu_at_start
                    self._conn.send(("terminated", self._received_ms / 1000, compute_s))
                    return
                self._handle(message)
        finally:
            self._jobs.put(None)

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "audio":
            samples = np.frombuffer(message[1], dtype="<i2").astype(np.float32) / 32768.0
            self._received_ms += len(samples) * 1000 // 16_000
            self._emit(self._recognizer.feed(samples, self._vad.feed(samples)))
            if self._received_ms - self._alive_at >= ALIVE_EVERY_MS:
                self._alive_at = self._received_ms
                self._conn.send(("alive", self._received_ms))
        elif kind == "decoded":
            self._emit(self._recognizer.decoded(message[1], message[2]))
        elif kind == "endpoint":
            self._emit(self._recognizer.force_endpoint())
        elif kind == "policy":
            self._recognizer.policy = message[1]

    def _finish(self) -> None:
        """Stop: end the turn being spoken and wait (bounded) for its final decode."""
        self._emit(self._recognizer.force_endpoint())
        deadline = time.monotonic() + FINISH_TIMEOUT_S
        while not self._recognizer.idle and (left := deadline - time.monotonic()) > 0:
            try:
                message = self._inbox.get(timeout=left)
            except queue.Empty:
                return
            if message[0] == "decoded":
                self._handle(message)

    def _emit(self, out: Output) -> None:
        for job in out.jobs:
            self._jobs.put(job)
        for turn in out.messages:
            self._conn.send(("turn", turn))

    def _decode_jobs(self, decoder: Any) -> None:
        from caption_app.core.engines.local.decoder import EMPTY

        while (job := self._jobs.get()) is not None:
            try:
                hypothesis = decoder.decode(
                    job.audio, beam_size=job.beam_size, hotwords=job.hotwords
                )
            except Exception:
                log.exception("decoding failed")
                hypothesis = EMPTY
            self._inbox.put(("decoded", job.job_id, hypothesis))
