"""SessionStatus: what is true of the live session now, as one immutable snapshot.

A window must never say what was true a moment ago. So it does not react to events one by one:
every event is folded into this snapshot (``SessionStatus.after``), and everything the window
and the overlay say (notices, the status line, the sending light, the overlay's own message) is
a function of the snapshot alone. A notice lasts exactly as long as the part of the snapshot
that owns it: a problem until captions are live again, a warning about a silent input until
sound arrives, a lost input until an input delivers again, the news that the local engine
stands in for the cloud until the cloud is back, the news of an input until it is lost.

Folding returns the same object when nothing a person could see changed (ten level readings a
second mostly change nothing), so a listener redraws only on a real change.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field, replace

from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    AudioLevel,
    EngineInUse,
    Holds,
    InputSilence,
    Notice,
    SessionEnded,
    SessionEvent,
    SessionState,
    StateChanged,
)
from caption_app.core.model.turns import TurnUpdate

CONNECTED_STATES = frozenset(
    {SessionState.CONNECTING, SessionState.LIVE, SessionState.RECONNECTING}
)
"""States in which a connection may be taking audio."""
REPLACING_HOLDS = frozenset({Holds.WHILE_INPUT, Holds.WHILE_COVERED})
"""A newer notice of these takes the last one's place: the news of the input in use now (not
the one before), why the cloud is away now (one outage is said once)."""
PASSING_RECOVERIES = frozenset({Recovery.RECONNECT, Recovery.RECONNECT_NOW, Recovery.RETRY_LATER})
PASSING_KINDS = frozenset(
    {ProblemKind.ENGINE_FAULT, ProblemKind.INPUT_LOST, ProblemKind.UNREACHABLE}
)


def passes(problem: Problem) -> bool:
    """Whether the problem ends by itself once captions are live again."""
    return problem.recovery in PASSING_RECOVERIES or problem.kind in PASSING_KINDS


class Ending(enum.Enum):
    """How the last session ended (nothing yet while one runs)."""

    NONE = "none"
    STOPPED = "stopped"
    FINISHED = "finished"
    """A media file was captioned to its end."""
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class EngineView:
    """The engine captioning now (or about to): what the window says about where audio goes."""

    name: str
    on_device: bool
    billed_per_hour_usd: float = 0.0
    standing_in: bool = False
    """The local engine covers for a cloud that cannot be reached."""
    cloud_waits_for: str = ""
    """While standing in: what the cloud waits for from the person (``EngineInUse``)."""

    @classmethod
    def of(cls, event: EngineInUse) -> EngineView:
        return cls(
            event.name,
            event.on_device,
            event.billed_per_hour_usd,
            event.standing_in,
            event.cloud_waits_for,
        )


def standing_in_words(cloud_waits_for: str) -> str:
    """The status while the local engine stands in for the cloud. When the cloud waits for
    the person (a key), that is the reason; otherwise only that it stands in, not "the cloud
    cannot be reached": the cloud may be back a try's wait before the local engine gives way.
    (The ninth walk: "standing in for the cloud" with no key read as if the cloud were being
    tried, and it was not.)"""
    if cloud_waits_for:
        return f"Live on this computer: {cloud_waits_for}"
    return "Live on this computer, standing in for the cloud"


_SAID = itertools.count()


def next_said() -> int:
    """The order in which notes were given, the session's and the application's alike (the
    window shows the newest news first, whoever gave it)."""
    return next(_SAID)


@dataclass(frozen=True, slots=True)
class SessionNote:
    """A notice the session gave, kept while its owner condition (``holds``) is true."""

    text: str
    holds: Holds
    said: int = field(default_factory=next_said, compare=False)


@dataclass(frozen=True, slots=True)
class SessionStatus:
    running: bool = False
    """A session thread is running (from Start until it has really ended)."""
    state: SessionState = SessionState.IDLE
    detail: str = ""
    engine: EngineView | None = None
    """The engine of the current connection, or the one the session starts with."""
    has_stand_in: bool = False
    """The local engine takes over if the cloud cannot be reached (engine = auto)."""
    sending: bool = False
    """Audio goes to a connection now (it is kept for the next one otherwise)."""
    silent_input: str = ""
    """While the input delivers only silence: what to tell the person about it."""
    input_lost: bool = False
    """The input stopped delivering (unplugged), until a reading comes from one again."""
    problem: Problem | None = None
    """The problem that holds now: a passing one until captions are live again, one that
    ended the session until the next start."""
    notes: tuple[SessionNote, ...] = ()
    ending: Ending = Ending.NONE
    ever_live: bool = False
    """Captions ran at some point of this session (a start that failed never got there)."""

    @classmethod
    def starting(cls, engine: EngineView, *, has_stand_in: bool) -> SessionStatus:
        """A session is being started now with ``engine``: nothing of the last one holds."""
        return cls(
            running=True, state=SessionState.CONNECTING, engine=engine, has_stand_in=has_stand_in
        )

    @property
    def paused(self) -> bool:
        return self.state is SessionState.PAUSED

    @property
    def live(self) -> bool:
        return self.running and self.state is SessionState.LIVE

    @property
    def covered(self) -> bool:
        """The local engine is captioning in place of the cloud."""
        return self.running and self.engine is not None and self.engine.standing_in

    @property
    def cloud(self) -> bool:
        """The engine of this session sends audio off the machine."""
        return self.engine is not None and not self.engine.on_device

    def ended(self) -> SessionStatus:
        """The session thread has ended: what held only while it ran no longer holds."""
        if not self.running:
            return self
        ending = self.ending
        if ending is Ending.NONE:
            ending = Ending.FAILED if self.state is SessionState.FAILED else Ending.STOPPED
        # A problem that passes once captions are live is over with the session, unless the
        # session failed for it: then it is the reason ("Did not start", and why).
        problem = self.problem
        if problem is not None and passes(problem) and ending is not Ending.FAILED:
            problem = None
        return replace(
            self,
            running=False,
            sending=False,
            silent_input="",
            input_lost=False,
            problem=problem,
            notes=tuple(n for n in self.notes if n.holds is Holds.UNTIL_NEXT_START),
            ending=ending,
        )

    def after(self, event: SessionEvent) -> SessionStatus:
        """This status with ``event`` folded in (``self`` when nothing changed)."""
        if isinstance(event, AudioLevel):
            return self._level(event)
        if isinstance(event, TurnUpdate):
            # Words are arriving: whatever the silence watch said, the input is not muted.
            heard = self.silent_input and event.turn.text
            return replace(self, silent_input="") if heard else self
        if isinstance(event, StateChanged):
            return self._state_changed(event)
        if isinstance(event, EngineInUse):
            engine = EngineView.of(event)
            notes, problem = self.notes, self.problem
            if not engine.standing_in:  # the cloud is back: the news of its absence is over
                notes = tuple(n for n in notes if n.holds is not Holds.WHILE_COVERED)
            elif problem is not None and passes(problem):
                # This computer takes over: the cloud's trouble ("if it does not answer within
                # a few seconds…") is overtaken; the note that it did not come back says it.
                problem = None
            return replace(self, engine=engine, notes=notes, problem=problem)
        if isinstance(event, Problem):
            return self._problem(event)
        if isinstance(event, Notice):
            return self._notice(event)
        if isinstance(event, InputSilence):
            text = event.text if event.silent else ""
            return self if text == self.silent_input else replace(self, silent_input=text)
        if isinstance(event, SessionEnded):
            if event.failed is not None:
                return replace(self, ending=Ending.FAILED, problem=event.failed)
            return replace(self, ending=Ending.FINISHED if event.reached_end else Ending.STOPPED)
        return self

    def _level(self, level: AudioLevel) -> SessionStatus:
        sending = level.sending and self.state in CONNECTED_STATES
        if sending == self.sending and not self.input_lost:
            return self
        # An input delivers: that one was lost is no longer the news (nor its advice to pick
        # another), whatever the state (a replacement picked while paused).
        problem = self.problem
        if problem is not None and problem.kind is ProblemKind.INPUT_LOST:
            problem = None
        return replace(self, sending=sending, input_lost=False, problem=problem)

    def _problem(self, problem: Problem) -> SessionStatus:
        if problem.kind is ProblemKind.INPUT_LOST:  # what was said of that input is over
            notes = tuple(n for n in self.notes if n.holds is not Holds.WHILE_INPUT)
            return replace(self, problem=problem, input_lost=True, notes=notes)
        return replace(self, problem=problem)

    def _notice(self, notice: Notice) -> SessionStatus:
        note = SessionNote(notice.text, notice.holds)
        if note in self.notes:
            return self
        notes = self.notes
        if note.holds in REPLACING_HOLDS:  # one input, one outage: one piece of news each
            notes = tuple(n for n in notes if n.holds is not note.holds)
        return replace(self, notes=(*notes, note))

    def _state_changed(self, event: StateChanged) -> SessionStatus:
        state = event.state
        sending = self.sending and state in CONNECTED_STATES
        problem, notes = self.problem, self.notes
        if state is SessionState.LIVE:
            # Captions are back: what was wrong with the connection is over.
            if problem is not None and passes(problem):
                problem = None
            notes = tuple(n for n in notes if n.holds is not Holds.UNTIL_LIVE)
        elif state is SessionState.PAUSED and self.state is not SessionState.PAUSED:
            # The person paused: "captioning continues from …" is no longer what happens.
            notes = tuple(n for n in notes if n.holds is not Holds.WHILE_INPUT)
        silent = self.silent_input if state not in (SessionState.IDLE, SessionState.FAILED) else ""
        return replace(
            self,
            state=state,
            detail=event.detail,
            sending=sending,
            problem=problem,
            notes=notes,
            silent_input=silent,
            ever_live=self.ever_live or state is SessionState.LIVE,
        )
