"""Transcript layer benchmark: journal append cost, export time and model memory.

Run: ``python benchmarks/bench_transcript.py``. Prints what it measured and exits non-zero
when a target of the session-model issue is missed:

* appending a finished turn (journal write + fsync) costs < 1 ms on average;
* exporting an 8-hour session (~70,000 words) takes < 1 s in every format;
* the transcript model of that session stays under 100 MB.

Words are built as fresh objects (as the SDK's parser would hand them over), not shared
literals, so the memory number is what a real session holds.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind, Word
from caption_app.core.transcript import (
    FORMATS,
    SessionInfo,
    SessionTranscript,
    TranscriptRecorder,
    new_session_id,
    read_journal,
    write_export,
)

APPEND_TURNS = 2_000
SESSION_HOURS = 8
SESSION_WORDS = 70_000
TARGET_APPEND_MS = 1.0
TARGET_EXPORT_S = 1.0
TARGET_MEMORY_MB = 100.0
EXPORT_RUNS = 3

SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "di", "an", "qu", "er", "po"]


def _info() -> SessionInfo:
    now = datetime.now(UTC)
    return SessionInfo(new_session_id(now), now, "assemblyai", "Built-in Microphone", {})


def _turns(count_words: int, duration_ms: int, rng: random.Random) -> list[Turn]:
    """Turns of 3-14 words spread evenly over ``duration_ms``, with punctuation and speakers."""
    per_word = duration_ms // count_words
    turns = []
    clock = 0
    order = 0
    made = 0
    while made < count_words:
        size = min(rng.randint(3, 14), count_words - made)
        words = []
        for i in range(size):
            text = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
            if i == size - 1:
                text += rng.choice([".", "?", "!"])
            elif rng.random() < 0.1:
                text += ","
            start = clock + rng.randint(0, per_word // 4)
            end = start + rng.randint(per_word // 3, per_word // 2)
            words.append(Word(text, start, end, rng.uniform(0.5, 1.0), True, None))
            clock += per_word
        speaker = rng.choice("AB")
        words = [Word(w.text, w.start_ms, w.end_ms, w.confidence, True, speaker) for w in words]
        text = " ".join(w.text for w in words).capitalize()
        turns.append(Turn(0, order, tuple(words), text, "", True, True, speaker, "en"))
        order += 1
        made += size
    return turns


def bench_append(directory: Path) -> float:
    rng = random.Random(1)
    turns = _turns(APPEND_TURNS * 14, APPEND_TURNS * 3_000, rng)[:APPEND_TURNS]
    recorder = TranscriptRecorder(directory, _info())
    recorder.begin_stream(0, "bench", 0)
    timings = []
    for turn in turns:
        began = time.perf_counter()
        recorder.apply(TurnUpdate(UpdateKind.FINISHED, turn))
        timings.append(time.perf_counter() - began)
    recorder.close()
    mean_ms = statistics.fmean(timings) * 1000
    p99_ms = sorted(timings)[int(len(timings) * 0.99)] * 1000
    print(
        f"append turn (write + fsync): mean {mean_ms:.3f} ms, p99 {p99_ms:.3f} ms "
        f"over {len(timings)} turns (target mean < {TARGET_APPEND_MS} ms)"
    )
    return mean_ms


def build_session() -> tuple[SessionTranscript, float]:
    """The 8-hour model, built under tracemalloc; returns it and its size in MB."""
    rng = random.Random(8)
    tracemalloc.start()
    transcript = SessionTranscript(_info())
    transcript.add_stream(0, "bench", 0)
    for turn in _turns(SESSION_WORDS, SESSION_HOURS * 3_600_000, rng):
        transcript.apply(TurnUpdate(UpdateKind.FINISHED, turn))
        if turn.order % 1_500 == 0 and turn.order:
            transcript.add_gap(turn.end_ms, turn.end_ms + 5_000, "reconnect")
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return transcript, current / 1e6


def bench_exports(transcript: SessionTranscript, directory: Path) -> dict[str, float]:
    doc = transcript.snapshot()
    results = {}
    for fmt in FORMATS:
        runs = []
        for run in range(EXPORT_RUNS):
            target = directory / f"session-{run}.{fmt}"
            began = time.perf_counter()
            write_export(doc, target, fmt)
            runs.append(time.perf_counter() - began)
        results[fmt] = statistics.median(runs)
        size_mb = target.stat().st_size / 1e6
        print(
            f"export {fmt:>4}: median {results[fmt] * 1000:7.1f} ms, worst "
            f"{max(runs) * 1000:7.1f} ms, {size_mb:5.1f} MB (target < {TARGET_EXPORT_S} s)"
        )
    return results


def bench_recovery(transcript: SessionTranscript, directory: Path) -> None:
    """Not a target, but worth knowing: reading an 8-hour journal back after a crash."""
    recorder = TranscriptRecorder(directory, transcript.info)
    for entry in transcript.snapshot().entries:
        if isinstance(entry, Turn):
            recorder.journal.append_turn(entry)
    recorder.journal.close(clean=False)
    began = time.perf_counter()
    session = read_journal(recorder.path)
    elapsed = time.perf_counter() - began
    size_mb = recorder.path.stat().st_size / 1e6
    print(
        f"read 8-hour journal back: {elapsed * 1000:.0f} ms for {size_mb:.1f} MB, "
        f"{session.document.word_count} words"
    )


def main() -> int:
    failures = []
    with tempfile.TemporaryDirectory(prefix="bench-transcript-") as tmp:
        directory = Path(tmp)
        mean_ms = bench_append(directory / "append")
        if mean_ms >= TARGET_APPEND_MS:
            failures.append(f"append {mean_ms:.3f} ms >= {TARGET_APPEND_MS} ms")

        transcript, memory_mb = build_session()
        print(
            f"8-hour model: {transcript.word_count} words, {transcript.turn_count} turns, "
            f"{memory_mb:.1f} MB traced (target < {TARGET_MEMORY_MB} MB)"
        )
        if memory_mb >= TARGET_MEMORY_MB:
            failures.append(f"memory {memory_mb:.1f} MB >= {TARGET_MEMORY_MB} MB")

        (directory / "export").mkdir()
        for fmt, seconds in bench_exports(transcript, directory / "export").items():
            if seconds >= TARGET_EXPORT_S:
                failures.append(f"export {fmt} {seconds:.2f} s >= {TARGET_EXPORT_S} s")
        bench_recovery(transcript, directory / "recovery")

    if failures:
        print("MISSED: " + "; ".join(failures))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
