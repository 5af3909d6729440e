"""The session's status as the window sees it, kept by the supervisor and said on change.

One ``SessionStatus`` holds all of it (the state and its sentence, the person's Pause, a lost
input, the engine captioning now, whether audio is being sent, the problem in force), so a
window that shows the last one shows the truth. Problems and notices go out beside it, each
said once: the same failure again (a retry that fails the same way) is not said again until
captions have flowed since.
"""

from __future__ import annotations

from caption_app.core.model.problems import Problem
from caption_app.core.model.session import (
    EngineInUse,
    Notice,
    SessionListener,
    SessionState,
    SessionStatus,
)

PAUSED_DETAIL = "Paused: no audio is being sent"
NO_INPUT_DETAIL = "Waiting for another input"


class StatusBoard:
    def __init__(self, report: SessionListener) -> None:
        self._report = report
        self._state = (SessionState.CONNECTING, "Connecting…")
        self._problem: Problem | None = None
        self._engine: EngineInUse | None = None
        self._told: Problem | Notice | None = None
        self.status = SessionStatus(SessionState.IDLE, "")
        """The last status said."""

    def set_state(self, state: SessionState, detail: str, problem: Problem | None = None) -> None:
        """The state the session is in now; ``problem``: what keeps captions from flowing."""
        self._state = (state, detail)
        self._problem = problem

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

    def publish(
        self, *, held: bool, paused: bool, input_lost: bool, sending: bool
    ) -> SessionStatus:
        """Say the status if it changed (``held``: no connection is wanted now)."""
        if held:
            self._problem = None
            if paused:
                self._state = (SessionState.PAUSED, PAUSED_DETAIL)
            else:
                self._state = (SessionState.NO_INPUT, NO_INPUT_DETAIL)
        state, detail = self._state
        status = SessionStatus(
            state,
            detail,
            paused=paused,
            input_lost=input_lost,
            engine=self._engine,
            sending=sending,
            problem=self._problem,
        )
        if status != self.status:
            self.status = status
            self._report(status)
        return status
