"""Session scripts: the words the fake service "recognises", placed on the stream's audio timeline.

A script is a sequence of turns. Each word carries its raw (unformatted, lower-case) text and the
token it becomes once formatted, so a prefix of a turn can be shown formatted ("Hi, my name")
exactly as inline formatting does, and the whole turn reads as its formatted text ("Hi, my name is
Sonny.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

Script = tuple["ScriptTurn", ...]

_PUNCTUATION = re.compile(r"[^\w'-]+")


@dataclass(frozen=True, slots=True)
class ScriptWord:
    """One word; ``start_ms``/``end_ms`` are on the stream's audio timeline (ms of audio sent)."""

    text: str
    start_ms: int
    end_ms: int
    formatted: str = ""
    confidence: float = 0.9
    speaker: str | None = None

    @property
    def formatted_text(self) -> str:
        return self.formatted or self.text


@dataclass(frozen=True, slots=True)
class ScriptTurn:
    """One turn of speech; ``speaker`` and ``language_code`` show up when the session asks."""

    words: tuple[ScriptWord, ...]
    speaker: str | None = None
    language_code: str = "en"
    language_confidence: float = 0.97
    end_of_turn_confidence: float = 0.35
    translation: str = ""
    """What the LLM Gateway answers for this turn when the session asks for a translation
    (the double has no language model; without one it answers with the prompt filled in)."""
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.words:
            raise ValueError("a script turn needs at least one word")
        previous_end = -1
        for word in self.words:
            if word.end_ms < word.start_ms or word.start_ms < previous_end:
                raise ValueError(f"word times must be ordered and non-overlapping: {word}")
            previous_end = word.end_ms

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def formatted_text(self) -> str:
        return " ".join(w.formatted_text for w in self.words)

    @property
    def end_ms(self) -> int:
        return self.words[-1].end_ms

    def shifted(self, offset_ms: int) -> ScriptTurn:
        words = tuple(
            replace(w, start_ms=w.start_ms + offset_ms, end_ms=w.end_ms + offset_ms)
            for w in self.words
        )
        return replace(self, words=words)


def raw_word(token: str) -> str:
    """The unformatted form of a token: lower case, punctuation stripped ("Sonny." -> "sonny")."""
    return _PUNCTUATION.sub("", token).lower()


def format_sentence(sentence: str) -> list[str]:
    """Formatted tokens for a sentence: kept as is when it already has casing or punctuation,
    otherwise the first word and "i" are capitalised and a full stop is added."""
    tokens = sentence.split()
    if not tokens:
        return []
    if sentence != sentence.lower() or any(raw_word(t) != t for t in tokens):
        return tokens
    formatted = ["I" if t == "i" else t for t in tokens]
    formatted[0] = formatted[0][:1].upper() + formatted[0][1:]
    formatted[-1] = formatted[-1] + "."
    return formatted


def turn_from_text(
    sentence: str,
    start_ms: int,
    end_ms: int,
    *,
    gap_ms: int = 0,
    speaker: str | None = None,
) -> ScriptTurn:
    """One turn whose words share [start_ms, end_ms] evenly, ``gap_ms`` apart."""
    tokens = format_sentence(sentence)
    if not tokens:
        raise ValueError("empty sentence")
    span = end_ms - start_ms - gap_ms * (len(tokens) - 1)
    if span < len(tokens):
        raise ValueError(f"{len(tokens)} words do not fit in {end_ms - start_ms} ms")
    words = []
    for i, token in enumerate(tokens):
        w_start = start_ms + i * span // len(tokens) + i * gap_ms
        w_end = start_ms + (i + 1) * span // len(tokens) + i * gap_ms
        words.append(ScriptWord(raw_word(token), w_start, w_end, token, speaker=speaker))
    return ScriptTurn(tuple(words), speaker=speaker)


def script_from_sentences(
    sentences: Sequence[str],
    *,
    word_ms: int = 300,
    gap_ms: int = 50,
    turn_gap_ms: int = 1500,
    start_ms: int = 200,
    speakers: Sequence[str | None] | None = None,
) -> Script:
    """One turn per sentence, every word ``word_ms`` long, ``gap_ms`` between words and
    ``turn_gap_ms`` of silence between turns (make it longer than ``max_turn_silence`` for
    turns to end on silence before the next one starts)."""
    turns = []
    cursor = start_ms
    for index, sentence in enumerate(sentences):
        n_words = len(sentence.split())
        end = cursor + n_words * word_ms + (n_words - 1) * gap_ms
        speaker = speakers[index] if speakers is not None else None
        turns.append(turn_from_text(sentence, cursor, end, gap_ms=gap_ms, speaker=speaker))
        cursor = end + turn_gap_ms
    return tuple(turns)


def script_from_reference(
    reference: str,
    duration_ms: int,
    *,
    lead_ms: int = 150,
    tail_ms: int = 150,
    turns: int = 1,
    turn_gap_ms: int = 0,
) -> Script:
    """Spread a reference transcript evenly over a clip of ``duration_ms``: ``lead_ms`` of
    silence first, ``tail_ms`` last, split into ``turns`` turns of near-equal word counts."""
    tokens = reference.split()
    if not tokens or turns < 1 or turns > len(tokens):
        raise ValueError("need at least one word per turn")
    speech_ms = duration_ms - lead_ms - tail_ms - turn_gap_ms * (turns - 1)
    per_word = speech_ms / len(tokens)
    result = []
    cursor = float(lead_ms)
    for t in range(turns):
        chunk = tokens[t * len(tokens) // turns : (t + 1) * len(tokens) // turns]
        end = cursor + per_word * len(chunk)
        result.append(turn_from_text(" ".join(chunk), round(cursor), round(end)))
        cursor = end + turn_gap_ms
    return tuple(result)
