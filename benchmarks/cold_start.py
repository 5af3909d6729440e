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


FIRST_WORDS = 4
"""A paint showing any of the corpus's first words is its first caption."""


def _speech() -> tuple[Path, list[str]]:
    from benchmarks.corpus.build import corpus
    from tests.support.paths import AUDIO_DIR

    subprocess.run([PYTHON, "-m", "benchmarks.corpus.build"], cwd=ROOT, check=True, timeout=600)
    built = corpus(AUDIO_DIR)
    return built.path, [w.text for w in built.words[:FIRST_WORDS]]


def first_words_after_speech(data: dict[str, list[list[float | str]]]) -> float:
    """Seconds from the first loud chunk's read to the last paint (the probe stops at the
    first one showing a caption)."""
    speech_at = next(float(at) for at, _, peak in data["reads"] if float(peak) > SPEECH_PEAK_DBFS)
    return float(data["paints"][-1][0]) - speech_at


def measure(runs: int = RUNS) -> list[Figure]:
    speech, first_words = _speech()
    waits: list[float] = []
    failures: list[str] = []
    for n in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            out = Path(tmp) / "cold.json"
            done = subprocess.run(
                [
                    PYTHON,
                    "-m",
                    "benchmarks.probes.cold_start",
                    str(speech),
                    str(out),
                    ",".join(first_words),
                ],
                cwd=ROOT,
                env=child_env(Path(tmp)),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            try:
                data = json.loads(out.read_text())
                if not data["paints"] or not _shows(data["paints"][-1][1], first_words):
                    raise ValueError("no caption within 30 s")
                waits.append(first_words_after_speech(data))
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


def _shows(text: str, words: list[str]) -> bool:
    shown = {"".join(c for c in w.lower() if c.isalnum() or c == "'") for w in text.split()}
    return bool(shown & set(words))
