"""The local engine's recognizer and decoder replayed on a recording on a virtual clock: a tool
for tuning, not a budgeted figure (``bench_local_engine.py`` measures the real thing).

Audio arrives 50 ms at a time on the virtual clock; a decode job runs for real the moment it is
submitted and holds the decoder for as long as it really took (times ``--slowdown``, to mimic
a busy machine), while audio keeps arriving. Idle stretches cost nothing, so five minutes of
speech replay in about the CPU time their decodes take. Same recognizer, decoder, VAD and turn
assembly as the app; no processes, no threads.

``python -m benchmarks.replay_local [--recording corpus|clips] [--model NAME] [--slowdown X]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.bench_local_engine import RECORDINGS, normalise, spelled
from benchmarks.corpus.build import Recording
from benchmarks.word_latency import AudioClock, ShownWord, shown_words, word_timings
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.assembler import TurnAssembler

CHUNK = 800


@dataclass
class Replay:
    updates: list[TurnUpdate]
    at: list[float]
    compute_s: float
    audio_s: float


def replay(recording: Recording, model: str, slowdown: float, load_s: float = 0.0) -> Replay:
    """``load_s``: the model's load time; audio before it is handled in one burst then, as the
    engine's child process does with the audio queued while it loads."""
    import wave

    from caption_app.core.engines.local.engine import turn_policy
    from caption_app.core.engines.local.models import model_named
    from caption_app.core.engines.local.recognizer import StreamingRecognizer
    from caption_app.core.engines.local.vad import StreamingVad
    from caption_app.core.engines.local.worker import load_decoder

    with wave.open(str(recording.path), "rb") as wav:
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    audio = pcm.astype(np.float32) / 32768.0
    decoder, _ = load_decoder(model, "", cpu_threads=model_named(model).cpu_threads)
    vad = StreamingVad()
    recognizer = StreamingRecognizer(turn_policy(StreamingSettings(), model_named(model)))
    assembler = TurnAssembler()
    assembler.begin_stream(0, 0)
    updates: list[TurnUpdate] = []
    at: list[float] = []
    busy_until = 0.0
    pending: list[tuple[float, int, object]] = []
    compute = 0.0

    def emit(out: object, now: float) -> None:
        nonlocal busy_until, compute
        for message in out.messages:  # type: ignore[attr-defined]
            for update in assembler.apply(0, message):
                updates.append(update)
                at.append(now)
        for job in out.jobs:  # type: ignore[attr-defined]
            t0 = time.process_time()
            hypothesis = decoder.decode(
                job.audio,
                beam_size=job.beam_size,
                hotwords=job.hotwords,
                remembered=job.remembered,
            )
            took = (time.process_time() - t0) * slowdown
            compute += took
            start = max(now, busy_until)
            busy_until = start + took
            pending.append((busy_until, job.job_id, hypothesis))

    position = 0
    while position < len(audio) or pending:
        next_chunk = (position + CHUNK) / 16_000 if position < len(audio) else float("inf")
        next_chunk = max(next_chunk, load_s)
        if pending and pending[0][0] <= next_chunk:
            done, job_id, hypothesis = pending.pop(0)
            emit(recognizer.decoded(job_id, hypothesis), done)  # type: ignore[arg-type]
            continue
        chunk = audio[position : position + CHUNK]
        position += len(chunk)
        emit(recognizer.feed(chunk, vad.feed(chunk)), next_chunk)
    end = position / 16_000
    emit(recognizer.force_endpoint(), end)
    while pending:
        done, job_id, hypothesis = pending.pop(0)
        emit(recognizer.decoded(job_id, hypothesis), done)  # type: ignore[arg-type]
    return Replay(updates, at, compute, len(audio) / 16_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", choices=list(RECORDINGS), default="corpus")
    parser.add_argument("--model", default="")
    parser.add_argument("--slowdown", type=float, default=1.0)
    parser.add_argument("--load-s", type=float, default=0.0, help="the model's load time")
    parser.add_argument("--show", action="store_true", help="print every finished turn")
    args = parser.parse_args()
    from tests.support.paths import AUDIO_DIR

    recording = RECORDINGS[args.recording](AUDIO_DIR)
    result = replay(recording, args.model, args.slowdown, args.load_s)
    clock = AudioClock()
    for n in range(1, round(result.audio_s * 20) + 2):
        clock.note(n * 50, n * 0.05)
    finished = [u.turn for u in result.updates if u.kind is UpdateKind.FINISHED]
    hypothesis = " ".join(t.text for t in finished)
    import jiwer

    shown = [
        ShownWord(spelled(w.text), w.turn, w.final_at)
        for w in shown_words(result.updates, result.at)
    ]
    timings = word_timings(recording.words, shown, clock)
    wer = jiwer.wer(normalise(recording.reference), normalise(hypothesis))
    waits: list[float] = []
    last: dict[tuple[int, int], float] = {}
    for update, t in zip(result.updates, result.at, strict=True):
        if update.kind is UpdateKind.LIVE:
            key = update.turn.key
            waits.append(t - last.get(key, clock.heard_at(update.turn.start_ms)))
            last[key] = t
    lat = sorted(timings.latencies_s)
    if args.show:
        for turn in finished:
            print(f"{turn.start_ms / 1000:7.2f}-{turn.end_ms / 1000:7.2f} {turn.text}")
    print(
        f"WER {wer:.3%}  latency median {statistics.median(lat):.2f} p90 "
        f"{lat[round(0.9 * (len(lat) - 1))]:.2f} max {lat[-1]:.2f}  dropped {timings.dropped} "
        f"(between turns {timings.dropped_at_splits}) inserted {timings.inserted}  "
        f"longest partial wait {max(waits):.2f}  turns {len(finished)}  "
        f"decode compute {result.compute_s / result.audio_s:.3f}x"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
