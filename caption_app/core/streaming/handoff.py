"""Audio kept for the next connection, so no speech is lost when a connection changes.

Every chunk read is kept until a connection has reported words past it, or has ended cleanly
after hearing it (bounded to the last 30 s, and to audio that runs on: a break in it, audio
dropped while paused or an input lost, ends what was kept before). When a connection is
dropped (a lost network, a dead reader, the watchdog), the audio after the last word any
connection reported was maybe never heard: the next connection, on whichever engine, gets it
first. The local engine takes it as fast as it comes; the cloud refuses audio far ahead of
real time, so it gets at most a few seconds of it (the ``Outbox`` paces it) and the part
before is marked as not captioned.

``captioned_until_ms`` is where the next connection's own words begin: words it reports that
lie before it were already captioned (the margin sent again for a word cut at the boundary).
"""

from __future__ import annotations

import collections

from caption_app.core.audio.source import AudioChunk

KEEP_S = 30
MARGIN_MS = 300
"""Sent again before the last reported word's end: a word cut at the boundary is heard whole."""


class Handoff:
    def __init__(self, chunk_ms: int) -> None:
        self._chunk_ms = chunk_ms
        self._chunks: collections.deque[AudioChunk] = collections.deque(
            maxlen=KEEP_S * 1000 // chunk_ms
        )
        self.captioned_until_ms = 0
        """Everything before it has been captioned (or ended cleanly on a connection)."""
        self._margin_ms = 0

    def keep(self, chunk: AudioChunk) -> None:
        chunks = self._chunks
        if chunks and chunk.start_ms != chunks[-1].start_ms + self._chunk_ms:
            chunks.clear()  # audio was dropped in between (a chunk the reader lost)
        chunks.append(chunk)

    def break_in_audio(self) -> None:
        """Audio is dropped (paused) or the input changes: what was kept cannot go first.

        An engine counts time by the audio it hears, so after a break every word would be
        stamped early (the fourth walk: paused while reconnecting, the captions after it came
        40 s early). Said as it happens, not at the next chunk kept: a connection can be
        adopted before it (the fifth walk: the local engine, loaded already, answered the
        resume before the first chunk after it)."""
        self._chunks.clear()

    def heard_until(self, end_ms: int) -> None:
        """A connection reported words up to ``end_ms``: the audio before it is in."""
        if end_ms <= self.captioned_until_ms:
            return
        self.captioned_until_ms, self._margin_ms = end_ms, MARGIN_MS
        self._forget_before(end_ms - MARGIN_MS)

    def all_heard(self, end_ms: int) -> None:
        """A connection ended cleanly after hearing the audio up to ``end_ms``."""
        if end_ms < self.captioned_until_ms:
            return
        self.captioned_until_ms, self._margin_ms = end_ms, 0
        self._forget_before(end_ms)

    def backlog(self, limit_ms: int | None = None) -> list[AudioChunk]:
        """The audio the next connection gets first, oldest first: everything after the last
        captioned word (its margin included), or only the last ``limit_ms`` of it."""
        start = self.captioned_until_ms - self._margin_ms
        chunks = [c for c in self._chunks if c.start_ms + self._chunk_ms > start]
        if limit_ms is not None and chunks:
            newest_end = chunks[-1].start_ms + self._chunk_ms
            chunks = [c for c in chunks if c.start_ms >= newest_end - limit_ms]
        return chunks

    def _forget_before(self, start_ms: int) -> None:
        chunks = self._chunks
        while chunks and chunks[0].start_ms + self._chunk_ms <= start_ms:
            chunks.popleft()
