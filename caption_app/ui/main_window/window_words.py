"""What the main window says, as a function of what is true now: its notices, its status line
and its sending light.

Nothing here reacts to an event. ``window_words(facts)`` reads one ``WindowFacts`` (the
session's ``SessionStatus``, the engine chosen, what is known of the API key, and the notes the
application keeps) and returns every word the window shows. Each notice is there because a
condition holds, and is gone the moment it does not: a problem until captions are live again,
"no sound" until there is sound, "the cloud did not come back" until it is back, a rejected key
until another is given. So no notice can outlive its truth, whatever order things happen in.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from caption_app.core.model.problems import ProblemKind
from caption_app.core.model.session import Holds, SessionState
from caption_app.core.model.status import (
    Ending,
    SessionStatus,
    next_said,
    passes,
    standing_in_words,
)
from caption_app.ui.main_window.problem_text import problem_text

LOCAL, AUTO = "local", "auto"
KEY_KINDS = (ProblemKind.AUTH, ProblemKind.NO_KEY)
"""Problems about the key: said from what is known of the key, not from the session."""
ENGINES_EXPLAINED_TEXT = (
    "Captions run on this computer with no account: audio stays here. For higher accuracy and "
    "speaker labels, use AssemblyAI's cloud engine with an API key."
)


class Until(enum.Enum):
    """How long a note the application gives stays true."""

    DISMISSED = "dismissed"
    """A fact that stays true (a setting was reset)."""
    NEXT_START = "next-start"
    """About a start that could not happen, or news of the last session (an export): until
    the next start."""
    WHILE_RUNNING = "while-running"
    """About the session running now (a choice that applies from the next start)."""
    NEWS_WHILE_RUNNING = "news-while-running"
    """The answer to what the person just did, true while the session runs (a key given
    while captions that started without one run here): among the news, not after it."""


@dataclass(frozen=True)
class NoticeItem:
    """One notice: its words, an optional action, and the key of the condition that owns it."""

    key: str
    text: str
    action_text: str = ""
    action: Callable[[], None] | None = field(default=None, compare=False)
    on_dismiss: Callable[[], None] | None = field(default=None, compare=False)
    dismissed_for_the_session: bool = False
    """Dismissing it means "I know" for the rest of the session (a quiet input that is quiet on
    purpose), not only while this occurrence lasts."""

    @property
    def offers_action(self) -> bool:
        return bool(self.action_text and self.action)


@dataclass(frozen=True)
class AppNote:
    """A notice the application gives (not the session), and how long it holds."""

    item: NoticeItem
    until: Until
    said: int = field(default_factory=next_said, compare=False)


@dataclass(frozen=True)
class KeyFacts:
    available: bool = False
    """A key or a token service is known to be set up."""
    rejected: str = ""
    """Which key AssemblyAI rejected ("the stored key (ab…yz)"), until another is given or
    the cloud captions again (a key was taken, so the rejection is over)."""


@dataclass(frozen=True)
class WindowFacts:
    status: SessionStatus = field(default_factory=SessionStatus)
    preference: str = AUTO
    """The engine chosen: auto, assemblyai or local."""
    key: KeyFacts = field(default_factory=KeyFacts)
    explain_engines: bool = False
    """The first launch: say once what each engine does, until the cloud is set up."""
    notes: tuple[AppNote, ...] = ()


@dataclass(frozen=True)
class Light:
    text: str
    style: str = ""
    lit: bool = False
    """Audio is captured for captions now (to the cloud, or on this computer)."""


@dataclass(frozen=True)
class WindowWords:
    status_line: str
    light: Light
    notices: tuple[NoticeItem, ...]


@dataclass(frozen=True)
class NoticeActions:
    """What the window's notices can offer to do."""

    enter_key: Callable[[], None] | None = None
    use_assemblyai: Callable[[], None] | None = None


