"""The live session's timing knobs, with production defaults; tests shorten them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timing:
    """Knobs with production defaults; tests shorten them."""

    backoff_first_s: float = 0.5
    backoff_max_s: float = 8.0
    stable_after_s: float = 10.0
    """A connection live this long (or one that brought a turn) starts the backoff afresh."""
    rate_limit_backoff_s: float = 5.0
    rollover_margin_s: float = 120.0
    """Open the next connection this long before the service's session expires."""
    rollover_floor_s: float = 600.0
    """Never roll a connection over sooner than this after it began (clock skew guard)."""
    watchdog_s: float = 5.0
    terminate_timeout_s: float = 5.0
    cloud_grace_s: float = 1.5
    """engine = auto: a cloud that has not begun this long after Start is left to answer on
    the side while the local engine captions (it takes over if it does answer)."""
    read_timeout_s: float = 0.05
    give_up_after_failures: int | None = None
    """Consecutive failed connection attempts before giving up; None retries for ever (GUI)."""

    def rollover_after(self, expires_in_s: float) -> float:
        """When to open the next connection, for one the service ends in ``expires_in_s``.

        A clock far off (expiry already "past") must not retire every new connection at once,
        each a billed session: never sooner than the floor; the service's own 3008 at expiry
        still reconnects at once."""
        margin = min(self.rollover_margin_s, expires_in_s / 2)
        return max(self.rollover_floor_s, expires_in_s - margin)
