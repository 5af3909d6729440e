"""The level meter's feed: at most ten readings a second, and only those that change it.

Each reading crosses to the GUI thread and repaints the meter; twenty a second cost the app
measurable CPU and show nothing a person can see. A reading carries the loudest chunk since the
last one (so a short sound is not skipped), and goes out at once when the sending light changes.
A reading the meter would show exactly as the last one (the same whole dB, the same light) is
not sent at all: a steady hum or a silent room costs the window nothing.
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
        self._shown: int | None = None
        """The whole dB of the last reading sent (the meter moves in steps finer than that
        by less than its width's one percent)."""

    def add(self, chunk: AudioChunk, sending: bool) -> AudioLevel | None:
        """The reading due after this chunk, or None."""
        self._count += 1
        self._rms = max(self._rms, chunk.rms_dbfs)
        self._peak = max(self._peak, chunk.peak_dbfs)
        if self._count < self._chunks_per_reading and sending == self._sending:
            return None
        reading = AudioLevel(self._rms, self._peak, sending)
        shown = round(self._rms)
        unchanged = shown == self._shown and sending == self._sending
        self._count = 0
        self._rms = self._peak = float("-inf")
        self._sending, self._shown = sending, shown
        return None if unchanged else reading
