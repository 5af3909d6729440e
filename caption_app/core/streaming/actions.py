"""What the supervisor asks of the pump: each of its answers is a list of these.

The supervisor decides and never waits; the pump (``session.py``) carries them out on its own
thread: it opens a connection off the pump, adopts one that opened (the audio goes there),
retires one (closed in the background, the gap marked) or discards one nobody uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from caption_app.core.engines.base import Connection, Engine
from caption_app.core.model.gaps import GapReason


@dataclass(frozen=True, slots=True)
class Open:
    """Open ``stream`` on ``engine`` off the pump; its answer comes back as an event."""

    stream: int
    engine: Engine


@dataclass(frozen=True, slots=True)
class Adopt:
    """The audio goes to this connection from now on: first what was kept since the last word
    any connection reported (or since the last connection ended cleanly), then live audio."""

    stream: int
    connection: Connection
    engine: Engine
    marker: str | None
    """A line for the transcript where the new engine's audio begins (the engine changed)."""


@dataclass(frozen=True, slots=True)
class Retire:
    """Close the connection in the background and mark the gap until the next one hears."""

    stream: int
    connection: Connection | None
    """None: the attempt never opened (its late answer is discarded)."""
    reason: GapReason | None
    clean: bool
    """Ended with Terminate, so everything sent to it is heard; else it was dropped, and the
    audio after its last reported word is sent again to the next connection."""


@dataclass(frozen=True, slots=True)
class Discard:
    """A connection nobody uses (the late answer to an attempt given up on): close it."""

    stream: int
    connection: Connection


Action = Open | Adopt | Retire | Discard
