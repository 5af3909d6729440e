"""Turn → pixels and capture → socket, from one instrumented run of the app per platform.

``probes/captions.py`` runs Caption App (its command line, the real SDK, the real windows)
captioning a media file from the local server (``probes/server.py``, its own process) at
20 turn updates a second: one a 50 ms audio frame, the most a stream of such frames gets
back, so ≥ 5,000 updates in 258 s. The offscreen and the Xvfb runs go side by side (each
with its own server): the machine is busier than with one, never idler. Turn →
pixels: from the SDK's Turn handler to the end of the first overlay paint that shows that
update (or a later state of the same words: the overlay never owes a superseded update a
paint of its own). Capture → socket: from the media source's ``read`` returning a chunk to
that chunk's frame arriving at the local server (same host, same monotonic clock), for the
chunks read once the connection was up.
"""

from __future__ import annotations

import bisect
import json
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.env import PYTHON, ROOT
from benchmarks.live import app_env, local_server, noise_wav
from benchmarks.report import Figure, median, percentile

UPDATES_PER_S = 20.0
SECONDS = 258.0
MIN_UPDATES = 5_000
PIXELS_BUDGET_MS = 8.0
CHUNK_MS = 50
SOCKET_BUDGET_MS = CHUNK_MS + 10.0
XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"]


def _raw(token: str) -> str:
    return token.strip(".,?!:;").lower()


def turn_to_paint(turns: list[list[Any]], paints: list[list[Any]]) -> tuple[list[float], int]:
    """Milliseconds from each Turn's arrival to the paint that showed it; and how many were
    never shown. A Turn is shown by a paint holding its newest word (a final: as formatted)."""
    arrivals = [t[0] for t in turns]
    latencies: list[float] = []
    done = 0  # turns[:done] are accounted for
    for painted_at, text in paints:
        exact = set(text.split())
        raw = {_raw(token) for token in exact}
        arrived = bisect.bisect_right(arrivals, painted_at)
        shown = None
        for index in range(arrived - 1, done - 1, -1):
            _at, final, word = turns[index]
            if (word in exact) if final else (_raw(word) in raw):
                shown = index
                break
        if shown is None:
            continue
        latencies.extend((painted_at - turns[i][0]) * 1000 for i in range(done, shown + 1))
        done = shown + 1
    return latencies, len(turns) - done


def capture_to_socket(
    reads: list[list[Any]], frames: list[dict[str, Any]]
) -> tuple[list[float], int]:
    """Milliseconds from each chunk read (after the first frame arrived) to its frame's
    arrival; and how many such chunks never arrived."""
    if not frames:
        return [], len(reads)
    arrived = {f["sha1"]: f["at"] for f in frames}
    first = min(f["at"] for f in frames)
    steady = [(at, sha) for at, sha in reads if at >= first]
    latencies = [(arrived[sha] - at) * 1000 for at, sha in steady if sha in arrived]
    return latencies, len(steady) - len(latencies)


def run(platform: str, base: Path) -> dict[str, Any]:
    home = base / platform  # settings and transcripts of their own
    home.mkdir()
    wav = noise_wav(home / f"speech-{platform}.wav", SECONDS + 20)
    out = home / f"captions-{platform}.json"
    frames = home / f"frames-{platform}.json"
    with local_server(home, UPDATES_PER_S, frames) as url:
        command = [
            PYTHON,
            "-m",
            "benchmarks.probes.captions",
            url,
            str(wav),
            str(SECONDS),
            str(out),
        ]
        if platform == "xcb":
            command = [*XVFB, *command]
        subprocess.run(
            command,
            cwd=ROOT,
            env=app_env(home, platform),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=SECONDS + 90,
            check=True,
        )
    return {**json.loads(out.read_text()), **json.loads(frames.read_text())}


def _pixels_figure(platform: str, data: dict[str, Any]) -> Figure:
    latencies, missed = turn_to_paint(data["turns"], data["paints"])
    name = {"offscreen": "offscreen", "xcb": "Xvfb"}[platform]
    updates = len(data["turns"])
    detail = (
        f"{updates} updates ({'≥' if updates >= MIN_UPDATES else 'FEWER THAN'} {MIN_UPDATES}), "
        f"{len(data['paints'])} paints, median {median(latencies):.2f} ms, "
        f"max {max(latencies, default=float('nan')):.1f} ms, never shown {missed}"
    )
    value = percentile(latencies, 0.99) if updates >= MIN_UPDATES else float("nan")
    return Figure(
        f"turn → pixels p99 ({name})", value, "ms", PIXELS_BUDGET_MS, detail, samples=len(latencies)
    )


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        home = Path(tmp)
        platforms = ["offscreen", "xcb"] if shutil.which("xvfb-run") else ["offscreen"]
        with ThreadPoolExecutor(len(platforms)) as pool:
            runs = dict(zip(platforms, pool.map(lambda p: run(p, home), platforms), strict=True))
    offscreen = runs["offscreen"]
    latencies, lost = capture_to_socket(offscreen["reads"], offscreen["frames"])
    figures = [
        _pixels_figure("offscreen", offscreen),
        Figure(
            "capture → socket p99",
            percentile(latencies, 0.99),
            "ms",
            SOCKET_BUDGET_MS,
            f"{len(latencies)} chunks of {CHUNK_MS} ms, median {median(latencies):.2f} ms, "
            f"max {max(latencies, default=float('nan')):.1f} ms, not received {lost}; "
            f"budget = chunk + 10 ms",
            samples=len(latencies),
        ),
    ]
    if "xcb" in runs:
        figures.append(_pixels_figure("xcb", runs["xcb"]))
    else:
        no_xvfb = "xvfb-run is not installed"
        figures.append(Figure("turn → pixels p99 (Xvfb)", float("nan"), "ms", 8.0, no_xvfb))
    return figures
