"""Owns at most one live session at a time for the GUI: start, stop, pause, and its signals.

The controller lives on the GUI thread. The session runs on its own QThread (see
``session_worker.py``); its events arrive here through one queued signal, and this is the one
place that hands each kind to the signal widgets connect to, once, instead of to a worker that
comes and goes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from caption_app.core.audio.source import AudioSource
from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.model.problems import Problem
from caption_app.core.model.session import (
    AudioLevel,
    EngineInUse,
    Progress,
    SessionEvent,
    SpeechStarted,
    StateChanged,
)
from caption_app.core.model.status import EngineView, SessionStatus
from caption_app.core.model.turns import TurnUpdate
from caption_app.core.settings import StreamingSettings
from caption_app.qt.session_worker import SessionFactory, SessionWorker
from caption_app.qt.threads import start_worker


class SessionController(QObject):
    stateChanged = Signal(object, str)
    """A ``SessionState``, and a short sentence for the status line."""
    turnUpdated = Signal(object)
    """A ``TurnUpdate``."""
    gapMarked = Signal(object)
    problemRaised = Signal(object)
    """A ``Problem``: its kind, message and recovery."""
    audioLevel = Signal(float, bool)
    """RMS dBFS, and whether audio is being sent to the engine right now."""
    progress = Signal(int, int)
    """Media file position and duration, in ms (about once a second)."""
    markerAdded = Signal(object)
    """A ``Marker``: captions moved to another engine."""
    engineChanged = Signal(object)
    """An ``EngineInUse``: the engine of the connection just opened."""
    speechStarted = Signal()
    """Someone started speaking; their words are on their way."""
    runningChanged = Signal(bool)
    statusChanged = Signal(object)
    """A ``SessionStatus``: what is true of the session now. What the window says is derived
    from it, never from a single event."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: SessionWorker | None = None
        self._thread: QThread | None = None
        self.status = SessionStatus()

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(
        self,
        factory: SessionFactory,
        engine: EngineView | None = None,
        *,
        has_stand_in: bool = False,
    ) -> None:
        """Run the session ``factory`` builds; ``engine`` is the one it starts with."""
        if self._worker is not None:
            return
        worker = SessionWorker(factory)
        worker.sessionEvent.connect(self._on_event)
        self._worker = worker
        engine = engine or EngineView("", on_device=False)
        self._set_status(SessionStatus.starting(engine, has_stand_in=has_stand_in))
        self._thread = start_worker(worker, "live-session", on_finished=self._on_finished)
        self.runningChanged.emit(True)

    def _set_status(self, status: SessionStatus) -> None:
        if status is not self.status:
            self.status = status
            self.statusChanged.emit(status)

    @Slot(object)
    def _on_event(self, event: SessionEvent) -> None:
        if self._worker is not None:  # a late event of a session that has ended changes nothing
            self._set_status(self.status.after(event))
        if isinstance(event, TurnUpdate):
            self.turnUpdated.emit(event)
        elif isinstance(event, AudioLevel):
            self.audioLevel.emit(event.rms_dbfs, event.sending)
        elif isinstance(event, StateChanged):
            self.stateChanged.emit(event.state, event.detail)
        elif isinstance(event, Gap):
            self.gapMarked.emit(event)
        elif isinstance(event, Problem):
            self.problemRaised.emit(event)
        elif isinstance(event, Progress):
            self.progress.emit(event.position_ms, event.duration_ms)
        elif isinstance(event, Marker):
            self.markerAdded.emit(event)
        elif isinstance(event, EngineInUse):
            self.engineChanged.emit(event)
        elif isinstance(event, SpeechStarted):
            self.speechStarted.emit()
        # StreamOpened, StreamBegan and SessionEnded are the recorder's; the window learns
        # of the end from ``runningChanged`` once the thread has really finished.

    def stop(self, within_s: float | None = None) -> None:
        """Ask the session to stop; ``within_s`` bounds its wait for the last words."""
        if self._worker is not None:
            self._worker.session.request_stop(within_s)

    def pause(self, paused: bool) -> None:
        if self._worker is not None:
            self._worker.session.request_pause(paused)

    def force_endpoint(self) -> None:
        if self._worker is not None:
            self._worker.session.request_force_endpoint()

    def key_renewed(self) -> None:
        """Another key was given: a session captioning locally because the cloud rejected
        the last one goes back to the cloud, in the same session."""
        if self._worker is not None:
            self._worker.session.request_key_renewed()

    def choose_engine(self, *, here: bool) -> None:
        """The person chose this computer (the cloud is left at once) or the cloud again, in
        a session that has both (Automatic)."""
        if self._worker is not None:
            self._worker.session.request_engine(here=here)

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
        self._set_status(self.status.ended())
        self.runningChanged.emit(False)
