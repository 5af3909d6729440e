"""Suite-wide guards: no test may leave a thread running, and Qt runs offscreen by default."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

# Unit and widget tests run offscreen; scripts/test runs the x11-marked tests under Xvfb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

THREAD_GRACE_S = 3.0


def _live_non_daemon_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive() and not t.daemon}


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """Fail a test that leaves a non-daemon Python thread or a worker QThread running."""
    before = _live_non_daemon_threads()
    yield
    deadline = time.monotonic() + THREAD_GRACE_S
    leftover = _live_non_daemon_threads() - before
    while leftover and time.monotonic() < deadline:
        time.sleep(0.02)
        leftover = _live_non_daemon_threads() - before
    assert not leftover, f"test left threads running: {sorted(t.name for t in leftover)}"
    from caption_app.qt import threads

    running = threads.running_worker_threads()
    assert not running, f"test left QThreads running: {running}"
