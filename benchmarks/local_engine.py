"""The local engine's figures, from its own benchmark (``bench_local_engine.py``: the shared
real-speech clips streamed in real time through the live session and the local engine)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, child_env
from benchmarks.report import Figure

UNITS = {
    "word_error_rate": "",
    "decode_cpu_per_audio_second": "x",
    "engine_process_cpu_incl_start_up": "x",
    "end_of_speech_to_final_median_s": "s",
    "end_of_speech_to_final_p90_s": "s",
    "longest_wait_for_a_partial_s": "s",
    "peak_memory_mb": "MB",
    "engine_process_peak_mb": "MB",
    "turns": "",
    "audio_s": "s",
}


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-local-") as tmp:
        out = Path(tmp) / "local.json"
        result = subprocess.run(
            [PYTHON, "benchmarks/bench_local_engine.py", "--json", str(out)],
            cwd=ROOT,
            env=child_env(Path(tmp)),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if not out.exists():
            reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return [Figure("local engine", float("nan"), "", 0.0, f"did not run: {reason}")]
        rows = json.loads(out.read_text())
    return [
        Figure(
            f"local engine: {row['figure']}",
            float(row["value"]),
            UNITS.get(row["figure"], ""),
            row["budget"],
            "from its issue" if row["budget"] is not None else "",
        )
        for row in rows
    ]
