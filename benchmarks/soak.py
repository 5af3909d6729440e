"""The 8-hour session fed at high speed (``probes/soak.py``): RSS growth per hour, the cost of
one overlay + transcript-view update at hour 8 against hour 0, and export in every format."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, child_env
from benchmarks.report import Figure, median, percentile

RSS_BUDGET_MB_PER_HOUR = 5.0
COST_BUDGET_RATIO = 1.1
EXPORT_BUDGET_S = 1.0
WINDOW = 1_000
"""Updates timed at each end: hour 0 skips the first 500 (start-up, caches filling)."""
SKIP = 500


def _slope(values: list[float]) -> float:
    """Least-squares MB per hour over the hourly samples after hour 0's start-up."""
    points = list(enumerate(values))[1:]
    if len(points) < 2:
        return float("nan")
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def filesystem(path: Path) -> str:
    """The type of the filesystem ``path`` is on ("ext4", "tmpfs"), from /proc/self/mountinfo."""
    best, kind = "", "unknown"
    resolved = str(path.resolve())
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        mount_point, fs_type = fields[4], fields[fields.index("-") + 1]
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, fs_type
    return kind


def measure() -> list[Figure]:
    # The journal goes where a person's would: a real disk (the checkout's), every line fsync'd.
    with (
        tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp,
        tempfile.TemporaryDirectory(prefix=".bench-soak-journal-", dir=ROOT) as journal,
    ):
        disk = filesystem(Path(journal))
        out = Path(tmp) / "soak.json"
        subprocess.run(
            [PYTHON, "-m", "benchmarks.probes.soak", str(out), journal],
            cwd=ROOT,
            env=child_env(Path(tmp)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=900,
            check=True,
        )
        data = json.loads(out.read_text())
    costs = [c for _, c in data["costs"]]
    first = costs[SKIP : SKIP + WINDOW]
    last = costs[-WINDOW:]
    hour0, hour8 = median(first) * 1000, median(last) * 1000
    rss = data["rss_by_hour_mb"]
    hours = data["hours_fed"]
    fed = (
        f"{hours:.1f} h of session ({data['turns']} turns, {data['words']} words, "
        f"{len(costs)} updates) fed in {data['feed_s']:.0f} s, journal on {disk}, RSS as it "
        "stands (no collection before sampling)"
        + ("; STOPPED at the time limit" if data["timed_out"] else "")
    )
    figures = [
        Figure(
            "8-hour session: RSS growth",
            _slope(rss) if hours >= 8 else float("nan"),
            "MB/h",
            RSS_BUDGET_MB_PER_HOUR,
            f"{fed}; RSS by hour {', '.join(f'{r:.0f}' for r in rss)} MB",
            samples=len(rss),
        ),
        Figure(
            "8-hour session: update cost h8 ÷ h0",
            hour8 / hour0 if hours >= 8 else float("nan"),
            "x",
            COST_BUDGET_RATIO,
            f"overlay + transcript view + their paints, median of {WINDOW}: hour 0 "
            f"{hour0:.2f} ms (p99 {percentile(first, 0.99) * 1000:.2f}), last hour {hour8:.2f} ms "
            f"(p99 {percentile(last, 0.99) * 1000:.2f})",
            ratio=hour8 / hour0,
            ratio_of="hour 0",
            samples=len(first) + len(last),
        ),
    ]
    for fmt, runs in data["exports"].items():
        figures.append(
            Figure(
                f"export of the 8-hour session: {fmt}",
                median(runs),
                "s",
                EXPORT_BUDGET_S,
                f"median of {len(runs)}, worst {max(runs):.3f} s",
                samples=len(runs),
            )
        )
    return figures
