"""What every benchmark child process runs with: this checkout, offscreen Qt, private folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def child_env(home: Path, *, platform: str = "offscreen") -> dict[str, str]:
    """Settings, transcripts and caches of a benchmark run stay in ``home``; no key is set."""
    # An installed app runs from compiled bytecode (pip compiles at install, the bundle holds
    # it): the warm-up run writes it, where an inherited PYTHONDONTWRITEBYTECODE (as the test
    # scripts and this machine set) made every timed start compile the app's changed modules.
    dropped = ("ASSEMBLYAI_API_KEY", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        QT_QPA_PLATFORM=platform,
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """utime + stime of each thread of a process, by thread id."""
    ticks = os.sysconf("SC_CLK_TCK")
    result: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread has just ended
        result[int(task.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return result


def thread_names(pid: int) -> dict[int, str]:
    """Each thread's name as the kernel knows it (Python's and Qt's names, cut to 15 bytes)."""
    names: dict[int, str] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            names[int(task.name)] = (task / "comm").read_text().strip()
        except OSError:
            continue
    return names
