"""End of word → that word final on screen, word by word, on one clock.

The audio clock is turned into the wall clock by the reads themselves: each chunk's end
position is noted with the moment the session read it (``AudioClock``), so a word ending at
E ms was heard when the first chunk reaching E was read. A word is final on screen at the
first update that showed it final (a partial's agreed words, or its turn's end). The words
shown are lined up with the reference by edit distance (``align``), so each latency pairs a shown
word with the same word's own end, never with the end of a clip or a sentence, and an inserted
or dropped word shifts nothing. A latency below zero (a word shown before the aligner says it
ended: alignment error of a few ms) is clamped to zero.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.corpus.build import SpokenWord, reference_words
from caption_app.core.model.turns import TurnUpdate, UpdateKind


@dataclass
class AudioClock:
    """Chunk end positions (ms of audio) and when each was read (``time.monotonic``)."""

    ends_ms: list[int] = field(default_factory=list)
    read_at: list[float] = field(default_factory=list)

    def note(self, end_ms: int, at: float) -> None:
        self.ends_ms.append(end_ms)
        self.read_at.append(at)

    def heard_at(self, position_ms: int) -> float:
        """When the audio up to ``position_ms`` had reached the app."""
        index = bisect.bisect_left(self.ends_ms, position_ms)
        return self.read_at[min(index, len(self.read_at) - 1)]


@dataclass(frozen=True, slots=True)
class ShownWord:
    text: str
    """One reference-style word (lower case, no punctuation)."""
    turn: tuple[int, int]
    final_at: float
    """When it was first on screen as final."""


def shown_words(updates: Sequence[TurnUpdate], arrived: Sequence[float]) -> list[ShownWord]:
    """The transcript's words in order, each with the moment it first showed as final."""
    first_final: dict[tuple[int, int], list[tuple[str, float]]] = {}
    finished: dict[tuple[int, int], tuple[TurnUpdate, float]] = {}
    for update, at in zip(updates, arrived, strict=True):
        key = update.turn.key
        if update.kind is UpdateKind.LIVE:
            seen = first_final.setdefault(key, [])
            finals = [w.text for w in update.turn.words if w.is_final]
            for text in finals[len(seen) :]:
                seen.append((" ".join(reference_words(text)), at))
        elif key not in finished:
            finished[key] = (update, at)
    words: list[ShownWord] = []
    for key in sorted(finished):
        update, ended_at = finished[key]
        promised = first_final.get(key, [])
        # The turn's words in order, each paired with the next promised word when it is the
        # same word: a word the final reading adds ("And" before the promised "Mr. John")
        # is final only at the turn's end, and shifts no promised word's moment.
        next_promised = 0
        for word in update.turn.words:
            text = " ".join(reference_words(word.text))
            at = ended_at
            if next_promised < len(promised) and promised[next_promised][0] == text:
                at = promised[next_promised][1]
                next_promised += 1
            words.extend(ShownWord(part, key, at) for part in text.split())
    return words


@dataclass(frozen=True)
class WordTimings:
    latencies_s: list[float]
    """One per reference word shown (hit or substitution), clamped at zero."""
    dropped: int
    """Reference words never shown."""
    dropped_at_splits: int
    """Of those, the ones between two turns: lost where an utterance was cut."""
    inserted: int


SUBSTITUTION = 1.5
"""A substitution costs more than one edit, less than a drop and an insertion: where both
explain the words equally (plain edit distance ties), the alignment keeps the matching word."""


def align(reference: Sequence[str], hypothesis: Sequence[str]) -> list[tuple[str, int, int]]:
    """Edit-distance alignment: ("equal" | "substitute", i, j), ("delete", i, j) with j the
    hypothesis position the dropped word falls before, ("insert", i, j)."""
    n, m = len(reference), len(hypothesis)
    cost = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = float(i)
    for j in range(1, m + 1):
        cost[0][j] = float(j)
    for i in range(1, n + 1):
        row, above = cost[i], cost[i - 1]
        for j in range(1, m + 1):
            same = reference[i - 1] == hypothesis[j - 1]
            row[j] = min(
                above[j - 1] + (0.0 if same else SUBSTITUTION), above[j] + 1, row[j - 1] + 1
            )
    ops: list[tuple[str, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            same = reference[i - 1] == hypothesis[j - 1]
            if cost[i][j] == cost[i - 1][j - 1] + (0.0 if same else SUBSTITUTION):
                ops.append(("equal" if same else "substitute", i - 1, j - 1))
                i, j = i - 1, j - 1
                continue
        if i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            ops.append(("delete", i - 1, j))
            i -= 1
        else:
            ops.append(("insert", i, j - 1))
            j -= 1
    return ops[::-1]


def word_timings(
    reference: Sequence[SpokenWord], shown: Sequence[ShownWord], clock: AudioClock
) -> WordTimings:
    ops = align([w.text for w in reference], [w.text for w in shown])
    latencies: list[float] = []
    dropped = at_splits = inserted = 0
    for kind, i, j in ops:
        if kind in ("equal", "substitute"):
            heard = clock.heard_at(reference[i].end_ms)
            latencies.append(max(0.0, shown[j].final_at - heard))
        elif kind == "delete":
            dropped += 1
            if 0 < j < len(shown) and shown[j - 1].turn != shown[j].turn:
                at_splits += 1
        else:
            inserted += 1
    return WordTimings(latencies, dropped, at_splits, inserted)
