"""What keeps the session from wanting a connection: the person's Pause, and a lost input.

Pausing is the person's intent, not a phase of the connection: it outlives every phase and
every order of events (the input lost and replaced, a connection failing or answering late),
and while it holds no connection is opened and no audio is sent. Each change says which move
of the supervisor's table it calls for, if any.
"""

from __future__ import annotations

from caption_app.core.streaming.phases import Trigger


class Hold:
    def __init__(self) -> None:
        self.paused = False
        self.input_lost = False

    @property
    def holding(self) -> bool:
        return self.paused or self.input_lost

    def pause(self) -> Trigger:
        self.paused = True
        return Trigger.PAUSE

    def resume(self) -> Trigger | None:
        self.paused = False
        return None if self.input_lost else Trigger.RELEASE

    def lose_input(self) -> Trigger:
        self.input_lost = True
        return Trigger.INPUT_LOST

    def replace_input(self) -> Trigger | None:
        """Another input started: the next connection hears it (not before Pause is lifted)."""
        was_lost, self.input_lost = self.input_lost, False
        if self.paused:
            return None
        return Trigger.RELEASE if was_lost else Trigger.INPUT_REPLACED
