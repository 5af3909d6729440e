"""A connection that hears speech and says nothing for too long is taken for dead.

Loud audio sent starts the wait; any event of the connection ends it. Universal-3 Pro answers
speech with a partial after ~0.75 s and then only at pauses, so for it the wait is longer.
"""

from __future__ import annotations

SPARSE_WATCHDOG_FACTOR = 4


class Watchdog:
    def __init__(self, limit_s: float) -> None:
        self._base_s = limit_s
        self._limit_s = limit_s
        self._waiting_since: float | None = None

    def new_connection(self, *, sparse_partials: bool) -> None:
        """The model is fixed per connection; a change in Settings applies to the next one."""
        self._limit_s = self._base_s * (SPARSE_WATCHDOG_FACTOR if sparse_partials else 1)
        self._waiting_since = None

    def speech_sent(self, now: float) -> None:
        if self._waiting_since is None:
            self._waiting_since = now

    def answered(self) -> None:
        self._waiting_since = None

    def expired(self, now: float) -> bool:
        since = self._waiting_since
        return since is not None and now - since > self._limit_s
