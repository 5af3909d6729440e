"""Audio on its way to the connection that hears now, never sent faster than it accepts.

A new connection first gets the audio kept while there was none (``handoff.py``), then live
audio. The local engine takes the kept audio at once and catches up faster than real time; the
cloud closes a connection sent audio faster than real time, so for it the outbox lets the audio
run at most ``lead_s`` ahead of the time since its first chunk and holds the rest back for the
next chunks' turns. In steady state nothing waits: each chunk goes out as it is read.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator

from caption_app.core.audio.source import AudioChunk


class Outbox:
    def __init__(self, chunk_ms: int, clock: Callable[[], float]) -> None:
        self._chunk_s = chunk_ms / 1000
        self._clock = clock
        self._waiting: collections.deque[AudioChunk] = collections.deque()
        self._lead_s: float | None = None
        self._first_sent_at: float | None = None
        self._sent_s = 0.0

    def open(self, lead_s: float | None) -> None:
        """A new connection: nothing waits, and its pace counts from its first chunk."""
        self._waiting.clear()
        self._lead_s = lead_s
        self._first_sent_at = None
        self._sent_s = 0.0

    def clear(self) -> None:
        """The connection is gone: what was waiting for it is not sent."""
        self._waiting.clear()

    def put(self, chunk: AudioChunk) -> None:
        self._waiting.append(chunk)

    @property
    def waiting_s(self) -> float:
        return len(self._waiting) * self._chunk_s

    def due(self) -> Iterator[AudioChunk]:
        """The chunks that may go out now, oldest first (each taken off as it is yielded)."""
        while self._waiting:
            if self._lead_s is not None and self._first_sent_at is not None:
                elapsed = self._clock() - self._first_sent_at
                if self._sent_s + self._chunk_s > elapsed + self._lead_s:
                    return
            if self._first_sent_at is None:
                self._first_sent_at = self._clock()
            self._sent_s += self._chunk_s
            yield self._waiting.popleft()

    def due_in(self) -> float:
        """Seconds until the next waiting chunk may go out (0: now)."""
        if not self._waiting or self._lead_s is None or self._first_sent_at is None:
            return 0.0
        ahead = self._sent_s + self._chunk_s - (self._clock() - self._first_sent_at)
        return max(0.0, ahead - self._lead_s)
