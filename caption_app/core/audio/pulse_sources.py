"""PulseAudio / PipeWire sources through `pactl`: microphones and "system audio" monitors.

PortAudio's ALSA backend sees the sound server only as one "pulse" device, so on Linux the
device list comes from `pactl` (a few milliseconds) and a chosen source is captured by opening
that "pulse" device with PULSE_SOURCE naming it. `pactl subscribe` tells us when the source
disappears: PulseAudio would otherwise move our stream to another source without a word.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PACTL_TIMEOUT_S = 2.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PulseSource:
    index: int
    name: str
    """The server's stable source name, e.g. alsa_input.pci-0000_00_1f.3.analog-stereo."""
    description: str
    rate: int
    channels: int
    monitor_of: str | None
    """For a monitor source: the description of the output it listens to."""
    is_default: bool
    """The default input; for a monitor, the one listening to the default output."""


def _pactl(*args: str) -> str | None:
    """pactl's output, or None when pactl is missing or no server answers."""
    exe = shutil.which("pactl")
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [exe, *args], capture_output=True, text=True, timeout=PACTL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _spec(spec: str) -> tuple[int, int]:
    """'s16le 2ch 48000Hz' -> (48000, 2)."""
    rate, channels = 48_000, 2
    for part in spec.split():
        if part.endswith("Hz") and part[:-2].isdigit():
            rate = int(part[:-2])
        elif part.endswith("ch") and part[:-2].isdigit():
            channels = int(part[:-2])
    return rate, channels


def list_sources() -> list[PulseSource] | None:
    """Every source of the running sound server; None when there is no server (or no pactl)."""
    info = _pactl("-f", "json", "info")
    if info is None:
        return _list_sources_plain()
    try:
        server = json.loads(info)
        default = str(server.get("default_source_name") or "")
        default_sink = str(server.get("default_sink_name") or "")
        sources: list[dict[str, Any]] = json.loads(_pactl("-f", "json", "list", "sources") or "[]")
        sinks: list[dict[str, Any]] = json.loads(_pactl("-f", "json", "list", "sinks") or "[]")
    except (json.JSONDecodeError, AttributeError):
        return _list_sources_plain()
    sink_names = {str(s.get("name")): str(s.get("description") or s.get("name")) for s in sinks}
    found = []
    for src in sources:
        name = str(src.get("name", ""))
        rate, channels = _spec(str(src.get("sample_specification", "")))
        monitored = src.get("monitor_source") or None  # pactl's key for "monitor of sink"
        monitor_of, sink = None, ""
        if monitored or name.endswith(".monitor"):
            sink = str(monitored or name.removesuffix(".monitor"))
            monitor_of = sink_names.get(sink, sink)
        found.append(
            PulseSource(
                index=int(src.get("index", -1)),
                name=name,
                description=str(src.get("description") or name),
                rate=rate,
                channels=channels,
                monitor_of=monitor_of,
                # A monitor is the default one when it listens to the default output.
                is_default=sink == default_sink if monitor_of is not None else name == default,
            )
        )
    return found


def _list_sources_plain() -> list[PulseSource] | None:
    """Older pactl (no -f json): `pactl list short sources` has names but no descriptions."""
    short = _pactl("list", "short", "sources")
    if short is None:
        return None
    info = _pactl("info") or ""
    default = default_sink = ""
    for line in info.splitlines():
        if line.startswith("Default Source:"):
            default = line.split(":", 1)[1].strip()
        elif line.startswith("Default Sink:"):
            default_sink = line.split(":", 1)[1].strip()
    found = []
    for line in short.splitlines():
        cols = line.split("\t")
        if len(cols) < 4 or not cols[0].isdigit():
            continue
        rate, channels = _spec(cols[3])
        monitor_of = cols[1].removesuffix(".monitor") if cols[1].endswith(".monitor") else None
        is_default = monitor_of == default_sink if monitor_of is not None else cols[1] == default
        found.append(
            PulseSource(int(cols[0]), cols[1], cols[1], rate, channels, monitor_of, is_default)
        )
    return found


def source_index(name: str) -> int | None:
    for src in list_sources() or []:
        if src.name == name:
            return src.index
    return None


def _captures_of_ours() -> dict[int, int]:
    """This process's capture streams on the server: source-output index -> source index."""
    listed = _pactl("-f", "json", "list", "source-outputs")
    try:
        outputs: list[dict[str, Any]] = json.loads(listed or "[]")
    except json.JSONDecodeError:
        return {}
    pid = str(os.getpid())
    return {
        int(out["index"]): int(out["source"])
        for out in outputs
        if str((out.get("properties") or {}).get("application.process.id")) == pid
        and "index" in out
        and "source" in out
    }


class SourceRemovalWatch:
    """Calls on_removed once when the source leaves the server (or the server goes away), and
    keeps the capture on that source.

    The sound server takes a capture opened through ALSA's PulseAudio plugin for one that
    follows the default source: when the source set as default comes back (a headset plugged
    in again), the server moves the capture to it (the twelfth walk: the window named the USB
    microphone while the headset was heard). Each move of a capture of ours off this source
    is undone at once."""

    def __init__(self, index: int, on_removed: Callable[[], None]) -> None:
        self._index = index
        self._on_removed = on_removed
        self._output: int | None = None
        """Our capture's source-output on the server, once seen on this source."""
        self._stopping = threading.Event()
        exe = shutil.which("pactl") or "pactl"
        self._proc = subprocess.Popen(
            [exe, "subscribe"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self._thread = threading.Thread(target=self._run, name="pulse-source-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._proc.stdout is not None
        wanted = f"'remove' on source #{self._index}"
        for line in self._proc.stdout:
            if wanted in line:
                break
            if "on source-output #" in line and not self._stopping.is_set():
                self._keep_on_source()
        else:
            if self._stopping.is_set():
                return  # our own stop() closed pactl
        if not self._stopping.is_set():
            self._on_removed()

    def find_capture(self) -> None:
        """Note which capture on the server is ours: the one of this process that reads this
        source (one per source), once it has started."""
        ours = _captures_of_ours()
        self._output = next((o for o, s in ours.items() if s == self._index), self._output)

    def _keep_on_source(self) -> None:
        ours = _captures_of_ours()
        if self._output is None or self._output not in ours:
            self._output = next((o for o, s in ours.items() if s == self._index), None)
            return
        if ours[self._output] != self._index:
            log.info("the sound server moved the capture off source %d: moved back", self._index)
            _pactl("move-source-output", str(self._output), str(self._index))

    def stop(self) -> None:
        self._stopping.set()
        if self._proc.poll() is None:
            self._proc.terminate()
        try:
            self._proc.wait(timeout=PACTL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=PACTL_TIMEOUT_S)
        if self._proc.stdout is not None and not self._thread.is_alive():
            self._proc.stdout.close()
