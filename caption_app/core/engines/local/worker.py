"""The local engine's child process: the model, the VAD and the recognizer, off the app's back.

Started by ``engine.py`` with multiprocessing's *spawn* method (a fresh interpreter: no Qt, no
threads inherited). Three threads here:

- the main thread owns the recognizer: audio and commands in, decode jobs and Turn messages out;
- a reader drains the pipe into the main thread's inbox all the time, so the app's sends never
  block, even while the model loads or decodes;
- a decoder runs one Whisper decode at a time and posts its result to the same inbox.

Messages to the app are tuples: ("began", description), ("turn", TurnMessage, untranslated:
a finished turn the translate task left in the spoken language), ("alive", ms),
("translation", turn_order, text), ("error", message) and, last, ("terminated",
audio_seconds, compute_seconds): the CPU time the process spent on the audio once the model
was loaded (VAD, decodes, alignment).

Languages: the worker runs the model it is told (``models.model_for`` chose it: a language
other than English, detection or a translation runs on the multilingual Whisper base). With
``task="both"`` each finished turn is decoded once more with Whisper's translate task, after its
original went out, so the original is never held up; the translation follows as its own
message.
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
    FINAL_BEAM,
    DecodeJob,
    Output,
    StreamingRecognizer,
    TurnPolicy,
)

log = logging.getLogger(__name__)

ALIVE_EVERY_MS = 1000
FINISH_TIMEOUT_S = 4.0


TASKS = ("transcribe", "translate", "both")
KEPT_FINAL_AUDIO = 4
"""Final decodes whose audio is kept for a translation (one turn ends at a time)."""


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    model_folder: str
    """The folder the person chose, or "" to look in the usual places."""
    policy: TurnPolicy
    cpu_threads: int = 2
    model: str = ""
    """The model to run, by name (``models.model_for`` chose it); "" is the default model."""
    language: str = "en"
    """``en``, ``auto`` or a language code."""
    task: str = "transcribe"
    """``transcribe``; ``translate`` (English words only); ``both`` (the original, then its
    English translation)."""


@dataclass(frozen=True, slots=True)
class TranslateJob:
    turn_order: int
    audio: np.ndarray


def load_decoder(
    model_name: str,
    folder: str,
    *,
    cpu_threads: int,
    language: str = "en",
    task: str = "transcribe",
) -> tuple[Any, str]:
    """The model found, checked and loaded, and where it came from (for the log); raises
    ``ModelError`` with what to do when it cannot be, or cannot do what is asked."""
    from caption_app.core.engines.local.decoder import WhisperDecoder
    from caption_app.core.engines.local.models import (
        ModelError,
        find_model,
        model_named,
        verify_model,
    )

    model = model_named(model_name)
    location = find_model(folder, model)
    verify_model(location, model)
    decoder = WhisperDecoder(
        location.path,
        cpu_threads=cpu_threads,
        language=None if language == "auto" else language,
        task="translate" if task == "translate" else "transcribe",
    )
    if (language != "en" or task != "transcribe") and not decoder.multilingual:
        raise ModelError(
            f"The model in {location.origin} ({location.path}) is English only; other "
            "languages and translation need a multilingual one. Empty the local model folder "
            "in Settings → Engine to use Whisper base."
        )
    return decoder, f"{model.description} from {location.origin}"


def main(conn: Connection, config: WorkerConfig) -> None:
    """The child process' entry point."""
    from threadpoolctl import threadpool_limits

    # numpy's OpenBLAS (the feature extractor's matrix product, once a decode) keeps its
    # threads spinning after each call: 40 % of a tiny.en decode's CPU for nothing (242 ->
    # 145 ms measured, the same wall time). CTranslate2 has its own threads.
    threadpool_limits(limits=1, user_api="blas")
    inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
    threading.Thread(target=_read_pipe, args=(conn, inbox), name="pipe-reader", daemon=True).start()
    try:
        from caption_app.core.engines.local.models import ModelError
        from caption_app.core.engines.local.vad import StreamingVad

        try:
            decoder, origin = load_decoder(
                config.model,
                config.model_folder,
                cpu_threads=config.cpu_threads,
                language=config.language,
                task=config.task,
            )
            vad = StreamingVad()
        except ModelError as exc:
            conn.send(("error", str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 (a model CTranslate2 cannot read, a broken install)
            conn.send(("error", f"The local speech model could not be loaded: {exc}"))
            return
        conn.send(("began", origin))
        _Session(conn, inbox, decoder, vad, config.policy, translate=config.task == "both").run()
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
        *,
        translate: bool = False,
    ) -> None:
        self._conn = conn
        self._inbox = inbox
        self._vad = vad
        self._recognizer = StreamingRecognizer(policy)
        self._translate = translate
        self._final_audio: dict[int, np.ndarray] = {}
        self._translating = 0
        self._jobs: queue.SimpleQueue[DecodeJob | TranslateJob | None] = queue.SimpleQueue()
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
            out = self._recognizer.decoded(message[1], message[2])
            audio = self._final_audio.pop(message[1], None)
            self._emit(out)
            if audio is not None:
                for turn in out.messages:
                    if turn.end_of_turn:  # its original is out: now its translation
                        self._translating += 1
                        self._jobs.put(TranslateJob(turn.turn_order, audio))
        elif kind == "translated":
            self._translating -= 1
            if message[2]:
                self._conn.send(("translation", message[1], message[2]))
        elif kind == "endpoint":
            self._emit(self._recognizer.force_endpoint())
        elif kind == "policy":
            self._recognizer.policy = message[1]

    def _finish(self) -> None:
        """Stop: end the turn being spoken and wait (bounded) for its final decode."""
        self._emit(self._recognizer.force_endpoint())
        deadline = time.monotonic() + FINISH_TIMEOUT_S
        while not self._idle and (left := deadline - time.monotonic()) > 0:
            try:
                message = self._inbox.get(timeout=left)
            except queue.Empty:
                return
            if message[0] in ("decoded", "translated"):
                self._handle(message)

    @property
    def _idle(self) -> bool:
        return self._recognizer.idle and self._translating == 0

    def _emit(self, out: Output) -> None:
        for job in out.jobs:
            if self._translate and job.beam_size == FINAL_BEAM:
                self._final_audio[job.job_id] = job.audio
                while len(self._final_audio) > KEPT_FINAL_AUDIO:
                    del self._final_audio[next(iter(self._final_audio))]
            self._jobs.put(job)
        for turn in out.messages:
            self._conn.send(("turn", turn, turn.turn_order in out.untranslated))

    def _decode_jobs(self, decoder: Any) -> None:
        from caption_app.core.engines.local.decoder import EMPTY

        while (job := self._jobs.get()) is not None:
            if isinstance(job, TranslateJob):
                self._inbox.put(("translated", job.turn_order, _translation(decoder, job)))
                continue
            try:
                hypothesis = decoder.decode(
                    job.audio,
                    beam_size=job.beam_size,
                    hotwords=job.hotwords,
                    remembered=job.remembered,
                )
            except Exception:
                log.exception("decoding failed")
                hypothesis = EMPTY
            self._inbox.put(("decoded", job.job_id, hypothesis))


def _translation(decoder: Any, job: TranslateJob) -> str:
    """The English of a finished turn's audio, or "" when Whisper heard nothing credible."""
    from caption_app.core.engines.local.decoder import rejection

    try:
        hypothesis = decoder.decode(job.audio, beam_size=FINAL_BEAM, task="translate")
    except Exception:
        log.exception("translating failed")
        return ""
    speech_ms = len(job.audio) * 1000 // 16_000
    if hypothesis.untranslated or rejection(hypothesis, speech_ms) is not None:
        return ""  # no translation line rather than the original said twice
    return str(hypothesis.text)
