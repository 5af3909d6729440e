"""When the next connection attempt is due after a failure, and when a script gives up.

The wait starts at 0.5 s and doubles to 8 s. It starts afresh only once a connection has
proven itself (a turn, or 10 s live), not at its Begin: a service that accepts and then drops
every connection (or sends a frame that kills the reader after each Begin) would otherwise get
a new billed session every half second. Limits wait longer (5 s); an expired session is
replaced at once. The CLI gives up after so many failures in a row; the GUI never does.
"""

from __future__ import annotations

from caption_app.core.model.problems import Problem, Recovery
from caption_app.core.streaming.timing import Timing


class Backoff:
    def __init__(self, timing: Timing) -> None:
        self._timing = timing
        self._next_s = timing.backoff_first_s
        self._failures_in_a_row = 0
        self._live_since: float | None = None
        """When the current connection began; None once it failed or proved itself."""

    def began(self, now: float) -> None:
        self._live_since = now

    def proven(self) -> None:
        """The connection carried a turn (or held a while): the service really works."""
        self._failures_in_a_row = 0
        self._next_s = self._timing.backoff_first_s
        self._live_since = None

    def held_long_enough(self, now: float) -> bool:
        """Live for ``stable_after_s`` without failing (a quiet room brings no turns)."""
        since = self._live_since
        return since is not None and now - since >= self._timing.stable_after_s

    def failed(self, now: float) -> bool:
        """A connection or attempt failed; True when a script should give up now."""
        if self.held_long_enough(now):
            self.proven()  # it held: this drop is news
        self._live_since = None
        self._failures_in_a_row += 1
        limit = self._timing.give_up_after_failures
        return limit is not None and self._failures_in_a_row >= limit

    def forgive(self) -> None:
        """The next attempt is on the other engine: this failure does not count in a row."""
        self._failures_in_a_row = 0

    def delay_after(self, problem: Problem) -> float:
        if problem.recovery is Recovery.RECONNECT_NOW:
            return 0.0
        if problem.recovery is Recovery.RETRY_LATER:
            return max(self._timing.rate_limit_backoff_s, self._next_s)
        delay = self._next_s
        self._next_s = min(self._next_s * 2, self._timing.backoff_max_s)
        return delay
