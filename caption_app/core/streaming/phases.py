"""The supervisor's state machine as data: its phases, its triggers, and every move.

``supervisor.py`` does what each move means; this table is all the moves there are, so the
unit tests can walk every listed move and check every other one is ignored.
"""

from __future__ import annotations

import enum


class Phase(enum.Enum):
    STARTING = "starting"
    CONNECTING = "connecting"
    """A connection is open; the engine has not said Began yet."""
    LIVE = "live"
    BACKOFF = "backoff"
    """No connection; the next attempt is due at ``next_attempt_at``."""
    PAUSED = "paused"
    SOURCE_LOST = "source-lost"
    """The input failed; waiting for another (the GUI)."""
    STOPPING = "stopping"
    FAILED = "failed"
    ENDED = "ended"


class Trigger(enum.Enum):
    START = "start"
    BEGAN = "began"
    FAILED = "failed"
    """The connection (or the attempt to open one) failed; a retry can help."""
    FAILED_FATAL = "failed-fatal"
    """Retrying cannot help: a rejected key, an account problem, a broken input or model."""
    BACKOFF_ELAPSED = "backoff-elapsed"
    ROLLOVER_DUE = "rollover-due"
    WATCHDOG_EXPIRED = "watchdog-expired"
    PAUSE = "pause"
    RESUME = "resume"
    SOURCE_LOST = "source-lost"
    SOURCE_REPLACED = "source-replaced"
    SWITCH = "switch"  # back from the local engine to the cloud, at a turn boundary
    STOP = "stop"
    CLOSED = "closed"


_P, _T = Phase, Trigger
TRANSITIONS: dict[tuple[Phase, Trigger], Phase] = {
    (_P.STARTING, _T.START): _P.CONNECTING,
    (_P.STARTING, _T.STOP): _P.STOPPING,
    (_P.CONNECTING, _T.BEGAN): _P.LIVE,
    (_P.CONNECTING, _T.FAILED): _P.BACKOFF,
    (_P.CONNECTING, _T.FAILED_FATAL): _P.FAILED,
    (_P.CONNECTING, _T.PAUSE): _P.PAUSED,
    (_P.CONNECTING, _T.SOURCE_LOST): _P.SOURCE_LOST,
    (_P.CONNECTING, _T.SOURCE_REPLACED): _P.CONNECTING,
    (_P.CONNECTING, _T.STOP): _P.STOPPING,
    (_P.LIVE, _T.FAILED): _P.BACKOFF,
    (_P.LIVE, _T.FAILED_FATAL): _P.FAILED,
    (_P.LIVE, _T.ROLLOVER_DUE): _P.CONNECTING,
    (_P.LIVE, _T.WATCHDOG_EXPIRED): _P.CONNECTING,
    (_P.LIVE, _T.SWITCH): _P.CONNECTING,
    (_P.LIVE, _T.PAUSE): _P.PAUSED,
    (_P.LIVE, _T.SOURCE_LOST): _P.SOURCE_LOST,
    (_P.LIVE, _T.SOURCE_REPLACED): _P.CONNECTING,
    (_P.LIVE, _T.STOP): _P.STOPPING,
    (_P.BACKOFF, _T.BACKOFF_ELAPSED): _P.CONNECTING,
    (_P.BACKOFF, _T.FAILED_FATAL): _P.FAILED,
    (_P.BACKOFF, _T.PAUSE): _P.PAUSED,
    (_P.BACKOFF, _T.SOURCE_LOST): _P.SOURCE_LOST,
    (_P.BACKOFF, _T.SOURCE_REPLACED): _P.CONNECTING,
    (_P.BACKOFF, _T.STOP): _P.STOPPING,
    (_P.PAUSED, _T.RESUME): _P.CONNECTING,
    (_P.PAUSED, _T.FAILED_FATAL): _P.FAILED,
    (_P.PAUSED, _T.SOURCE_LOST): _P.SOURCE_LOST,
    (_P.PAUSED, _T.SOURCE_REPLACED): _P.PAUSED,
    (_P.PAUSED, _T.STOP): _P.STOPPING,
    (_P.SOURCE_LOST, _T.SOURCE_REPLACED): _P.CONNECTING,
    (_P.SOURCE_LOST, _T.STOP): _P.STOPPING,
    (_P.FAILED, _T.STOP): _P.STOPPING,
    (_P.STOPPING, _T.CLOSED): _P.ENDED,
}
"""Every move the session can make; a trigger not listed for the current phase is ignored."""
