"""The connections the supervisor has on their way or open: the current one, which hears the
audio, and at most one made ready on the side, which takes over once it has begun (the cloud
answering again while the local engine stands in). Each has its own stream number; an answer
for a stream that is neither came too late and is let go.
"""

from __future__ import annotations

from dataclasses import dataclass

from caption_app.core.engines.base import Connection, Engine


@dataclass
class Attempt:
    stream: int
    engine: Engine
    started_at: float
    """When it began to wait for an answer (reset once it has loaded what it needs)."""
    dialled: bool = False
    """It has loaded what it needs (an SDK) and contacts the engine: its wait counts."""
    connection: Connection | None = None
    began: bool = False
    expires_in_s: float | None = None

    @property
    def ready(self) -> bool:
        """Open and begun: it can take audio now."""
        return self.began and self.connection is not None

    def waited_s(self, now: float) -> float | None:
        """How long it has waited for its engine's answer; None when it is not waiting (begun,
        or still loading what it needs)."""
        return None if self.began or not self.dialled else now - self.started_at

    def overdue(self, now: float) -> bool:
        """It has waited longer than its engine answers within."""
        waited = self.waited_s(now)
        return waited is not None and waited >= self.engine.answer_within_s


class Attempts:
    def __init__(self) -> None:
        self.current: Attempt | None = None
        self.aside: Attempt | None = None
        self.last_stream = -1

    def new(self, engine: Engine, now: float, *, aside: bool = False) -> Attempt:
        self.last_stream += 1
        attempt = Attempt(self.last_stream, engine, now)
        if aside:
            self.aside = attempt
        else:
            self.current = attempt
        return attempt

    def find(self, stream: int) -> Attempt | None:
        for attempt in (self.current, self.aside):
            if attempt is not None and attempt.stream == stream:
                return attempt
        return None

    @property
    def current_heard(self) -> bool:
        """The current attempt has opened, so audio went to it: its stream's clock began,
        and it cannot wait on the side to take over later (the clock would skip)."""
        return self.current is not None and self.current.connection is not None

    @property
    def aside_ready(self) -> bool:
        return self.aside is not None and self.aside.ready

    def is_current(self, stream: int) -> bool:
        return self.current is not None and self.current.stream == stream

    def is_aside(self, stream: int) -> bool:
        return self.aside is not None and self.aside.stream == stream

    def take_current(self) -> Attempt | None:
        current, self.current = self.current, None
        return current

    def take_aside(self) -> Attempt | None:
        aside, self.aside = self.aside, None
        return aside

    def set_aside(self) -> None:
        """The current attempt goes on, on the side (the local engine takes the audio)."""
        self.aside, self.current = self.current, None

    def take_over(self) -> Attempt:
        """The one on the side becomes the current one."""
        aside, self.aside = self.aside, None
        assert aside is not None and aside.ready
        self.current = aside
        return aside
