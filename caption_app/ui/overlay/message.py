"""What the overlay says of the session when it is not simply showing captions, as a function
of the session's status: connecting, reconnecting, paused, stopped, the recording's end.

Derived, never remembered from an event, so it cannot say "Paused" after a resume, nor go
blank after Stop as if captions were merely quiet.
"""

from __future__ import annotations

from caption_app.core.model.session import SessionState
from caption_app.core.model.status import Ending, SessionStatus

STOPPED = "Captions stopped"
FINISHED = "End of the recording"
FAILED = "Captions stopped: see Caption App"
NOT_STARTED = "Captions did not start: see Caption App"
BADGE_TEXT = "On this computer"


def overlay_message(status: SessionStatus) -> str:
    """The dim line at the bottom of the overlay ("" while captions flow, or before the first
    start, when the overlay's own hint says what to do)."""
    if not status.running:
        if status.ending is Ending.FAILED and not status.ever_live:
            return NOT_STARTED  # nothing was stopped (the fourth walk)
        return {
            Ending.STOPPED: STOPPED,
            Ending.FINISHED: FINISHED,
            Ending.FAILED: FAILED,
        }.get(status.ending, "")
    state = status.state
    local = status.engine is not None and status.engine.on_device
    if local and state in (SessionState.CONNECTING, SessionState.RECONNECTING):
        return "Starting captions on this computer…"  # nothing connects anywhere
    if state is SessionState.CONNECTING:
        return "Connecting…"
    if state is SessionState.RECONNECTING:
        return "Reconnecting… captions resume shortly"
    if state is SessionState.UNREACHABLE:
        return "Cannot reach the captioning service"
    if state is SessionState.PAUSED:
        return "Paused"
    if state is SessionState.NO_INPUT:
        return "Waiting for another input"
    if state is SessionState.STOPPING:
        return STOPPED
    if state is SessionState.FAILED:
        return FAILED
    return ""


def badge(status: SessionStatus) -> str:
    """ "On this computer" while the local engine stands in for the cloud and captions (not
    while paused: nothing is captioned anywhere then)."""
    return BADGE_TEXT if status.covered and not status.paused else ""
