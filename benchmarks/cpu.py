"""App CPU while captioning: the real ``caption-app`` (window and overlay shown, offscreen)
captioning a media file from the local server at about 10 turn updates a second.

CPU is utime + stime of the app's process (every thread) from /proc over 60 s, once the
session has been live for a few seconds; the server runs in a process of its own. The budgeted
figure captions steady noise; a second, reported beside it (30 s), captions noise whose
loudness changes like speech, so the level meter moves all the time as it does in a meeting.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from benchmarks.env import cpu_seconds, rss_mb, thread_cpu_seconds
from benchmarks.live import captioning_app
from benchmarks.report import Figure

UPDATES_PER_S = 10.0
WARM_UP_S = 8.0
MEASURE_S = 60.0
BUDGET_PERCENT = 3.0


SPEECH_LIKE_MEASURE_S = 30.0


def measure(measure_s: float = MEASURE_S) -> list[Figure]:
    steady = _measure("app CPU while captioning", measure_s, speech_like=False)
    moving = _measure(
        "app CPU, level meter moving", SPEECH_LIKE_MEASURE_S, speech_like=True, budget=None
    )
    moving.ratio, moving.ratio_of = moving.value / steady.value, "steady input"
    return [steady, moving]


def _measure(
    name: str, measure_s: float, *, speech_like: bool, budget: float | None = BUDGET_PERCENT
) -> Figure:
    with tempfile.TemporaryDirectory(prefix="bench-cpu-") as tmp:
        home = Path(tmp)
        frames = home / "frames.json"
        run = captioning_app(
            home, WARM_UP_S + measure_s, UPDATES_PER_S, frames, speech_like=speech_like
        )
        with run as pid:
            time.sleep(WARM_UP_S)
            threads0 = thread_cpu_seconds(pid)
            cpu0, t0, m0 = cpu_seconds(pid), time.perf_counter(), time.monotonic()
            time.sleep(measure_s)
            cpu1, t1, m1 = cpu_seconds(pid), time.perf_counter(), time.monotonic()
            threads1 = thread_cpu_seconds(pid)
            rss = rss_mb(pid)
        sent = json.loads(frames.read_text())
    turns = [at for at in sent["turns_sent"] if m0 <= at <= m1]
    audio = [f for f in sent["frames"] if m0 <= f["at"] <= m1]
    percent = 100 * (cpu1 - cpu0) / (t1 - t0)
    busiest = sorted(
        ((cpu - threads0.get(tid, 0.0), tid) for tid, cpu in threads1.items()), reverse=True
    )
    by_thread = ", ".join(
        f"{'GUI thread' if tid == pid else f'thread {n}'} {100 * used / (t1 - t0):.2f} %"
        for n, (used, tid) in enumerate(busiest[:5])
        if used > 0
    )
    return Figure(
        name,
        percent,
        "%",
        budget,
        f"{cpu1 - cpu0:.2f} CPU s in {t1 - t0:.1f} s; {len(turns) / (m1 - m0):.1f} turn "
        f"updates/s and {len(audio) / (m1 - m0):.1f} audio frames/s reached/left the "
        f"server meanwhile; RSS {rss:.0f} MB; by thread: {by_thread}",
        samples=1,
        extra={"rss_captioning_mb": rss, "turn_updates_per_s": len(turns) / (m1 - m0)},
    )
