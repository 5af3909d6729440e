"""App CPU while captioning: the real ``caption-app`` (window and overlay shown, offscreen)
captioning with the cloud engine against the local server at about 10 turn updates a second.

CPU is utime + stime of the app's process (every thread) from /proc over 60 s, once the
session has been live for a few seconds; the server runs in a process of its own. The budgeted
figure captions a microphone: a private PulseAudio plays the benchmark corpus (speech with
real pauses, so the level meter moves) into a null sink whose monitor is the app's input, so
PortAudio's callbacks, the capture watch and the resampling all run as in a meeting. Reported
beside it (30 s each): a media file of steady noise (the old budgeted figure: decoded a second
ahead, one wake-up per chunk) and of noise whose loudness changes like speech.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, cpu_seconds, rss_mb, thread_cpu_seconds, thread_names
from benchmarks.live import captioning_app, speaking_microphone
from benchmarks.report import Figure

UPDATES_PER_S = 10.0
WARM_UP_S = 8.0
MEASURE_S = 60.0
BUDGET_PERCENT = 3.0


FILE_MEASURE_S = 30.0


def _speech() -> Path:
    """The benchmark corpus (built once, in a process of its own)."""
    from benchmarks.corpus.build import corpus
    from tests.support.paths import AUDIO_DIR

    subprocess.run([PYTHON, "-m", "benchmarks.corpus.build"], cwd=ROOT, check=True, timeout=600)
    return corpus(AUDIO_DIR).path


def measure(measure_s: float = MEASURE_S) -> list[Figure]:
    microphone = _measure("app CPU captioning a microphone", measure_s, microphone=True)
    steady = _measure(
        "app CPU, a file of steady noise", FILE_MEASURE_S, speech_like=False, budget=None
    )
    moving = _measure(
        "app CPU, a file, level meter moving", FILE_MEASURE_S, speech_like=True, budget=None
    )
    for figure in (steady, moving):
        figure.ratio, figure.ratio_of = figure.value / microphone.value, "microphone"
    return [microphone, steady, moving]


def _measure(
    name: str,
    measure_s: float,
    *,
    speech_like: bool = False,
    microphone: bool = False,
    budget: float | None = BUDGET_PERCENT,
) -> Figure:
    with contextlib.ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-cpu-")))
        frames = home / "frames.json"
        speaking = None
        if microphone:
            speech = _speech()
            speaking = stack.enter_context(speaking_microphone(home, speech))
        run = captioning_app(
            home,
            WARM_UP_S + measure_s,
            UPDATES_PER_S,
            frames,
            speech_like=speech_like,
            microphone=speaking,
        )
        with run as pid:
            time.sleep(WARM_UP_S)
            threads0 = thread_cpu_seconds(pid)
            cpu0, t0, m0 = cpu_seconds(pid), time.perf_counter(), time.monotonic()
            time.sleep(measure_s)
            cpu1, t1, m1 = cpu_seconds(pid), time.perf_counter(), time.monotonic()
            threads1 = thread_cpu_seconds(pid)
            names = thread_names(pid)
            rss = rss_mb(pid)
        sent = json.loads(frames.read_text())
    turns = [at for at in sent["turns_sent"] if m0 <= at <= m1]
    audio = [f for f in sent["frames"] if m0 <= f["at"] <= m1]
    percent = 100 * (cpu1 - cpu0) / (t1 - t0)
    busiest = sorted(
        ((cpu - threads0.get(tid, 0.0), tid) for tid, cpu in threads1.items()), reverse=True
    )
    by_thread = ", ".join(
        f"{'GUI thread' if tid == pid else names.get(tid, f'thread {n}')} "
        f"{100 * used / (t1 - t0):.2f} %"
        for n, (used, tid) in enumerate(busiest[:5])
        if used > 0
    )
    loud = sum(1 for f in audio if f.get("peak", 0) > 1000)
    return Figure(
        name,
        percent,
        "%",
        budget,
        f"{cpu1 - cpu0:.2f} CPU s in {t1 - t0:.1f} s; {len(turns) / (m1 - m0):.1f} turn "
        f"updates/s and {len(audio) / (m1 - m0):.1f} audio frames/s reached/left the "
        f"server meanwhile ({100 * loud / max(1, len(audio)):.0f} % of them speech, peak > "
        f"-30 dBFS); RSS {rss:.0f} MB; by thread: {by_thread}",
        samples=1,
        extra={"rss_captioning_mb": rss, "turn_updates_per_s": len(turns) / (m1 - m0)},
    )