SENDING = Light("● Sending audio to the cloud", "color: #c62828; font-weight: bold;", lit=True)
CONNECTING = Light("◌ Connecting: no audio sent yet")
NOT_SENDING = Light("○ Not sending audio")
ON_DEVICE = Light("● Audio stays on this computer", "color: #2e7d32; font-weight: bold;", lit=True)
NOT_LISTENING = Light("○ Not listening")
PAUSED_HERE = Light("○ Paused: nothing is captioned")
"""Paused on this computer: the input stays open (the meter still moves), so "not listening"
would not be true (the third walk)."""


def window_words(facts: WindowFacts, actions: NoticeActions | None = None) -> WindowWords:
    return WindowWords(
        status_line(facts.status),
        light(facts.status),
        notices(facts, actions or NoticeActions()),
    )


def light(status: SessionStatus) -> Light:
    """Lit exactly while audio is taken for captions; red while it goes to the cloud."""
    connected = status.running and status.state in (
        SessionState.CONNECTING,
        SessionState.LIVE,
        SessionState.RECONNECTING,
    )
    engine = status.engine
    if engine is not None and engine.on_device:
        if connected:
            return ON_DEVICE
        return PAUSED_HERE if status.running and status.paused else NOT_LISTENING
    if connected and status.sending:
        # Before the service's Begin the audio waits in the connection: nothing has left yet.
        return SENDING if status.state is SessionState.LIVE else CONNECTING
    return NOT_SENDING


def status_line(status: SessionStatus) -> str:
    """One short line: what the session is doing. Why, and what to do, is the notice's."""
    state, engine = status.state, status.engine
    local = engine is not None and engine.on_device
    name = engine.name if engine is not None and engine.name else "the captioning service"
    if not status.running or state is SessionState.IDLE:
        if status.ending is Ending.FAILED:  # why, and what to do, is the notice's
            return "Stopped: captions could not go on" if status.ever_live else "Did not start"
        return (
            "Finished: the whole file was captioned"
            if status.ending is Ending.FINISHED
            else "Stopped"
        )
    if state is SessionState.CONNECTING:
        return "Starting the speech model on this computer…" if local else f"Connecting to {name}…"
    if state is SessionState.LIVE:
        if local and engine is not None and engine.standing_in:
            return standing_in_words(engine.cloud_waits_for)
        return "Live on this computer" if local else "Live"
    if state is SessionState.RECONNECTING:
        detail = status.detail
        if local:  # nothing connects: the engine's process starts again (a Resume, a crash)
            wait = (
                detail.removeprefix("Reconnecting") if detail.startswith("Reconnecting in") else "…"
            )
            return f"Starting the speech model on this computer{wait}"
        return detail if detail.startswith("Reconnecting in") else "Reconnecting…"
    if state is SessionState.UNREACHABLE:
        return f"Cannot reach {name}: trying again"
    if state is SessionState.PAUSED:
        if local:  # no audio is ever sent from here: that says nothing (the fourth walk)
            return "Paused: nothing is captioned"
        return status.detail or "Paused: no audio is being sent"
    if state is SessionState.NO_INPUT:
        return status.detail or "Waiting for another input"
    if state is SessionState.STOPPING:
        return "Stopping…"
    return "Stopped: captions could not go on"


def transcript_hint(status: SessionStatus, start_keys: str) -> str:
    """What the empty transcript says: how to start, or that the lines are on their way."""
    if not status.running:
        keys = f" ({start_keys})" if start_keys else ""
        return f"Press Start captions{keys}; each finished line appears here."
    if status.live:
        return "Listening… each finished line appears here."
    waiting = {
        SessionState.PAUSED: "Paused: each finished line appears here once captions resume.",
        SessionState.NO_INPUT: "Waiting for an input: each finished line appears here then.",
        SessionState.STOPPING: "Stopping captions…",
    }
    return waiting.get(status.state, "Starting captions… each finished line appears here.")


