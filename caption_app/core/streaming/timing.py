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
    preroll_ms: int = 1000
    """Audio kept while reconnecting and sent first on the new connection."""
    read_timeout_s: float = 0.05
    give_up_after_failures: int | None = None
    """Consecutive failed connection attempts before giving up; None retries for ever (GUI)."""
