"""The one way this project starts a QThread, so tests can prove none is left running."""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Qt, QThread

_started: weakref.WeakSet[QThread] = weakref.WeakSet()


def start_worker(worker: QObject, name: str) -> QThread:
    """Move ``worker`` to a new thread and start it.

    Cleanup is wired before ``start()`` (the Buzz pattern): the worker's ``finished`` signal
    quits the thread, and when the thread finishes, the worker and the thread delete
    themselves. The worker's ``run`` slot, if it has one, starts with the thread.
    """
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    finished = getattr(worker, "finished", None)
    if finished is not None:
        # Direct: quit from the worker's own thread as run() returns, without needing the
        # GUI event loop to spin (the headless paths and tests may not be spinning it).
        finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.finished.connect(worker.deleteLater)
    thread.finished.connect(thread.deleteLater)
    run = getattr(worker, "run", None)
    if run is not None:
        thread.started.connect(run)
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
