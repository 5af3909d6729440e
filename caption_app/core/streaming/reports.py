"""What the supervisor tells the window: the state when it changes, each problem once.

The window folds these into its one snapshot of the session (``core/model/status.py``). The
supervisor says the state (and its sentence) whenever a move changes it, the engine once it
captions, and every problem and notice once: the same failure again (a retry that fails the
same way) is not said again until captions have flowed since.
"""

from __future__ import annotations

from caption_app.core.model.problems import Problem
from caption_app.core.model.session import (
    EngineInUse,
    Notice,
    SessionListener,
    SessionState,
    StateChanged,
)

PAUSED_DETAIL = "Paused: no audio is being sent"
NO_INPUT_DETAIL = "Waiting for another input"


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
        if said != self._told:
            self._told = said
            self._report(said)

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
