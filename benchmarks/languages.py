"""The languages and translation figures (issue 25), from their own benchmark
(``bench_languages.py``: espeak-ng speech in four languages and the shared real clips through
the local multilingual model, Whisper's translate task, and the cloud's LLM Gateway
translations from the local v3 service)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, child_env
from benchmarks.report import Figure


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-languages-") as tmp:
        out = Path(tmp) / "languages.json"
        result = subprocess.run(
            [PYTHON, "benchmarks/bench_languages.py", "--json", str(out)],
            cwd=ROOT,
            env=child_env(Path(tmp)),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if not out.exists():
            reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
            return [Figure("languages", float("nan"), "", 0.0, f"did not run: {reason}")]
        rows = json.loads(out.read_text())
    figures = []
    for row in rows:
        value, budget, floor = float(row["value"]), row["budget"], row.get("floor")
        if floor is not None:
            # A share that must reach a floor: reported as the share missed, against the
            # share allowed to be missed, so "met" reads the same way as every other budget.
            figures.append(
                Figure(
                    f"{row['figure']} (missed share)",
                    1.0 - value,
                    "",
                    1.0 - float(floor),
                    f"{value:.0%} right",
                )
            )
        else:
            unit = "s" if "(s)" in row["figure"] else ("ms" if "(ms)" in row["figure"] else "")
            figures.append(Figure(row["figure"], value, unit, budget))
    return figures
