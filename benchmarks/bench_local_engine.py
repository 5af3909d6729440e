"""Local engine benchmark: a recording streamed at real-time pace through the live session and
the local engine (the GUI's own path), every figure beside its budget (issue 26).

Run: ``.venv/bin/python benchmarks/bench_local_engine.py [--recording corpus|clips]
[--model NAME] [--json PATH]``. ``corpus`` (the default) is five minutes of continuous speech
with natural pauses and room noise (``benchmarks/corpus/build.py``); ``clips`` the six shared
real clips with 1.5 s of digital silence between them. Exits non-zero on a miss.

* word error rate (lower case, no punctuation, numbers spelled out);
* end of word → that word final on screen, median and p90: every word shown, against its own
  end in the audio, on one clock (``word_latency.py``), clamped at zero;
* words dropped between two turns (where an utterance was cut): none allowed;
* the longest wait for a partial while a turn is spoken;
* engine compute: the child process's CPU time (every thread, from its start: interpreter,
  imports, model load, VAD, decodes) read from /proc, over the seconds of audio;
* peak memory: this process's own VmHWM as the session ends (before the figures are
  reckoned) plus the engine process's own VmHWM (not ``ru_maxrss``, which Linux carries
  across exec).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jiwer

from benchmarks.corpus.build import Recording, clips, corpus, reference_words
from benchmarks.word_latency import AudioClock, shown_words, word_timings
from caption_app.core.audio.media import open_media_source
from caption_app.core.engines.local.engine import LocalEngine, LocalEngineOptions
from caption_app.core.model.turns import UpdateKind
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import build_live_session
from tests.local_engine.speech import TimedCollector
from tests.streaming.harness import FAST
from tests.support.paths import AUDIO_DIR

_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


TITLES = {"mr": "mister", "mrs": "missus", "dr": "doctor"}
"""Written titles as the references speak them ("Mr." is "mister"), as Whisper's own English
normalizer has them: the word error rate counts what was heard wrong, not how it is written."""


def spelled(word: str) -> str:
    """A number below a hundred, or a title, in words, as the reference writes it ("40" →
    "forty", "mr" → "mister")."""
    if word in TITLES:
        return TITLES[word]
    if not word.isdigit() or int(word) >= 100:
        return word
    n = int(word)
    if n < 20:
        return _NUMBERS[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens - 2] + ("" if ones == 0 else f" {_NUMBERS[ones]}")


def normalise(text: str) -> str:
    return " ".join(spelled(w) for w in reference_words(text))


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _proc_status_kb(pid: int | str, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class EngineWatch(threading.Thread):
    """The engine's child processes, read from /proc every 0.1 s until they are gone: CPU
    seconds (utime + stime, every thread, from the process's start) and VmHWM."""

    def __init__(self) -> None:
        super().__init__(name="engine-watch", daemon=True)
        self.cpu_s: dict[int, float] = {}
        self.hwm_kb: dict[int, int] = {}
        self._done = threading.Event()
        self._ticks = os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self._done.wait(0.1):
            self.sample()

    def sample(self) -> None:
        for pid in self._engine_children():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.cpu_s[pid] = (int(stat[11]) + int(stat[12])) / self._ticks
            if (hwm := _proc_status_kb(pid, "VmHWM")) is not None:
                self.hwm_kb[pid] = hwm

    def stop(self) -> None:
        self.sample()
        self._done.set()
        self.join(timeout=2)

    @staticmethod
    def _engine_children() -> set[int]:
        found: set[int] = set()
        for task in Path(f"/proc/{os.getpid()}/task").iterdir():
            try:
                found.update(int(p) for p in (task / "children").read_text().split())
            except OSError:
                continue
        engines = set()
        for pid in found:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in command and b"resource_tracker" not in command:
                engines.add(pid)
        return engines


def measure(recording: Recording, model: str = "") -> dict[str, Any]:
    clock = AudioClock()
    collector = TimedCollector()
    streaming = StreamingSettings().validate()
    source = open_media_source(recording.path, streaming.chunk_ms, realtime=True)
    read = source.read

    def timed_read(timeout: float) -> Any:
        chunk = read(timeout)
        if chunk is not None:
            clock.note(chunk.start_ms + streaming.chunk_ms, time.monotonic())
        return chunk

    source.read = timed_read  # type: ignore[method-assign]
    watch = EngineWatch()
    watch.start()
    with tempfile.TemporaryDirectory() as folder:
        engine = LocalEngine(LocalEngineOptions(model=model), streaming)
        built = build_live_session(
            streaming,
            source,
            None,
            collector,
            cli=True,
            engine=engine,
            timing=FAST,
            transcripts=Path(folder),
        )
        summary = built.session.run()
        # The session's peak, before this benchmark's own reckoning (the word alignment, the
        # error rate) adds about 28 MB of its own to this process.
        app_kb = _proc_status_kb("self", "VmHWM") or 0
    watch.stop()
    if summary.failed is not None:
        raise SystemExit(f"the session failed: {summary.failed.message}")
    turns = collector.finished_turns()
    hypothesis = " ".join(t.text for t in turns.values())
    wer = jiwer.wer(normalise(recording.reference), normalise(hypothesis) or "-")
    shown = shown_words(collector.updates, collector.arrived)
    for n, word in enumerate(shown):
        shown[n] = type(word)(spelled(word.text), word.turn, word.final_at)
    timings = word_timings(recording.words, shown, clock)
    waits = _partial_waits(collector, clock)
    audio_s = summary.audio_s
    engine_cpu = sum(watch.cpu_s.values())
    engine_kb = max(watch.hwm_kb.values(), default=0)
    worst = sorted(waits, reverse=True)[:3]
    for wait, at, text in worst:
        print(f"  a partial waited {wait:.2f} s, {at:.1f} s into the audio: {text!r}")
    return {
        "word_error_rate": wer,
        "word_end_to_final_median_s": statistics.median(timings.latencies_s),
        "word_end_to_final_p90_s": _p90(timings.latencies_s),
        "words_dropped_between_turns": timings.dropped_at_splits,
        "longest_wait_for_a_partial_s": max(w for w, _, _ in waits),
        "engine_cpu_per_audio_second": engine_cpu / audio_s,
        "peak_memory_mb": (app_kb + engine_kb) / 1024,
        "engine_peak_mb": engine_kb / 1024,
        "app_side_peak_mb": app_kb / 1024,
        "words_dropped": timings.dropped,
        "words_inserted": timings.inserted,
        "turns": len(turns),
        "audio_s": audio_s,
        "load_average_1min": os.getloadavg()[0],
    }


def _partial_waits(collector: TimedCollector, clock: AudioClock) -> list[tuple[float, float, str]]:
    """For each partial: the time since the turn's previous one, or for a turn's first, since
    its first word was heard; with when (s of audio) and what it showed."""
    waits: list[tuple[float, float, str]] = []
    last_seen: dict[tuple[int, int], float] = {}
    start = clock.read_at[0] if clock.read_at else 0.0
    for update, at in zip(collector.updates, collector.arrived, strict=True):
        if update.kind is not UpdateKind.LIVE:
            continue
        key = update.turn.key
        since = last_seen.get(key, clock.heard_at(update.turn.start_ms))
        waits.append((max(0.0, at - since), at - start, update.turn.display_text[:50]))
        last_seen[key] = at
    return waits


BUDGETS = {
    "corpus": {
        "word_error_rate": 0.06,
        "word_end_to_final_median_s": 1.2,
        "word_end_to_final_p90_s": 2.0,
        "words_dropped_between_turns": 0,
        "longest_wait_for_a_partial_s": 1.0,
        "engine_cpu_per_audio_second": 0.25,
        "peak_memory_mb": 350,
    },
    "clips": {
        "word_error_rate": 0.05,
        "word_end_to_final_median_s": 1.2,
        "word_end_to_final_p90_s": 2.0,
        "words_dropped_between_turns": 0,
        "longest_wait_for_a_partial_s": 1.0,
        "engine_cpu_per_audio_second": 0.25,
        "peak_memory_mb": 350,
    },
}
RECORDINGS = {"corpus": corpus, "clips": clips}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", choices=list(RECORDINGS), default="corpus")
    parser.add_argument("--model", default="", help="a local model's name (default: the app's)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    # Built (once) in a process of its own: the voice and the aligner stay out of this one's
    # peak memory.
    subprocess.run([sys.executable, "-m", "benchmarks.corpus.build"], check=True, timeout=600)
    recording = RECORDINGS[args.recording](AUDIO_DIR)
    print(f"{args.recording}: {recording.make_up}")
    figures = measure(recording, args.model)
    budgets = BUDGETS[args.recording]
    rows, missed = [], []
    for name, value in figures.items():
        budget = budgets.get(name)
        verdict = "" if budget is None else ("met" if value <= budget else "MISSED")
        if verdict == "MISSED":
            missed.append(name)
        rows.append({"figure": name, "value": value, "budget": budget, "verdict": verdict})
        shown = f"≤ {budget:g}" if budget is not None else ""
        print(f"{name:36} {value:10.3f}  {shown:10} {verdict}")
    if args.json:
        args.json.write_text(json.dumps({"make_up": recording.make_up, "rows": rows}, indent=2))
    if missed:
        print(f"missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
