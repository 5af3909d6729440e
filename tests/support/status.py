"""Session statuses for widget tests: a session started on an engine, then events folded in,
exactly as the controller folds what a live session reports."""

from __future__ import annotations

from caption_app.core.model.session import SessionEvent
from caption_app.core.model.status import EngineView, SessionStatus

CLOUD = EngineView("AssemblyAI Universal-Streaming", on_device=False, billed_per_hour_usd=0.15)
LOCAL = EngineView("Whisper tiny.en on this computer", on_device=True)


def status_after(
    *events: SessionEvent, engine: EngineView = CLOUD, stand_in: bool = False
) -> SessionStatus:
    status = SessionStatus.starting(engine, has_stand_in=stand_in)
    for event in events:
        status = status.after(event)
    return status
