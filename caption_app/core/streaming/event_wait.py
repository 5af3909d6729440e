"""Between audio chunks the session thread waits on the engine's events, not on the audio.

A Turn that arrives while the session waits for the next chunk is passed on at once instead
of after the audio wait (up to a chunk, 50 ms). When the input knows when its next chunk is due
(a file played in real time), the wait for events lasts exactly until then and the read that
follows does not wait: one thread wake-up per chunk, not two (each costs measurable CPU).
Otherwise (a device) the wait ends just before the chunk should arrive, and only then does the
session block on the input. Real time (monotonic), not the session clock: these are waits on
real queues.
"""

from __future__ import annotations

import queue
import time

from caption_app.core.engines.base import EngineEvent, EventQueue

AUDIO_GUARD_S = 0.003
"""Stop waiting for events this long before a device's next chunk should arrive, so audio is
never late."""


class EventWait:
    def __init__(self, events: EventQueue, chunk_ms: int) -> None:
        self._events = events
        self._chunk_s = chunk_ms / 1000
        self._next_due: float | None = None

    def chunk_read(self) -> None:
        self._next_due = time.monotonic() + self._chunk_s

    def until_next_chunk(self, timeout: float, due_in: float | None = None) -> EngineEvent | None:
        """An engine event that arrived before the next chunk is due, or None (then read).

        ``due_in``: seconds until the input's next chunk is due, if the input knows.
        """
        if due_in is not None:
            wait = min(timeout, due_in)
        elif self._next_due is None:
            return None
        else:
            wait = min(timeout, self._next_due - time.monotonic() - AUDIO_GUARD_S)
        if wait <= 0:
            return None
        try:
            return self._events.get(timeout=wait)
        except queue.Empty:
            return None

    def until(self, timeout: float) -> EngineEvent | None:
        """An engine event within ``timeout`` (no audio is due: the input is gone)."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None
