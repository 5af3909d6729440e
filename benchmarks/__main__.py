"""``scripts/bench`` (``python -m benchmarks``): every budget of issues 16, 25 and 26, measured
now.

Prints one table, each figure beside its budget with met / MISSED, and writes the same as
JSON. Timings are medians and p99s over many repetitions, each stated as a ratio against its
budget or against a baseline measured in the same run (the bare PySide6 window, hour 0). A
figure that could not be measured is MISSED, never left out. Exits 1 when any budget is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import cold_start, cpu, languages, latency, local_engine, soak, startup, trust
from benchmarks.env import ROOT
from benchmarks.report import Figure, table, write_json

STEPS: dict[str, Callable[[], list[Figure]]] = {
    "startup": startup.measure,
    "cpu": cpu.measure,
    "latency": latency.measure,
    "soak": soak.measure,
    "local": local_engine.measure,
    "cold-start": cold_start.measure,
    "local-models": local_engine.measure_other_models,
    "languages": languages.measure,
    "trust": trust.measure,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json", type=Path, default=ROOT / "bench-results.json", help="where to write the JSON"
    )
    parser.add_argument(
        "--only", action="append", choices=list(STEPS), help="run only these (repeatable)"
    )
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    for name in args.only or list(STEPS):
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            figures.extend(STEPS[name]())
        except Exception as exc:  # noqa: BLE001 - a step that fails is reported as missed
            traceback.print_exc()
            figures.append(Figure(name, float("nan"), "", 0.0, f"did not run: {exc!r}"))
        seconds[name] = time.perf_counter() - t0
    total = time.perf_counter() - began
    print(table(figures))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average (1, 5, 15 min) at the end: {load}")
    print(f"\n{total:.0f} s in all ({', '.join(f'{k} {v:.0f} s' for k, v in seconds.items())})")
    meta: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "seconds": {**seconds, "total": total},
        "load_average_1min_at_end": os.getloadavg()[0],
    }
    write_json(figures, args.json, meta)
    print(f"written to {args.json}")
    return 1 if any(f.verdict == "MISSED" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
