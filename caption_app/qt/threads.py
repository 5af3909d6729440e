"""The one way this project starts a QThread, so tests can prove none is left running.

Python owns the QThread and worker wrappers, so something must hold them until the thread has
really ended: a QThread destroyed while running aborts the process. A reaper object on the GUI
thread keeps both alive and lets go of them only once the thread's ``finished`` has arrived.
It is the project's one keep-alive registry for workers.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QDeadlineTimer, QObject, Qt, QThread, Slot

_started: weakref.WeakSet[QThread] = weakref.WeakSet()


class _Reaper(QObject):
    """Lives on the thread that starts workers (the GUI thread); releases ended threads."""

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[QThread, tuple[QObject, ...]] = {}

    def keep(self, thread: QThread, objects: tuple[QObject, ...]) -> None:
        self._kept[thread] = objects
        thread.finished.connect(self._release)  # queued: finished is emitted by the thread

    @Slot()
    def _release(self) -> None:
        thread = self.sender()
        if isinstance(thread, QThread) and thread in self._kept:
            thread.wait()  # finished comes just before the thread really returns
            del self._kept[thread]


_reaper: _Reaper | None = None


def start_worker(
    worker: QObject,
    name: str,
    on_finished: Callable[[], None] | None = None,
    *,
    keep_alive: tuple[QObject, ...] = (),
) -> QThread:
    """Move ``worker`` to a new thread and start it.

    Wired before ``start()`` (the Buzz pattern): the worker's ``finished`` signal quits the
    thread, the worker's ``run`` slot (if any) starts with it, and the reaper keeps both objects
    alive until the thread has ended, with ``keep_alive`` (GUI-thread receivers of the worker's
    queued signals: they are delivered before the thread's queued ``finished``).
    """
    global _reaper  # noqa: PLW0603 - one reaper per process, created on the GUI thread
    if _reaper is None:
        _reaper = _Reaper()
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    finished = getattr(worker, "finished", None)
    if finished is not None:
        # Direct: quit from the worker's own thread as run() returns, without needing the
        # GUI event loop to spin (the headless paths and tests may not be spinning it).
        finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    run = getattr(worker, "run", None)
    if run is not None:
        thread.started.connect(run)
    if on_finished is not None:
        thread.finished.connect(on_finished)  # before start(): a quick run cannot outpace it
    _reaper.keep(thread, (worker, *keep_alive))
    _started.add(thread)
    thread.start()
    return thread


def running_worker_threads() -> list[str]:
    """Names of the worker threads started through ``start_worker`` that are still running."""
    names = []
    for thread in list(_started):
        try:
            if thread.isRunning():
                names.append(thread.objectName())
        except RuntimeError:  # the C++ object is gone: the thread finished and was deleted
            continue
    return names


def wait_for_workers(timeout_ms: int) -> bool:
    """Wait (bounded, on the calling thread) for every worker thread to end; False if some
    are still running then (a keyring waiting on its unlock prompt, a stuck session)."""
    deadline = QDeadlineTimer(timeout_ms)
    for thread in list(_started):
        try:
            if not thread.wait(deadline):
                return False
        except RuntimeError:  # the C++ object is gone: it finished and was deleted
            continue
    return True
