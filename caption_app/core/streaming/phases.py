"""The supervisor's state machine as data: its phases, its triggers, and every move with what
it does.

``supervisor.py`` carries a move out; this table is all the moves there are, and each row says
its effects too (end or drop the connection, open the next one, hand over to the connection
made ready on the side), so the unit tests can walk every listed move and check every other
one is ignored. Whether the person has paused is not a phase: it is an intent the supervisor
keeps beside the phase, and while it holds the phase is ``HELD``, whatever happened before.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from caption_app.core.model.gaps import GapReason


class Phase(enum.Enum):
    STARTING = "starting"
    CONNECTING = "connecting"
    """An attempt is under way (opening off the pump, or open and waiting for Began)."""
    LIVE = "live"
    BACKOFF = "backoff"
    """No connection; the next attempt is due at ``next_attempt_at``."""
    HELD = "held"
    """No connection is wanted: the person paused, or the input is gone (or both)."""
    STOPPING = "stopping"
    FAILED = "failed"
    ENDED = "ended"


class Trigger(enum.Enum):
    START = "start"
    OPENED = "opened"
    """The attempt's connection is open: the audio kept meanwhile goes to it."""
    BEGAN = "began"
    CONNECTION_FAILED = "connection-failed"
    """The connection, or the attempt to open one, failed or did not answer in time; a
    retry can help."""
    GIVE_UP = "give-up"
    """Retrying cannot help: a rejected key, an account problem, a broken input or model, or
    too many failures in a row (the CLI)."""
    BACKOFF_ELAPSED = "backoff-elapsed"
    FAIL_OVER = "fail-over"
    """The cloud stayed away too long: the local engine takes over; an attempt on the cloud
    still under way waits on the side."""
    RETURN_DUE = "return-due"
    """While the local engine stands in: time to try the cloud again, on the side."""
    SWITCH = "switch"
    """The connection made ready on the side has begun: it takes over (at a turn boundary)."""
    ROLLOVER_DUE = "rollover-due"
    WATCHDOG_EXPIRED = "watchdog-expired"
    PAUSE = "pause"
    INPUT_LOST = "input-lost"
    RELEASE = "release"
    """Nothing holds the session any more (resumed with an input, or an input came back)."""
    INPUT_REPLACED = "input-replaced"
    """Another input while a connection is wanted: the next connection hears it."""
    CHOSEN_HERE = "chosen-here"
    """The person chose this computer while the cloud was in use: it is left at once."""
    STOP = "stop"
    CLOSED = "closed"


class Effect(enum.Enum):
    CONNECT = "connect"
    """Open the next connection (off the pump)."""
    ADOPT = "adopt"
    """The attempt's connection is open: audio goes to it, first what was kept meanwhile."""
    END = "end"
    """End the current connection cleanly: Terminate; its last words still come."""
    DROP = "drop"
    """Let go of the current connection at once: it failed, or hears nothing any more."""
    SET_ASIDE = "set-aside"
    """The current attempt waits on the side (it may still answer, and then take over); one
    that opened already had audio, so it is dropped instead (its clock cannot skip)."""
    OPEN_ASIDE = "open-aside"
    """Open a connection on the side, which takes over once it has begun."""
    TAKE_OVER = "take-over"
    """The connection on the side takes over from the current one (ended or dropped first)."""
    DROP_ASIDE = "drop-aside"
    """Let go of any connection being made ready on the side."""


@dataclass(frozen=True, slots=True)
class Move:
    to: Phase
    effects: tuple[Effect, ...] = ()


_P, _T, _E = Phase, Trigger, Effect
_CONNECT, _END, _DROP = _E.CONNECT, _E.END, _E.DROP
_ASIDE, _OPEN_ASIDE, _TAKE_OVER, _DROP_ASIDE = (
    _E.SET_ASIDE,
    _E.OPEN_ASIDE,
    _E.TAKE_OVER,
    _E.DROP_ASIDE,
)

