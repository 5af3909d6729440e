"""100 start/stop cycles on a real PulseAudio capture device: nothing is left behind.

Each cycle is what Start and Stop do in the window: open the capture device (PortAudio on a
private PulseAudio server, a recording playing into its null sink), connect the unmodified SDK
to the local server, caption for a moment, stop (Terminate, wait for Termination). After a few
warm-up cycles the process's threads (daemon ones included, and the native ones in
/proc/self/task), open file descriptors and resident memory are taken as the baseline; after
100 more cycles the counts must be back to it exactly and memory within a small allowance.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from caption_app.core.allocator import limit_arenas
from caption_app.core.audio.capture import open_device_source
from caption_app.core.engines.assemblyai import read_thread
from caption_app.core.settings import StreamingSettings
from tests.audio.rig import PulseRig
from tests.audio.test_capture import device_for
from tests.faults.harness import long_recording, looping_config
from tests.streaming.harness import FAST, Collector, Running, cloud_session
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.server import StreamingServer

pytestmark = [pytest.mark.pulse, pytest.mark.timeout(300)]
CYCLES = 100
WARM_UP = 10
BLOCKS_ALLOWANCE = 2_000
"""Python memory blocks (``sys.getallocatedblocks``) after a full collection: caches filling
up (logging, pydantic, the re module) may add some; one session's objects kept per cycle would
add hundreds of blocks each time, tens of thousands over the run."""
RSS_ALLOWANCE_KB = 12 * 1024
"""Allowed growth of the resident memory over the second half of the cycles, read after the
allocator has given its free pages back. Each session leaves about 400 objects in reference
cycles (threads, locks, sockets, queued audio) that only the cyclic collector frees, and the
pages they filled are not all given back: a high-water mark that rises early and levels off.
Over the second half it measured 1.0 MB alone, 2.8 MB after the local engine's tests in the
same process, and 8.4 MB on a loaded clean clone (a 300 MB process after those tests). A leak
does not level off: 300 KB a session (what a kept session's buffers and SDK objects would
hold) adds 15 MB to the second half alone; Python objects kept are caught by the blocks."""


Snapshot = tuple[int, int, int, int, int]


def _snapshot() -> Snapshot:
    """(Python threads, native threads, open file descriptors, Python memory blocks, RSS in
    kB), after a full collection."""
    gc.collect()
    # Pages the allocator holds free are given back first: what stays is memory in use (the
    # high-water mark of freed pages moved with the machine's load: 1.4 MB here, 11.6 MB on
    # a loaded clean clone).
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    status = Path("/proc/self/status").read_text().splitlines()
    rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return (
        len(threading.enumerate()),
        len(os.listdir("/proc/self/task")),
        len(os.listdir("/proc/self/fd")),
        sys.getallocatedblocks(),
        rss,
    )


def _settled(baseline: Snapshot, timeout: float) -> Snapshot:
    """The first snapshot whose counts match the baseline (closers and SDK threads end within
    a second or so of a stop), or the last one taken."""
    deadline = time.monotonic() + timeout
    now = _snapshot()
    while now[:3] != baseline[:3] and time.monotonic() < deadline:
        time.sleep(0.1)
        now = _snapshot()
    return now


def _cycle(pulse: PulseRig, server: StreamingServer, folder: Path) -> float:
    """Start, caption until the service has 150 ms of captured audio, stop."""
    settings = StreamingSettings(api_host=server.url)
    seen = Collector()
    source = open_device_source(device_for(pulse.sink16), settings.chunk_ms)
    built = cloud_session(settings, source, seen, folder, timing=FAST)
    running = Running(built)
    try:
        assert seen.live_event.wait(10), "the cycle never went live"
        assert server.wait_until_audio_ms(150, 10, ref=0), "no audio reached the service"
    finally:
        took = running.stop(timeout=10)
    assert took < FAST.terminate_timeout_s + 1.0
    summary = running.result
    assert summary is not None and summary.failed is None and summary.connections == 1
    (record,) = server.sessions()
    assert record.wait_finished(5)
    heard = record.audio_ms()
    server.forget_sessions()  # the fake service's records are not the app's memory
    return heard


def test_100_start_stop_cycles_leave_no_thread_descriptor_or_memory_behind(
    pulse: PulseRig, tmp_path: Path
) -> None:
    assert limit_arenas(), "glibc took no arena limit"  # as caption-app does at start
    recording = long_recording(tmp_path, 300)
    player = pulse.server.play(recording, pulse.sink16)  # real sound at the device throughout
    try:
        with running_server(looping_config()) as server:
            for _ in range(WARM_UP):
                _cycle(pulse, server, tmp_path)
            baseline = _settled(_snapshot(), 3)
            started = time.monotonic()
            heard = [_cycle(pulse, server, tmp_path) for _ in range(CYCLES // 2)]
            halfway = _settled(baseline, 5)  # as settled as the end is
            heard += [_cycle(pulse, server, tmp_path) for _ in range(CYCLES - CYCLES // 2)]
            took = time.monotonic() - started
            after = _settled(baseline, 5)
            assert player.poll() is None, "the recording stopped playing"
    finally:
        player.terminate()
        player.wait(timeout=5)
    print(
        f"\n{CYCLES} cycles in {took:.1f} s ({took / CYCLES * 1000:.0f} ms each); "
        f"threads {baseline[0]}->{after[0]}, native {baseline[1]}->{after[1]}, "
        f"fds {baseline[2]}->{after[2]}, memory blocks {baseline[3]}->{after[3]}, "
        f"RSS {baseline[4] / 1024:.1f}->{halfway[4] / 1024:.1f}->{after[4] / 1024:.1f} MB; "
        f"audio per cycle {min(heard):.0f}-{max(heard):.0f} ms"
    )
    assert len(heard) == CYCLES and min(heard) >= 150  # every cycle really captured and sent
    # Nothing the cycles started may be left; a thread or descriptor of an earlier test in the
    # same worker that ends meanwhile may make "after" smaller, never larger.
    assert all(now <= before for now, before in zip(after[:3], baseline[:3], strict=True)), (
        after[:3],
        baseline[:3],
    )
    assert after[3] - baseline[3] <= BLOCKS_ALLOWANCE
    assert after[4] - halfway[4] <= RSS_ALLOWANCE_KB
    assert read_thread.watching() == 0
