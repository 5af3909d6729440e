"""Where the captioning loop spends its CPU: the CPU benchmark's scenario under py-spy.

``.venv/bin/python -m benchmarks.profile_captioning [SECONDS] [--microphone] [--native]`` runs
``caption-app`` (window and overlay shown, offscreen) captioning from the local server at about
10 turn updates a second, from a file or (``--microphone``, the budgeted scenario) the speaking
microphone of ``benchmarks.cpu``, samples the thread holding the interpreter lock with py-spy
(``--gil``: CPU, not waits; ``--native``: every running thread, with the C and C++ frames) and
prints the functions holding the most samples, by their own samples and with their callees.
"""

from __future__ import annotations

import collections
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.cpu import UPDATES_PER_S, WARM_UP_S, _speech
from benchmarks.env import PYTHON
from benchmarks.live import captioning_app, speaking_microphone

TOP = 25


def record(seconds: float, out: Path, *, microphone: bool = False, native: bool = False) -> None:
    py_spy = shutil.which("py-spy", path=str(Path(PYTHON).parent)) or shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install -e '.[dev]'")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        home = Path(tmp)
        total = WARM_UP_S + seconds
        with contextlib.ExitStack() as stack:
            speaking = (
                stack.enter_context(speaking_microphone(home, _speech())) if microphone else None
            )
            pid = stack.enter_context(
                captioning_app(
                    home, total, UPDATES_PER_S, home / "frames.json", microphone=speaking
                )
            )
            time.sleep(WARM_UP_S)
            subprocess.run(
                [
                    *(py_spy, "record", "--pid", str(pid), "--duration", str(round(seconds))),
                    *("--rate", "50" if native else "250", "--threads", "--format", "raw"),
                    "--native" if native else "--gil",
                    *("--output", str(out)),
                ],
                check=True,
                timeout=seconds * (8 if native else 1) + 60,
                stdout=subprocess.DEVNULL,
            )


def summarise(collapsed: Path) -> str:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    threads: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        total += count
        threads[frames[0]] += count
        own[frames[-1]] += count
        for frame in set(frames[1:]):
            inclusive[frame] += count
    lines = [f"{total} samples"]
    lines += ["by thread:"] + [f"  {n * 100 / total:5.1f} %  {t}" for t, n in threads.most_common()]
    lines += ["own samples:"] + [
        f"  {n * 100 / total:5.1f} %  {f}" for f, n in own.most_common(TOP)
    ]
    lines += ["with callees:"] + [
        f"  {n * 100 / total:5.1f} %  {f}" for f, n in inclusive.most_common(TOP)
    ]
    return "\n".join(lines)


def main() -> int:
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    seconds = float(numbers[0]) if numbers else 30.0
    with tempfile.TemporaryDirectory(prefix="bench-profile-out-") as tmp:
        out = Path(tmp) / "captioning.txt"
        record(seconds, out, microphone="--microphone" in sys.argv, native="--native" in sys.argv)
        print(summarise(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
