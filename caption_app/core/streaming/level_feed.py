"""The level meter's feed: at most ten readings a second, and only those that change it.

Each reading crosses to the GUI thread and repaints the meter; twenty a second cost the app
measurable CPU and show nothing a person can see. A reading carries the loudest chunk since the
last one (so a short sound is not skipped), and goes out at once when the sending light changes.
A reading within a dB of the last one sent, with the same light, is not sent at all (the bar
would move by less than one percent): a steady hum or a silent room costs the window nothing.
"""

from __future__ import annotations

from caption_app.core.audio.source import AudioChunk
from caption_app.core.model.session import AudioLevel

READING_MS = 100
SAME_DB = 1.0


class LevelFeed:
    def __init__(self, chunk_ms: int) -> None:
        self._chunks_per_reading = max(1, READING_MS // chunk_ms)
        self._count = 0
        self._rms = float("-inf")
        self._sending: bool | None = None
        self._shown: float | None = None
        """The RMS of the last reading sent."""

    def add(self, chunk: AudioChunk, sending: bool) -> AudioLevel | None:
        """The reading due after this chunk, or None."""
        self._count += 1
        self._rms = max(self._rms, chunk.rms_dbfs)
        if self._count < self._chunks_per_reading and sending == self._sending:
            return None
        reading = AudioLevel(self._rms, sending)
        self._count = 0
        self._rms = float("-inf")
        steady = self._shown is not None and abs(reading.rms_dbfs - self._shown) < SAME_DB
        if steady and sending == self._sending:
            return None
        self._sending, self._shown = sending, reading.rms_dbfs
        return reading
