"""What the supervisor tells the window: the state when it changes, each problem once.

The window folds these into its one snapshot of the session (``core/model/status.py``). The
supervisor says the state (and its sentence) whenever a move changes it, the engine once it
captions, and every problem and notice once: the same failure again (a retry that fails the
same way) is not said again until captions have flowed since.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace

from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    EngineInUse,
    Holds,
    Notice,
    SessionListener,
    SessionState,
    StateChanged,
)
from caption_app.core.model.status import standing_in_words

PAUSED_DETAIL = "Paused: no audio is being sent"
NO_INPUT_DETAIL = "Waiting for another input"
COVERED = "Captions continue on this computer until the cloud answers again."
SERVICE_ENDED = Problem(
    ProblemKind.NETWORK, "The captioning service ended the session unasked.", Recovery.RECONNECT
)
SERVICE_SILENT = Notice("The captioning service stopped answering; reconnecting.", Holds.UNTIL_LIVE)


def covered(what: str, ago_s: float = 0.0) -> Notice:
    """The local engine stands in: what happened to the cloud, and at what time (``ago_s``
    before now: when it went away, not when the app stopped waiting for it). The notice
    stays while the local engine stands in, which outlasts the outage by up to a try's wait:
    read later, it must not pass an outage that is over for a present one."""
    at = time.strftime("%H:%M:%S", time.localtime(time.time() - ago_s))
    return Notice(f"{what.rstrip('.')} (at {at}). {COVERED}", Holds.WHILE_COVERED)


def live(engine: EngineInUse) -> tuple[SessionState, str]:
    """The state while a connection on ``engine`` captions."""
    if engine.standing_in:
        return SessionState.LIVE, standing_in_words(engine.cloud_waits_for)
    return SessionState.LIVE, "Live"


def ended(failure: Problem | None) -> tuple[SessionState, str]:
    """The state once the session has ended: failed, and why, or stopped."""
    if failure is not None:
        return SessionState.FAILED, failure.message
    return SessionState.IDLE, "Stopped"


def waiting_to_retry(problem: Problem, delay_s: float) -> tuple[SessionState, str]:
    """The state while the next attempt waits ``delay_s`` after ``problem``: a cloud never
    reached is named as such, with retries going on (never "reconnecting")."""
    if problem.kind is ProblemKind.UNREACHABLE:
        return SessionState.UNREACHABLE, f"{problem.message} Trying again in {delay_s:.1f} s."
    if problem.kind is ProblemKind.TOKEN_SERVICE:
        return SessionState.RECONNECTING, problem.message
    return SessionState.RECONNECTING, f"Reconnecting in {delay_s:.1f} s"


_TIME_OF_DAY = re.compile(r" \(at \d\d:\d\d:\d\d\)")


def _news(said: Problem | Notice) -> Problem | Notice:
    """What is said, without the time it happened: the same failure at a later try is not
    news (its first time stays in the notice)."""
    if isinstance(said, Notice):
        return replace(said, text=_TIME_OF_DAY.sub("", said.text))
    return said


class Reports:
    def __init__(self, report: SessionListener) -> None:
        self._report = report
        self._state = (SessionState.CONNECTING, "Connecting…")
        self._engine: EngineInUse | None = None
        self._told: Problem | Notice | None = None
        self.said = StateChanged(SessionState.IDLE, "")
        """The last state said."""

    def set_state(self, state: SessionState, detail: str) -> None:
        """The state the session is in now (said by ``publish``)."""
        self._state = (state, detail)

    def show_engine(self, engine: EngineInUse) -> None:
        if engine != self._engine:
            self._engine = engine
            self._report(engine)

    def tell(self, said: Problem | Notice) -> None:
        """Say it, unless it is what was said last (the same failure again)."""
        news = _news(said)
        if news != self._told:
            self._told = news
            self._report(said)

    def tell_try_failed(self, problem: Problem, *, asked: bool) -> None:
        """A try of the cloud on the side did not begin: the captions go on here, and the
        notice that they do stays as it was (the fifth walk: "…did not come back (at …)"
        became "Cannot reach …: refused (at …)" under the same state); only a key gone bad
        is news (the person has to act), and the failure of a try the person asked for
        (``asked``: a key given, the cloud chosen again), said once."""
        if asked or problem.recovery is Recovery.NEW_KEY:
            self.tell(problem)

    def flowing(self) -> None:
        """Captions flow again: the next problem is news, even if it is the last one again."""
        self._told = None

    def publish(self, *, held: bool, paused: bool) -> StateChanged:
        """Say the state if it changed (``held``: no connection is wanted now; the person's
        Pause says PAUSED before a lost input's NO_INPUT)."""
        if held:
            self._state = (
                (SessionState.PAUSED, PAUSED_DETAIL)
                if paused
                else (SessionState.NO_INPUT, NO_INPUT_DETAIL)
            )
        said = StateChanged(*self._state)
        if said != self.said:
            self.said = said
            self._report(said)
        return said
