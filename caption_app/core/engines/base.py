"""The engine interface the live session drives, and the events engines report.

An engine opens *connections* (one streaming session each). A connection reports everything as
small immutable events put on a queue the live session owns, so the session's state is only
ever touched by the session's own thread; engine threads (such as the SDK's read thread) do
nothing but enqueue.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Protocol

from caption_app.core.model.problems import Problem
from caption_app.core.model.turns import SpeakerRevision, Translation, TurnMessage
from caption_app.core.settings import StreamingSettings

LOCAL_SESSION_PREFIX = "local-"
"""How the session ids the local engine makes up begin (the cloud's are the service's own)."""


@dataclass(frozen=True, slots=True)
class Began:
    stream: int
    session_id: str
    expires_in_s: float | None
    """Seconds until the service ends this session (its 3-hour limit), read by the engine
    from the service's wall-clock time; None when it never expires."""


@dataclass(frozen=True, slots=True)
class TurnReceived:
    stream: int
    message: TurnMessage


@dataclass(frozen=True, slots=True)
class SpeakersRevised:
    stream: int
    revisions: tuple[SpeakerRevision, ...]


@dataclass(frozen=True, slots=True)
class Terminated:
    stream: int
    audio_duration_s: float | None
    session_duration_s: float | None


@dataclass(frozen=True, slots=True)
class ConnectionFailed:
    """The connection, or the attempt to open it, failed; the engine has read its own codes
    into a neutral problem."""

    stream: int
    problem: Problem


@dataclass(frozen=True, slots=True)
class Warned:
    stream: int
    code: int | None
    message: str


@dataclass(frozen=True, slots=True)
class SpeechDetected:
    """The service heard speech begin (Universal-3 Pro sends this before each turn, before
    any words): the overlay says someone is speaking until the words arrive."""

    stream: int
    at_ms: int


@dataclass(frozen=True, slots=True)
class Translated:
    """A finished turn's translation (the service's LLMGatewayResponse), tied to the turn by
    its ``turn_order`` in this stream; responses may come late and out of order."""

    stream: int
    turn_order: int
    translation: Translation


@dataclass(frozen=True, slots=True)
class Alive:
    """The engine is working through the audio (the local engine says so every second, so a
    long decode is not mistaken for a dead connection)."""

    stream: int


@dataclass(frozen=True, slots=True)
class Dialling:
    """The attempt to open ``stream`` has loaded what it needs and contacts the engine now:
    how long it takes to answer counts from here."""

    stream: int


@dataclass(frozen=True, slots=True)
class Opened:
    """The attempt to open ``stream`` returned its connection (put on the queue by whoever
    ran ``Engine.open`` off the session's thread)."""

    stream: int
    connection: Connection


class CannotConnect(Exception):
    """The engine could not even try to connect (no key, a token service said no)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


EngineEvent = (
    Began
    | TurnReceived
    | SpeakersRevised
    | Translated
    | Terminated
    | ConnectionFailed
    | Warned
    | SpeechDetected
    | Alive
    | Dialling
    | Opened
)
EventQueue = queue.SimpleQueue[EngineEvent]


class Connection(Protocol):
    """One open streaming session. Every method is non-blocking except ``close``."""

    def send_audio(self, pcm: bytes) -> None: ...

    def force_endpoint(self) -> None: ...

    def update(self, settings: StreamingSettings) -> None: ...

    def close(self, *, terminate: bool, timeout: float) -> None:
        """End the session; with ``terminate`` wait up to ``timeout`` for its last turns."""


class Engine(Protocol):
    name: str
    """Shown to people and written into transcripts ("AssemblyAI Universal-Streaming")."""
    billed_per_hour_usd: float
    on_device: bool
    """True when audio never leaves this computer."""

    realtime_lead_s: float | None
    """How far ahead of real time it accepts audio (the cloud refuses audio sent faster);
    None: any speed, so audio kept while it was away can catch up at once."""
    answer_within_s: float
    """An attempt that has not begun within this long did not answer (a hung handshake, a
    name look-up that never returns): it counts as a failure."""

    def no_answer(self, settings: StreamingSettings) -> Problem:
        """What to say about an attempt that did not answer within ``answer_within_s``."""
        ...

    def warm_up(self) -> None:
        """Load what a connection needs (an SDK costs a second on a busy machine); called off
        the session's thread before each attempt is timed, and quick once done."""
        ...

    def prepare(self, settings: StreamingSettings) -> None:
        """Get ready for a connection that may soon be needed (load a model); optional."""
        ...

    def release(self) -> None:
        """Let go of what ``prepare`` made and nobody used."""
        ...

    def open(self, stream: int, settings: StreamingSettings, events: EventQueue) -> Connection:
        """Connect; blocks for the handshake (and the name look-up), so the session calls it
        off its own thread. Failures arrive as ``ConnectionFailed`` events; ``CannotConnect``
        says why no attempt could be made."""
