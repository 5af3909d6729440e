"""Runs a core ``LiveSession`` on its own QThread and turns its reports into Qt signals.

The worker's thread spends its life inside ``LiveSession.run()``; requests from the GUI go
straight to the session's thread-safe ``request_*`` methods (they only enqueue), and reports
come back as queued signals carrying immutable objects. Nothing here blocks the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal, Slot

from caption_app.core.streaming.errors import Problem
from caption_app.core.streaming.reports import SessionEnded, SessionListener, SessionState
from caption_app.core.streaming.session import LiveSession
from caption_app.core.streaming.turns import TurnUpdate
from caption_app.core.transcript.model import Gap

SessionFactory = Callable[[SessionListener], LiveSession]


class _SignalListener(SessionListener):
    """Called on the worker thread; emits only."""

    def __init__(self, worker: SessionWorker) -> None:
        self._worker = worker

    def state_changed(self, state: SessionState, detail: str) -> None:
        self._worker.stateChanged.emit(state.value, detail)

    def stream_began(self, stream: int, session_id: str, expires_at: datetime | None) -> None:
        self._worker.streamBegan.emit(stream, session_id, expires_at)

    def turn_updated(self, update: TurnUpdate) -> None:
        self._worker.turnUpdated.emit(update)

    def gap_marked(self, gap: Gap) -> None:
        self._worker.gapMarked.emit(gap)

    def problem(self, problem: Problem) -> None:
        self._worker.problemRaised.emit(problem)

    def notice(self, text: str) -> None:
        self._worker.noticed.emit(text)

    def audio_level(self, rms_dbfs: float, peak_dbfs: float, sending: bool) -> None:
        self._worker.audioLevel.emit(rms_dbfs, peak_dbfs, sending)

    def progress(self, position_ms: int, duration_ms: int) -> None:
        self._worker.progress.emit(position_ms, duration_ms)

    def ended(self, summary: SessionEnded) -> None:
        self._worker.ended.emit(summary)


class SessionWorker(QObject):
    stateChanged = Signal(str, str)
    """SessionState value, and a short sentence for the status line."""
    streamBegan = Signal(int, str, object)
    """stream index, service session id, expires_at (datetime or None)."""
    turnUpdated = Signal(object)
    """A ``TurnUpdate``: immutable, safe to keep."""
    gapMarked = Signal(object)
    problemRaised = Signal(object)
    """A ``Problem``: message, action and recovery."""
    noticed = Signal(str)
    audioLevel = Signal(float, float, bool)
    """RMS dBFS, peak dBFS, and whether audio is being sent to the engine right now."""
    progress = Signal(int, int)
    """Media file position and duration, in ms (about once a second)."""
    ended = Signal(object)
    """A ``SessionEnded`` summary."""
    finished = Signal()

    def __init__(self, factory: SessionFactory) -> None:
        super().__init__()
        self.session = factory(_SignalListener(self))

    @Slot()
    def run(self) -> None:
        try:
            self.session.run()
        finally:
            self.finished.emit()
