"""Turns and words: what an engine reports and what every part of the app shows or saves.

A *stream* is one streaming connection. Word times in a ``TurnMessage`` are relative to the
start of its stream; a ``Turn`` has them on the one session clock, across reconnects.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

TurnKey = tuple[int, int]
"""(stream index within the session, turn_order within the stream)."""
Attribution = Callable[[int, int], str | None]
"""(start_ms, end_ms) on the session clock -> who spoke then, e.g. "You" / "Others" from a
microphone + system audio source; None when unknown. Used when the service names no speaker."""


@dataclass(frozen=True, slots=True)
class _Recognised:
    """What is known of one recognised word; its subclass says which clock its times are on."""

    text: str
    start_ms: int
    end_ms: int
    confidence: float
    is_final: bool
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Word(_Recognised):
    """One recognised word; times are milliseconds on the session clock."""


@dataclass(frozen=True, slots=True)
class WordMessage(_Recognised):
    """A word as the engine reported it; times relative to the start of its stream. Not a
    ``Word``: the types keep the two clocks apart (``assembler.py`` converts one to the other)."""


@dataclass(frozen=True, slots=True)
class TurnMessage:
    """The engine-neutral content of one Turn message (the SDK's ``TurnEvent``)."""

    turn_order: int
    transcript: str
    end_of_turn: bool
    turn_is_formatted: bool
    words: tuple[WordMessage, ...]
    end_of_turn_confidence: float = 0.0
    speaker_label: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class SpeakerRevision:
    """A re-clustering result for one earlier turn of a stream."""

    turn_order: int
    speaker_label: str | None
    word_speakers: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Translation:
    """A turn's words in another language: the cloud's LLM Gateway answer for a finished
    turn, or Whisper's translate task on this computer."""

    text: str
    language: str
    """The language of ``text`` ("en"), as a language code."""


@dataclass(frozen=True, slots=True)
class Turn:
    """An immutable snapshot of one turn, safe to hand to another thread."""

    stream: int
    order: int
    words: tuple[Word, ...]
    text: str
    """Finalized text: the transcript as the service sent it (formatted once formatted)."""
    tail: str
    """Words not yet final, to be drawn dimmed after ``text``."""
    finished: bool
    formatted: bool
    speaker: str | None = None
    language: str | None = None
    interrupted: bool = False
    """The stream ended before the service finished this turn (kept as heard so far)."""
    translation: Translation | None = None
    """The turn in the reader's language; it may arrive after the turn ended, even after
    later turns (it is tied to the turn by ``key``). ``text`` stays in the spoken language,
    or is empty when only a translation was made (Whisper's translate task alone)."""

    @property
    def key(self) -> TurnKey:
        return (self.stream, self.order)

    @property
    def start_ms(self) -> int:
        return self.words[0].start_ms if self.words else 0

    @property
    def end_ms(self) -> int:
        return self.words[-1].end_ms if self.words else 0

    @property
    def display_text(self) -> str:
        """Everything a reader should see, finalized words then the tail."""
        if self.text and self.tail:
            return f"{self.text} {self.tail}"
        return self.text or self.tail


class UpdateKind(enum.Enum):
    LIVE = "live"
    """The live turn grew or changed."""
    FINISHED = "finished"
    """A turn ended for the first time."""
    REPLACED = "replaced"
    """A finished turn was replaced (the legacy formatted swap)."""
    RELABELLED = "relabelled"
    """A finished turn's speakers were revised."""
    TRANSLATED = "translated"
    """A finished turn's translation arrived (it never holds up the turn itself)."""


@dataclass(frozen=True, slots=True)
class TurnUpdate:
    kind: UpdateKind
    turn: Turn


CAPTION_CHOICES = ("both", "original", "translation")
"""What a turn shows where it has a translation: the translation under the original line,
the original alone, or the translation alone."""


@dataclass(frozen=True, slots=True)
class ShownText:
    """What a reader sees of one turn: its line, the live words still changing, and the
    translation under it (smaller) when both are shown."""

    main: str
    tail: str = ""
    under: str = ""
    under_language: str = ""


def shown_text(turn: Turn, captions: str = "both") -> ShownText:
    """The turn's text for ``captions`` (one of ``CAPTION_CHOICES``). A turn whose translation
    has not come yet shows its original meanwhile; one with no original (Whisper's translate
    task alone) shows its translation whatever is asked."""
    main = turn.display_text if turn.finished else turn.text
    tail = "" if turn.finished else turn.tail
    translation = turn.translation
    if translation is None or not translation.text:
        return ShownText(main, tail)
    if captions == "translation" or not (main or tail):
        return ShownText(translation.text)
    if captions == "original":
        return ShownText(main, tail)
    return ShownText(main, tail, translation.text, translation.language)


def line_tag(turn: Turn, captions: str = "both", shown: ShownText | None = None) -> str:
    """The language tag of a turn's line: ``es``, or ``es→en`` when what is shown is its
    English translation alone (``shown``: the turn's ``shown_text``, when already made)."""
    spoken = turn.language or ""
    translation = turn.translation
    if translation is None:
        return spoken
    if (shown or shown_text(turn, captions)).main == translation.text:
        return f"{spoken}→{translation.language}" if spoken else translation.language
    return spoken
