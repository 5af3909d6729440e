"""What a live session reports: its states and its events, each an immutable value.

The session hands every event to one callable, its listener, on the session's thread. The Qt
adapter forwards them unchanged through one queued signal; the recorder and the CLI printer
look at the ones they need. Turn updates, gaps and problems are events as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.model.problems import Problem
from caption_app.core.model.turns import TurnUpdate


class SessionState(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    """A connection that was live was lost; a new one is on its way."""
    UNREACHABLE = "unreachable"
    """The service cannot be reached (never connected); retries go on in the background."""
    PAUSED = "paused"
    """The person paused: no audio leaves this computer."""
    NO_INPUT = "no-input"
    """The input is gone (unplugged); the session waits for another."""
    STOPPING = "stopping"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StateChanged:
    state: SessionState
    detail: str
    """A short human sentence, e.g. "Reconnecting in 2.0 s"."""


@dataclass(frozen=True, slots=True)
class StreamOpened:
    """A connection's audio starts at ``offset_ms`` on the session clock."""

    stream: int
    offset_ms: int


@dataclass(frozen=True, slots=True)
class StreamBegan:
    """The engine accepted the connection (the service's Begin)."""

    stream: int
    session_id: str


@dataclass(frozen=True, slots=True)
class EngineInUse:
    """The engine of the connection just opened, when it differs from the one before."""

    name: str
    on_device: bool
    billed_per_hour_usd: float
    standing_in: bool
    """The local engine covers for a cloud that cannot be reached (engine = auto)."""
    cloud_waits_for: str = ""
    """While standing in: what the cloud waits for from the person, as a reason ("no API key
    for the cloud"); "" while it is only away (tried again by itself)."""


class Holds(enum.Enum):
    """How long what a ``Notice`` says stays true: its owner condition. A window withdraws
    the notice the moment the condition no longer holds."""

    SESSION = "session"
    """For the rest of the session that said it (it ends with the session)."""
    UNTIL_LIVE = "until-live"
    """Until captions are live again (a reconnect)."""
    WHILE_COVERED = "while-covered"
    """While the local engine stands in for a cloud that cannot be reached."""
    WHILE_INPUT = "while-input"
    """While the input it names delivers and captions run (a newer input, its loss, or a
    Pause ends it; one given while paused is said once captions resume)."""
    UNTIL_NEXT_START = "until-next-start"
    """Past the session's end, until the next one starts (the transcript was not saved)."""


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The service heard someone start speaking, before any of their words arrived (the
    Universal-3 Pro models send few partials, so the words may take a while)."""

    at_ms: int
    """On the session clock."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth telling a person that needs no action (a warning, a resume)."""

    text: str
    holds: Holds = Holds.SESSION
    """While it is true; the window withdraws it when that ends."""


@dataclass(frozen=True, slots=True)
class InputSilence:
    """The input has delivered only silence for a while (``silent``), or sound again."""

    description: str
    silent: bool
    text: str = ""
    """What to tell a person while it is silent (a muted microphone, a wrong input)."""


@dataclass(frozen=True, slots=True)
class AudioLevel:
    """About ten a second: the loudest chunk since the last reading."""

    rms_dbfs: float
    sending: bool
    """Whether this audio is being sent to the engine right now."""


@dataclass(frozen=True, slots=True)
class Progress:
    """A media file's position, about once a second (live inputs have no duration)."""

    position_ms: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class SessionEnded:
    audio_s: float
    """Audio the engines acknowledged over all connections (as each reports it), the local
    engine's included."""
    session_s: float
    """Wall-clock time from start to stop."""
    connections: int
    failed: Problem | None
    captioned_ms: int = 0
    """Audio taken from the input and captioned (the session clock at the end)."""
    reached_end: bool = False
    """A media file was captioned to its end (not stopped, not failed)."""
    billed_audio_s: float = 0.0
    """Audio the cloud service acknowledged (what it bills); 0 when only this computer
    captioned, as nothing is billed there."""


SessionEvent = (
    StateChanged
    | StreamOpened
    | StreamBegan
    | TurnUpdate
    | Gap
    | Marker
    | EngineInUse
    | SpeechStarted
    | Problem
    | Notice
    | InputSilence
    | AudioLevel
    | Progress
    | SessionEnded
)
SessionListener = Callable[[SessionEvent], None]
"""Called with every event, on the session's thread; it must not block."""