def notices(facts: WindowFacts, actions: NoticeActions) -> tuple[NoticeItem, ...]:
    """Every notice whose condition holds now, the most pressing first."""
    status = facts.status
    found: list[NoticeItem] = []
    found.extend(_key_notices(facts, actions))
    problem = status.problem
    # A connection being retried is moot while paused: nothing is retried, and "captions
    # continue … by themselves" would not happen (the fourth walk). A lost input is not: the
    # person must pick another before resuming.
    moot = status.live or (status.paused and problem is not None and not problem.audio)
    if problem is not None and problem.kind not in KEY_KINDS and not (passes(problem) and moot):
        stand_in = status.has_stand_in and status.running
        text = problem_text(problem, stand_in=stand_in, ended=not status.running)
        found.append(NoticeItem(f"problem:{problem.kind.value}", text))
    # A silent input may be a muted microphone: the person has something to do (the sixth
    # walk: it waited under older news).
    if status.silent_input and status.running and not status.paused:
        found.append(
            NoticeItem(
                f"silence:{status.silent_input}",
                status.silent_input,
                dismissed_for_the_session=True,
            )
        )
    # News, the newest first, whoever gave it: what the person just did (an export, a key
    # saved) answers them now (the fourth walk: "Transcript exported…" waited behind five
    # others), and the session's newer news is not hidden behind the app's older notes (the
    # fifth walk: "The key is in use…" on top of "Cannot reach …"). Notes about the session
    # running (the next start's engine) come after all news.
    news = [
        (n.said, n.item)
        for n in facts.notes
        if n.until is not Until.WHILE_RUNNING and _app_note_holds(n, facts)
    ]
    news += [
        (note.said, NoticeItem(f"session:{note.text}", note.text))
        for note in status.notes
        if _note_holds(note.holds, status)
    ]
    found.extend(item for _, item in sorted(news, key=lambda said: said[0], reverse=True))
    if _explain_engines(facts):
        found.append(
            NoticeItem(
                "engines-explained",
                ENGINES_EXPLAINED_TEXT,
                "Use AssemblyAI (enter a key)…",
                actions.use_assemblyai,
            )
        )
    running_notes = [n for n in facts.notes if n.until is Until.WHILE_RUNNING]
    found.extend(n.item for n in running_notes if _app_note_holds(n, facts))
    return tuple(found)


KEY_NEWS = "key-news"
"""The app's note of what became of a key given in the key dialog."""


def _app_note_holds(note: AppNote, facts: WindowFacts) -> bool:
    running_only = (Until.WHILE_RUNNING, Until.NEWS_WHILE_RUNNING)
    if note.until in running_only and not facts.status.running:
        return False
    # "The key is in use…" is over once AssemblyAI rejects it (the fourth walk).
    return not (note.item.key == KEY_NEWS and facts.key.rejected)


def _note_holds(holds: Holds, status: SessionStatus) -> bool:
    if holds is Holds.UNTIL_NEXT_START:
        return True
    if not status.running:
        return False
    if holds is Holds.UNTIL_LIVE:
        return not status.live
    if holds is Holds.WHILE_COVERED:
        return status.covered
    if holds is Holds.WHILE_INPUT:
        return not status.input_lost and not status.paused
    return True


def _key_notices(facts: WindowFacts, actions: NoticeActions) -> list[NoticeItem]:
    status, key = facts.status, facts.key
    if facts.preference == LOCAL:
        return []  # the key plays no part in captions on this computer
    if key.rejected:
        text = f"AssemblyAI rejected {key.rejected}."
        if status.running and not status.cloud:
            text += " Captions run on this computer until you enter a valid key."
        else:
            text += " Enter a valid key to caption with AssemblyAI."
        return [NoticeItem("key-rejected", text, "Enter key…", actions.enter_key)]
    problem = status.problem
    if problem is not None and problem.kind is ProblemKind.NO_KEY and not key.available:
        return [NoticeItem("no-key", problem_text(problem), "Enter key…", actions.enter_key)]
    return []


def _explain_engines(facts: WindowFacts) -> bool:
    """Said on the first launch until the cloud is set up (a key), or captions go there."""
    status = facts.status
    if not facts.explain_engines or facts.key.available:
        return False
    return not (status.running and status.cloud)
