"""The local engine's figures, from its own benchmark (``bench_local_engine.py``, one process
per run): the default model on the continuous corpus and on the shared clips, against their
budgets; the other models on the corpus beside them, reported."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, child_env
from benchmarks.report import Figure

UNITS = {
    "word_error_rate": "",
    "word_end_to_final_median_s": "s",
    "word_end_to_final_p90_s": "s",
    "words_dropped_between_turns": "",
    "longest_wait_for_a_partial_s": "s",
    "engine_cpu_per_audio_second": "x",
    "peak_memory_mb": "MB",
    "engine_peak_mb": "MB",
    "app_side_peak_mb": "MB",
    "words_dropped": "",
    "words_inserted": "",
    "turns": "",
    "audio_s": "s",
    "load_average_1min": "",
}


def _run(recording: str, model: str = "") -> tuple[str, list[dict[str, object]]] | str:
    """(the recording's make-up, the rows), or why it did not run."""
    with tempfile.TemporaryDirectory(prefix="bench-local-") as tmp:
        out = Path(tmp) / "local.json"
        argv = ["benchmarks/bench_local_engine.py", "--recording", recording, "--json", str(out)]
        if model:
            argv += ["--model", model]
        result = subprocess.run(
            [PYTHON, *argv],
            cwd=ROOT,
            env=child_env(Path(tmp)),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if not out.exists():
            return (result.stderr.strip().splitlines() or ["no output"])[-1]
        data = json.loads(out.read_text())
    return data["make_up"], data["rows"]


def _figures(label: str, recording: str, model: str = "", *, budgeted: bool = True) -> list[Figure]:
    ran = _run(recording, model)
    if isinstance(ran, str):
        return [Figure(label, float("nan"), "", 0.0 if budgeted else None, f"did not run: {ran}")]
    make_up, rows = ran
    figures = []
    for n, row in enumerate(rows):
        budget = row["budget"] if budgeted else None
        detail = make_up if n == 0 else ("from issue 26" if budget is not None else "")
        figures.append(
            Figure(
                f"{label}: {row['figure']}",
                float(row["value"]),  # type: ignore[arg-type]
                UNITS.get(str(row["figure"]), ""),
                budget,  # type: ignore[arg-type]
                detail,
            )
        )
    return figures


def measure() -> list[Figure]:
    """The default model (Whisper tiny.en) on the corpus and on the clips."""
    return [
        *_figures("local engine, corpus", "corpus"),
        *_figures("local engine, clips", "clips"),
    ]


def measure_other_models() -> list[Figure]:
    """Whisper base (multilingual) on the corpus: reported beside tiny.en, not budgeted."""
    return _figures("local engine, Whisper base, corpus", "corpus", "whisper-base", budgeted=False)
