"""Owns at most one live session at a time for the GUI: start, stop, pause, and its signals.

The controller lives on the GUI thread. The session runs on its own QThread (see
``session_worker.py``); its reports arrive here as queued signals and are re-emitted, so widgets
connect once to the controller and never to a worker that comes and goes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from caption_app.core.audio.source import AudioSource
from caption_app.core.settings import StreamingSettings
from caption_app.qt.session_worker import SessionFactory, SessionWorker
from caption_app.qt.threads import start_worker


class SessionController(QObject):
    stateChanged = Signal(str, str)
    streamBegan = Signal(int, str, object)
    turnUpdated = Signal(object)
    gapMarked = Signal(object)
    problemRaised = Signal(object)
    noticed = Signal(str)
    audioLevel = Signal(float, float, bool)
    progress = Signal(int, int)
    ended = Signal(object)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: SessionWorker | None = None
        self._thread: QThread | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, factory: SessionFactory) -> None:
        if self._worker is not None:
            return
        worker = SessionWorker(factory)
        for name in (
            "stateChanged",
            "streamBegan",
            "turnUpdated",
            "gapMarked",
            "problemRaised",
            "noticed",
            "audioLevel",
            "progress",
            "ended",
        ):
            getattr(worker, name).connect(getattr(self, name))
        self._worker = worker
        self._thread = start_worker(worker, "live-session", on_finished=self._on_finished)
        self.runningChanged.emit(True)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.session.request_stop()

    def pause(self, paused: bool) -> None:
        if self._worker is not None:
            self._worker.session.request_pause(paused)

    def force_endpoint(self) -> None:
        if self._worker is not None:
            self._worker.session.request_force_endpoint()

    def switch_source(self, source: AudioSource) -> None:
        """Continue the running session on another input (after an unplug, or by choice)."""
        if self._worker is not None:
            self._worker.session.request_source(source)

    def apply_settings(self, settings: StreamingSettings) -> None:
        if self._worker is not None:
            self._worker.session.request_settings(settings)

    def wait(self, timeout_ms: int) -> bool:
        """Block until the session thread has ended (only for shutdown and tests)."""
        thread = self._thread
        return thread is None or thread.wait(timeout_ms)

    @Slot()
    def _on_finished(self) -> None:
        """The session thread has ended (queued from the thread's own ``finished``)."""
        if self._thread is not None:
            self._thread.wait()
        self._worker = None
        self._thread = None
        self.runningChanged.emit(False)