TRANSITIONS: dict[tuple[Phase, Trigger], Move] = {
    (_P.STARTING, _T.START): Move(_P.CONNECTING, (_CONNECT,)),
    (_P.STARTING, _T.STOP): Move(_P.STOPPING),
    (_P.CONNECTING, _T.OPENED): Move(_P.CONNECTING, (_E.ADOPT,)),
    (_P.CONNECTING, _T.BEGAN): Move(_P.LIVE),
    (_P.CONNECTING, _T.CONNECTION_FAILED): Move(_P.BACKOFF, (_DROP,)),
    (_P.CONNECTING, _T.GIVE_UP): Move(_P.FAILED, (_END, _DROP_ASIDE)),
    (_P.CONNECTING, _T.FAIL_OVER): Move(_P.CONNECTING, (_ASIDE, _CONNECT)),
    (_P.CONNECTING, _T.SWITCH): Move(_P.LIVE, (_DROP, _TAKE_OVER)),
    (_P.CONNECTING, _T.PAUSE): Move(_P.HELD, (_END, _DROP_ASIDE)),
    (_P.CONNECTING, _T.INPUT_LOST): Move(_P.HELD, (_END, _DROP_ASIDE)),
    (_P.CONNECTING, _T.INPUT_REPLACED): Move(_P.CONNECTING, (_END, _CONNECT)),
    (_P.CONNECTING, _T.CHOSEN_HERE): Move(_P.CONNECTING, (_DROP, _DROP_ASIDE, _CONNECT)),
    (_P.CONNECTING, _T.STOP): Move(_P.STOPPING, (_DROP_ASIDE,)),
    (_P.LIVE, _T.CONNECTION_FAILED): Move(_P.BACKOFF, (_DROP,)),
    (_P.LIVE, _T.GIVE_UP): Move(_P.FAILED, (_END, _DROP_ASIDE)),
    (_P.LIVE, _T.RETURN_DUE): Move(_P.LIVE, (_OPEN_ASIDE,)),
    (_P.LIVE, _T.SWITCH): Move(_P.LIVE, (_END, _TAKE_OVER)),
    (_P.LIVE, _T.ROLLOVER_DUE): Move(_P.CONNECTING, (_END, _CONNECT)),
    (_P.LIVE, _T.WATCHDOG_EXPIRED): Move(_P.CONNECTING, (_DROP, _CONNECT)),
    (_P.LIVE, _T.PAUSE): Move(_P.HELD, (_END, _DROP_ASIDE)),
    (_P.LIVE, _T.INPUT_LOST): Move(_P.HELD, (_END, _DROP_ASIDE)),
    (_P.LIVE, _T.INPUT_REPLACED): Move(_P.CONNECTING, (_END, _CONNECT)),
    (_P.LIVE, _T.CHOSEN_HERE): Move(_P.CONNECTING, (_END, _DROP_ASIDE, _CONNECT)),
    (_P.LIVE, _T.STOP): Move(_P.STOPPING, (_DROP_ASIDE,)),
    (_P.BACKOFF, _T.BACKOFF_ELAPSED): Move(_P.CONNECTING, (_CONNECT,)),
    (_P.BACKOFF, _T.FAIL_OVER): Move(_P.CONNECTING, (_CONNECT,)),
    (_P.BACKOFF, _T.SWITCH): Move(_P.LIVE, (_TAKE_OVER,)),
    (_P.BACKOFF, _T.GIVE_UP): Move(_P.FAILED, (_DROP_ASIDE,)),
    (_P.BACKOFF, _T.PAUSE): Move(_P.HELD, (_DROP_ASIDE,)),
    (_P.BACKOFF, _T.INPUT_LOST): Move(_P.HELD, (_DROP_ASIDE,)),
    (_P.BACKOFF, _T.INPUT_REPLACED): Move(_P.CONNECTING, (_CONNECT,)),
    (_P.BACKOFF, _T.CHOSEN_HERE): Move(_P.CONNECTING, (_DROP_ASIDE, _CONNECT)),
    (_P.BACKOFF, _T.STOP): Move(_P.STOPPING, (_DROP_ASIDE,)),
    (_P.HELD, _T.PAUSE): Move(_P.HELD),
    (_P.HELD, _T.INPUT_LOST): Move(_P.HELD),
    (_P.HELD, _T.RELEASE): Move(_P.CONNECTING, (_CONNECT,)),
    (_P.HELD, _T.GIVE_UP): Move(_P.FAILED),
    (_P.HELD, _T.CHOSEN_HERE): Move(_P.HELD, (_DROP_ASIDE,)),
    (_P.HELD, _T.STOP): Move(_P.STOPPING),
    (_P.FAILED, _T.STOP): Move(_P.STOPPING),
    (_P.STOPPING, _T.CLOSED): Move(_P.ENDED),
}
"""Every move the session can make; a trigger not listed for the current phase is ignored."""

GAP_REASONS: dict[Trigger, GapReason] = {
    Trigger.CONNECTION_FAILED: GapReason.RECONNECT,
    Trigger.GIVE_UP: GapReason.RECONNECT,
    Trigger.FAIL_OVER: GapReason.RECONNECT,
    Trigger.WATCHDOG_EXPIRED: GapReason.RECONNECT,
    Trigger.ROLLOVER_DUE: GapReason.ROLLOVER,
    Trigger.SWITCH: GapReason.SWITCH,
    Trigger.PAUSE: GapReason.PAUSE,
    Trigger.INPUT_LOST: GapReason.INPUT_LOST,
    Trigger.INPUT_REPLACED: GapReason.DEVICE,
    Trigger.CHOSEN_HERE: GapReason.SWITCH,
}
"""Why captions stop when a move ends or drops the connection (the transcript's gap)."""
