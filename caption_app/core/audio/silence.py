"""Notice a source that delivers only silence (a muted microphone, a wrong input, no permission)."""

from __future__ import annotations

import sys

from caption_app.core.audio.source import AudioChunk

SILENCE_S = 10.0
SILENCE_PEAK_DBFS = -65.0
"""Below this peak a chunk counts as silence: a muted input reads as zeros or a faint hiss."""


class SilenceWatch:
    """Feed every chunk; returns the notice once when silence has lasted SILENCE_S of audio."""

    def __init__(
        self,
        description: str,
        silence_s: float = SILENCE_S,
        threshold_dbfs: float = SILENCE_PEAK_DBFS,
    ) -> None:
        self.description = description
        self._limit_ms = int(silence_s * 1000)
        self._threshold = threshold_dbfs
        self._silent_since_ms: int | None = None
        self._notified = False

    @property
    def notice(self) -> str:
        text = f"No sound from {self.description} — is it muted?"
        if sys.platform == "darwin":
            text += " (Also check System Settings > Privacy & Security > Microphone.)"
        return text

    @property
    def silent(self) -> bool:
        """True while the notice stands (until sound arrives)."""
        return self._notified

    def feed(self, chunk: AudioChunk, chunk_ms: int) -> str | None:
        if chunk.peak_dbfs > self._threshold:
            self._silent_since_ms = None
            self._notified = False
            return None
        if self._silent_since_ms is None:
            self._silent_since_ms = chunk.start_ms
        silent_for = chunk.start_ms + chunk_ms - self._silent_since_ms
        if silent_for >= self._limit_ms and not self._notified:
            self._notified = True
            return self.notice
        return None
