"""Suite-wide guards: no test may leave a thread running or a session-only key behind, and Qt
runs offscreen by default."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator

import pytest

# Unit and widget tests run offscreen; scripts/test runs the x11-marked tests under Xvfb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

THREAD_GRACE_S = 3.0


@pytest.fixture(autouse=True, scope="session")
def _qt_application(qapp: object) -> object:
    """Every test runs with the one QApplication, whichever test an xdist worker gets first.

    A widget made without a QApplication aborts the whole worker (Qt's qFatal), and a test that
    builds widgets without asking for ``qtbot`` only worked when another test had made it.
    """
    return qapp


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


@pytest.fixture(autouse=True)
def no_leftover_session_key() -> Iterator[None]:
    """A key given "for this session only" lives as long as the process, as in the app: one
    test's must not be the next test's key (an xdist worker runs many tests)."""
    yield
    credentials = sys.modules.get("caption_app.core.secrets.credentials")
    if credentials is not None:
        credentials.session_memory_key().clear()


_exit_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """A thread that outlives the suite would hang the interpreter's exit (and CI with it).

    Each test already fails when it leaks one; this is the last line of defence: say which
    threads are left and exit with a failure instead of waiting for ever.
    """
    deadline = time.monotonic() + 10
    leftover = _live_non_daemon_threads() - {threading.main_thread()}
    while leftover and time.monotonic() < deadline:
        time.sleep(0.1)
        leftover = _live_non_daemon_threads() - {threading.main_thread()}
    if leftover:
        names = ", ".join(sorted(t.name for t in leftover))
        sys.stderr.write(f"\nthreads still running after the tests: {names}; failing the run\n")
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(_exit_status or 1)


# Parallel runs (pytest-xdist, ``--dist loadgroup``): most tests wait on real-time audio and
# run side by side. Those that share one machine-wide thing, or measure CPU, run one after
# another on one worker: the PulseAudio daemon and its devices, the local engine (timed, and
# heavy on the CPU). The Secret Service tests share one D-Bus session. The packaging tests
# (the bundle, the Debian package and the archive, installed on clean Debian systems: the
# slowest group, several minutes) run on a worker of their own, building each thing once.
SERIAL_DIRS = ("audio", "local_engine")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    del config
    tests_dir = os.path.dirname(__file__)
    for item in items:
        relative = os.path.relpath(str(item.path), tests_dir).split(os.sep)
        if item.get_closest_marker("pulse") or relative[0] in SERIAL_DIRS:
            item.add_marker(pytest.mark.xdist_group("serial"))
        elif item.get_closest_marker("keyring") or relative[0] == "keyring":
            item.add_marker(pytest.mark.xdist_group("keyring"))
        elif relative[0] == "packaging":
            item.add_marker(pytest.mark.xdist_group("packaging"))
