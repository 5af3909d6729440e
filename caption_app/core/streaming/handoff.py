"""Audio kept for an engine that takes over mid-session, so no speech is lost in the switch.

Every chunk read is kept until the current connection has reported words past it (bounded to
the last 30 s). When the local engine stands in for a cloud connection that died, it gets
everything after the last word the cloud reported, and catches up faster than real time; the
cloud itself only ever gets the last second (it refuses audio ahead of real time).
"""

from __future__ import annotations

import collections

from caption_app.core.audio.source import AudioChunk

KEEP_S = 30
MARGIN_MS = 300
"""Kept before the last reported word's end: a word cut at the boundary is heard whole."""


class Handoff:
    def __init__(self, chunk_ms: int) -> None:
        self._chunk_ms = chunk_ms
        self._chunks: collections.deque[AudioChunk] = collections.deque(
            maxlen=KEEP_S * 1000 // chunk_ms
        )

    def keep(self, chunk: AudioChunk) -> None:
        self._chunks.append(chunk)

    def heard_until(self, end_ms: int) -> None:
        """Words up to ``end_ms`` are in: the audio before it is no longer needed."""
        while self._chunks and self._chunks[0].start_ms + self._chunk_ms < end_ms - MARGIN_MS:
            self._chunks.popleft()

    def since(self, start_ms: int) -> list[AudioChunk]:
        """The audio from about ``start_ms`` on, oldest first."""
        return [c for c in self._chunks if c.start_ms + self._chunk_ms >= start_ms - MARGIN_MS]

    def clear(self) -> None:
        self._chunks.clear()
