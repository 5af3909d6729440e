"""Runs a core ``LiveSession`` on its own QThread; its events cross to the GUI as one signal.

The worker's thread spends its life inside ``LiveSession.run()``; requests from the GUI go
straight to the session's thread-safe ``request_*`` methods (they only enqueue), and every
session event (an immutable value from ``core.model.session``) comes back through the queued
``sessionEvent`` signal unchanged. Nothing here blocks the GUI thread.
"""

from __future__ import annotations

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
        self.session = factory(self._forward)

    def _forward(self, event: SessionEvent) -> None:
        """Called on the worker thread; emits only."""
        self.sessionEvent.emit(event)

    @Slot()
    def run(self) -> None:
        try:
            self.session.run()
        finally:
            self.finished.emit()
