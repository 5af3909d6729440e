"""The level meter's feed: about ten readings a second, not one per 50 ms chunk.

Each reading crosses to the GUI thread and repaints the meter; twenty a second cost the app
measurable CPU and show nothing a person can see. A reading carries the loudest chunk since the
last one (so a short sound is not skipped), and goes out at once when the sending light changes.
"""

from __future__ import annotations

from caption_app.core.audio.source import AudioChunk
from caption_app.core.model.session import AudioLevel

READING_MS = 100


class LevelFeed:
    def __init__(self, chunk_ms: int) -> None:
        self._chunks_per_reading = max(1, READING_MS // chunk_ms)
        self._count = 0
        self._rms = self._peak = float("-inf")
        self._sending: bool | None = None

    def add(self, chunk: AudioChunk, sending: bool) -> AudioLevel | None:
        """The reading due after this chunk, or None."""
        self._count += 1
        self._rms = max(self._rms, chunk.rms_dbfs)
        self._peak = max(self._peak, chunk.peak_dbfs)
        if self._count < self._chunks_per_reading and sending == self._sending:
            return None
        reading = AudioLevel(self._rms, self._peak, sending)
        self._count = 0
        self._rms = self._peak = float("-inf")
        self._sending = sending
        return reading
