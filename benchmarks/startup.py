"""Start-up to window (warm) against a bare PySide6 window in the same run, and idle RSS.

Each repetition spawns a fresh interpreter and times spawn → the main window's first paint
(``probes/window.py``); bare and app runs alternate so load on the machine hits both alike.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, child_env
from benchmarks.report import Figure, median, percentile

IDLE_S = 2.0
START_BUDGET_X = 3.0
IDLE_RSS_BUDGET_MB = 120.0
TIMEOUT_S = 60.0


def _one(mode: str, home: Path, idle_s: float) -> tuple[float, dict[str, object]]:
    began = time.perf_counter()
    child = subprocess.Popen(
        [PYTHON, "-m", "benchmarks.probes.window", mode, str(idle_s)],
        cwd=ROOT,
        env=child_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    try:
        line = child.stdout.readline()
        shown_s = time.perf_counter() - began
        if line.strip() != "shown":
            raise RuntimeError(f"{mode} window did not show: {line!r}")
        report = json.loads(child.stdout.readline())
        child.wait(timeout=TIMEOUT_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return shown_s, report


def measure(repetitions: int = 9) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        home = Path(tmp)
        _one("bare", home, 0.0)  # warm the caches (and the app's first-run settings)
        _one("app", home, 0.0)
        bare_s: list[float] = []
        app_s: list[float] = []
        reports: list[dict[str, object]] = []
        for _ in range(repetitions):
            bare_s.append(_one("bare", home, 0.0)[0])
            shown, report = _one("app", home, 0.0)
            app_s.append(shown)
            reports.append(report)
        _shown, idle = _one("app", home, IDLE_S)
    floor = median(bare_s)
    app = median(app_s)
    loaded = sorted({str(m) for r in reports for m in r["loaded_when_shown"]})  # type: ignore[attr-defined]
    idle_loaded = ", ".join(idle["loaded"]) or "none"  # type: ignore[arg-type]
    return [
        Figure(
            "start-up to window (warm)",
            app,
            "s",
            START_BUDGET_X * floor,
            f"median of {repetitions}, p99 {percentile(app_s, 0.99):.3f} s; bare PySide6 "
            f"window {floor:.3f} s (p99 {percentile(bare_s, 0.99):.3f} s); loaded before the "
            f"window: {', '.join(loaded) or 'none of the heavy libraries'}",
            ratio=app / floor,
            ratio_of="bare window",
            samples=repetitions,
            extra={"bare_window_s": floor, "budget_x_bare": START_BUDGET_X},
        ),
        Figure(
            "idle RSS after start-up",
            float(idle["rss_idle_mb"]),  # type: ignore[arg-type]
            "MB",
            IDLE_RSS_BUDGET_MB,
            f"{IDLE_S:g} s after the first paint ({float(idle['rss_shown_mb']):.0f} MB at it); "  # type: ignore[arg-type]
            f"loaded by then: {idle_loaded}",
            samples=1,
        ),
    ]
