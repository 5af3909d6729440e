"""What a live session reports, and to whom: its states, its end summary, the listener.

Kept apart from the session loop so adapters (the Qt worker, the CLI printer, the recorder)
depend on this small interface, not on the loop's internals.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from caption_app.core.streaming.errors import Problem
from caption_app.core.streaming.turns import TurnUpdate
from caption_app.core.transcript.model import Gap


class SessionState(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    PAUSED = "paused"
    STOPPING = "stopping"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SessionEnded:
    audio_s: float
    """Audio the engine acknowledged over all connections (as the service reports it)."""
    session_s: float
    """Wall-clock time from start to stop."""
    connections: int
    failed: Problem | None


class SessionListener:
    """Receives the session's reports, all on the session's thread. Override what you need."""

    def state_changed(self, state: SessionState, detail: str) -> None:
        """``detail`` is a short human sentence, e.g. "Reconnecting in 2 s"."""

    def stream_began(self, stream: int, session_id: str, expires_at: datetime | None) -> None:
        pass

    def stream_opened(self, stream: int, offset_ms: int) -> None:
        """A connection's audio starts at ``offset_ms`` on the session clock."""

    def turn_updated(self, update: TurnUpdate) -> None:
        pass

    def gap_marked(self, gap: Gap) -> None:
        pass

    def problem(self, problem: Problem) -> None:
        pass

    def notice(self, text: str) -> None:
        """Something worth telling a person that needs no action (a warning, a resume)."""

    def audio_level(self, rms_dbfs: float, peak_dbfs: float, sending: bool) -> None:
        pass

    def progress(self, position_ms: int, duration_ms: int) -> None:
        """A media file's position, about once a second (live inputs have no duration)."""

    def tick(self) -> None:
        """Called once per loop iteration (at least every ``read_timeout_s``)."""

    def ended(self, summary: SessionEnded) -> None:
        pass
