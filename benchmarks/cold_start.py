"""From a cold Start with the local engine to its first words on screen (``probes/cold_start.py``):
the real app started with ``--engine local --source CORPUS --start``, so the engine's child
process starts and loads its model when captioning starts, as after a person's Start. The
corpus opens with a second of room noise, then speech.

Speech begins at the first chunk read louder than -30 dBFS (peak); the figure is the first
overlay paint showing a caption, minus that read, on one clock. Median of a few starts."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, child_env
from benchmarks.report import Figure, median

RUNS = 3
BUDGET_S = 1.5
SPEECH_PEAK_DBFS = -30.0


def _speech() -> Path:
    from benchmarks.corpus.build import corpus
    from tests.support.paths import AUDIO_DIR

    subprocess.run([PYTHON, "-m", "benchmarks.corpus.build"], cwd=ROOT, check=True, timeout=600)
    return corpus(AUDIO_DIR).path


def first_words_after_speech(data: dict[str, list[list[float | str]]]) -> float:
    """Seconds from the first loud chunk's read to the first paint with a caption."""
    speech_at = next(float(at) for at, _, peak in data["reads"] if float(peak) > SPEECH_PEAK_DBFS)
    shown_at = next(
        float(at)
        for at, text in data["paints"]
        if any(ch.isalpha() for ch in str(text))
        and not str(text).lower().startswith(("starting", "listening", "connecting"))
    )
    return shown_at - speech_at


def measure(runs: int = RUNS) -> list[Figure]:
    speech = _speech()
    waits: list[float] = []
    failures: list[str] = []
    for n in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            out = Path(tmp) / "cold.json"
            done = subprocess.run(
                [PYTHON, "-m", "benchmarks.probes.cold_start", str(speech), str(out)],
                cwd=ROOT,
                env=child_env(Path(tmp)),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            try:
                waits.append(first_words_after_speech(json.loads(out.read_text())))
            except (OSError, StopIteration, ValueError) as exc:
                tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
                failures.append(f"run {n + 1}: {exc!r} ({tail})")
    value = median(waits) if waits and not failures else float("nan")
    return [
        Figure(
            "local engine: cold Start → first words after speech begins",
            value,
            "s",
            BUDGET_S,
            f"median of {len(waits)} starts: {', '.join(f'{w:.2f}' for w in waits)} s"
            + (f"; FAILED {'; '.join(failures)}" if failures else ""),
            samples=len(waits),
        )
    ]
