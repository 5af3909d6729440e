"""Runs a core ``LiveSession`` on its own QThread; its events cross to the GUI as one signal.

The worker's thread spends its life inside ``LiveSession.run()``; requests from the GUI go
straight to the session's thread-safe ``request_*`` methods (they only enqueue), and every
session event (an immutable value from ``core.model.session``) comes back through the queued
``sessionEvent`` signal unchanged. Nothing here blocks the GUI thread.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from caption_app.core.model.session import SessionEvent, SessionListener
from caption_app.core.streaming.session import LiveSession

SessionFactory = Callable[[SessionListener], LiveSession]


class SessionWorker(QObject):
    sessionEvent = Signal(object)
    """A ``SessionEvent``: immutable, safe to keep."""
    finished = Signal()

    def __init__(self, factory: SessionFactory) -> None:
        super().__init__()
        # The session's listener must not hold the worker: worker -> session -> listener ->
        # worker would be a reference cycle, and the cyclic collector runs on whichever thread
        # happens to allocate (a session, SDK or journal thread), deleting the C++ QObject
        # there while the GUI thread deletes its QThread: a segfault. Without the cycle the
        # worker dies on the GUI thread, the moment the reaper lets go of it.
        worker = weakref.ref(self)

        def forward(event: SessionEvent) -> None:
            """Called on the worker thread; emits only."""
            this = worker()
            if this is not None:  # always, while the session runs: the reaper holds it
                this.sessionEvent.emit(event)

        self.session = factory(forward)

    @Slot()
    def run(self) -> None:
        try:
            self.session.run()
        finally:
            self.finished.emit()
