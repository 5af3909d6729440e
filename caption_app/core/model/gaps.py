"""Gaps and markers on the session clock.

A gap is a stretch with no captions, shown to readers as such; a marker is a moment worth a
line of its own in the transcript (captions moved to another engine), with nothing missing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class GapReason(enum.StrEnum):
    """Why captioning stopped for a while. Saved as its value; a transcript written by a newer
    version may hold a reason not listed here, so ``Gap.reason`` is kept as a plain string."""

    RECONNECT = "reconnect"
    PAUSE = "pause"
    DEVICE = "device"
    """The person picked another input."""
    INPUT_LOST = "input-lost"
    """The input was unplugged or stopped delivering, until another delivered."""
    SWITCH = "switch"
    """Captions moved to another engine and the audio could not all be handed over."""
    ROLLOVER = "rollover"
    """The service's session was renewed and the new one took longer to open than the audio
    kept meanwhile (normally no gap at all)."""


@dataclass(frozen=True, slots=True)
class Gap:
    start_ms: int
    end_ms: int
    reason: str

    @property
    def duration_ms(self) -> int:
        return max(0, self.end_ms - self.start_ms)


@dataclass(frozen=True, slots=True)
class Marker:
    """A line in the transcript at ``at_ms``, e.g. "Captions continue on this computer"."""

    at_ms: int
    text: str
