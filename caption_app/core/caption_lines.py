"""What the caption overlay shows, without Qt: the recent turns and their wrapped lines.

The overlay only ever shows a few lines, so this model keeps only the last few finished turns
plus the live turn of each stream. Applying an update and laying the text out therefore cost
the same an hour into a meeting as in its first minute. A revision (legacy formatted swap,
speaker relabel, a late translation) of a turn that has already scrolled away is simply
ignored. A translation shown under its line gets lines of its own, drawn smaller.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from caption_app.core.model.turns import Turn, TurnKey, TurnUpdate, UpdateKind, shown_text

KEPT_FINISHED_TURNS = 16
"""Enough short turns ("Yes." "Okay.") to fill six lines; long turns fill them sooner."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One turn as shown: finalized text solid, the not-yet-final tail dimmed."""

    key: TurnKey
    solid: str
    dim: str
    speaker: str | None
    finished: bool
    under: str = ""
    """The turn's translation, on lines of its own under it (smaller)."""


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of one line drawn in one style; ``text`` carries its leading space."""

    text: str
    dim: bool = False
    label: bool = False
    small: bool = False
    """A translation under its line."""


Line = tuple[Run, ...]


class CaptionLines:
    """The recent turns on screen, updated in O(1) per ``TurnUpdate``."""

    def __init__(
        self,
        *,
        finished_lines_only: bool = False,
        show_speakers: bool = True,
        kept_turns: int = KEPT_FINISHED_TURNS,
        captions: str = "both",
    ) -> None:
        self.finished_lines_only = finished_lines_only
        self.show_speakers = show_speakers
        self.captions = captions
        """Where a turn is translated: ``both`` (under the line), ``translation`` (alone)."""
        self._kept = kept_turns
        self._finished: OrderedDict[TurnKey, Turn] = OrderedDict()
        self._live: dict[int, Turn] = {}
        self._finished_segments: tuple[tuple[bool, str], list[Segment]] | None = None
        """The finished turns as segments (and ``show_speakers`` then): they change about
        once a turn, the live ones on every update."""

    def apply(self, update: TurnUpdate) -> bool:
        """Fold one update in; returns whether anything on screen may have changed."""
        turn = update.turn
        if update.kind is UpdateKind.LIVE:
            return self._apply_live(turn)
        if update.kind is UpdateKind.FINISHED:
            self._drop_live(turn)
            self._finished[turn.key] = turn
            self._finished.move_to_end(turn.key)
            self._trim()
            self._finished_segments = None
            return True
        # REPLACED / RELABELLED / TRANSLATED: only a turn still on screen changes; its place
        # stays (a late translation lands under its own line, wherever that is).
        if turn.key not in self._finished:
            return False
        self._finished[turn.key] = turn
        self._finished_segments = None
        return True

    def clear(self) -> None:
        """Forget everything shown (the silence timeout, a new session)."""
        self._finished.clear()
        self._live.clear()
        self._finished_segments = None

    def turn_count(self) -> int:
        """How many turns the model holds (bounded; for tests of constant cost)."""
        return len(self._finished) + len(self._live)

    def visible_segments(self) -> list[Segment]:
        """The turns to draw, oldest first: finished turns, then live turns by stream."""
        cached = self._finished_segments
        shape = (self.show_speakers, self.captions)
        if cached is None or cached[0] != shape:
            cached = (shape, self._segments(self._finished.values()))
            self._finished_segments = cached
        if self.finished_lines_only:
            return list(cached[1])
        return [*cached[1], *self._segments(self._live[s] for s in sorted(self._live))]

    def _segments(self, turns: Iterable[Turn]) -> list[Segment]:
        segments = []
        for turn in turns:
            shown = shown_text(turn, self.captions)
            if not (shown.main or shown.tail):
                continue
            speaker = turn.speaker if self.show_speakers else None
            segments.append(
                Segment(turn.key, shown.main, shown.tail, speaker, turn.finished, shown.under)
            )
        return segments

    def _apply_live(self, turn: Turn) -> bool:
        if turn.key in self._finished:
            return False  # a late partial for a turn already ended
        # An abandoned live turn of this stream was finished by the assembler (a FINISHED
        # update) before this turn's first partial, so replacing the stream's entry is safe.
        self._live[turn.stream] = turn
        return True

    def _drop_live(self, turn: Turn) -> None:
        live = self._live.get(turn.stream)
        if live is not None and live.order == turn.order:
            del self._live[turn.stream]

    def _trim(self) -> None:
        while len(self._finished) > self._kept:
            self._finished.popitem(last=False)


def wrap_lines(
    segments: Sequence[Segment],
    width: float,
    measure: Callable[[str], float],
    max_lines: int,
    measure_small: Callable[[str], float] | None = None,
) -> list[Line]:
    """Word-wrap the segments to ``width`` and return the last ``max_lines`` lines.

    Turns flow on from one another like broadcast captions; a change of speaker starts a new
    line with its label. A word wider than the whole line gets a line of its own (and is
    clipped when drawn) rather than being split mid-word.
    """
    flow = _Flow(width, measure, measure_small)
    for segment in segments:
        flow.add(segment)
    return flow.last_lines(max_lines)


class CachedWrap:
    """``wrap_lines`` for every caption update: the finished turns, which change about once a
    turn, are wrapped once and kept; an update wraps only the live words that follow them."""

    def __init__(self) -> None:
        self._key: tuple[tuple[Segment, ...], float] | None = None
        self._finished: _Flow | None = None

    def wrap(
        self,
        segments: Sequence[Segment],
        width: float,
        measure: Callable[[str], float],
        max_lines: int,
        measure_small: Callable[[str], float] | None = None,
    ) -> list[Line]:
        count = 0
        while count < len(segments) and segments[count].finished:
            count += 1
        key = (tuple(segments[:count]), width)
        if self._finished is None or key != self._key:
            self._finished = _Flow(width, measure, measure_small)
            for segment in segments[:count]:
                self._finished.add(segment)
            self._key = key
        flow = self._finished.copy()
        for segment in segments[count:]:
            flow.add(segment)
        return flow.last_lines(max_lines)


def line_text(line: Line) -> str:
    return "".join(run.text for run in line)


_Token = tuple[str, bool, bool, bool]  # (word, dim, label, small)


class _Flow:
    """Greedy word wrap, one segment at a time: the full lines, and the open last line."""

    def __init__(
        self,
        width: float,
        measure: Callable[[str], float],
        measure_small: Callable[[str], float] | None = None,
    ) -> None:
        self._width = width
        self._measure = measure
        self._measure_small = measure_small or measure
        self._space = measure(" ")
        self.lines: list[list[_Token]] = []
        self.open_line: list[_Token] = []
        self._used = 0.0
        self._speaker: str | None = None

    def copy(self) -> _Flow:
        flow = copy.copy(self)
        flow.lines = list(self.lines)
        flow.open_line = list(self.open_line)
        return flow

    def add(self, segment: Segment) -> None:
        if segment.speaker is not None and segment.speaker != self._speaker:
            self._end_line()  # a new speaker starts a new line, with their label
            self._add((f"{segment.speaker}:", False, True, False))
            self._speaker = segment.speaker
        for word in segment.solid.split():
            self._add((word, False, False, False))
        for word in segment.dim.split():
            self._add((word, True, False, False))
        if segment.under:
            self._end_line()  # the translation goes under its line, on lines of its own
            for word in segment.under.split():
                self._add((word, False, False, True))
            self._end_line()

    def last_lines(self, count: int) -> list[Line]:
        # Only the lines shown become runs (this runs on every caption update).
        if count <= 0:
            return []
        lines = [*self.lines, self.open_line] if self.open_line else self.lines
        return [_runs(line) for line in lines[-count:]]

    def _end_line(self) -> None:
        if self.open_line:
            self.lines.append(self.open_line)
            self.open_line, self._used = [], 0.0

    def _add(self, token: _Token) -> None:
        advance = (self._measure_small if token[3] else self._measure)(token[0])
        if self.open_line and self._used + self._space + advance > self._width:
            self._end_line()
        self._used += (self._space if self.open_line else 0.0) + advance
        self.open_line.append(token)


def _runs(tokens: list[_Token]) -> Line:
    runs: list[Run] = []
    for word, dim, label, small in tokens:
        text = f" {word}" if runs else word
        last = runs[-1] if runs else None
        if last is not None and (last.dim, last.label, last.small) == (dim, label, small):
            runs[-1] = Run(last.text + text, dim, label, small)
        else:
            runs.append(Run(text, dim, label, small))
    return tuple(runs)


def fit_message(
    text: str, width: float, measure: Callable[[str], float], max_lines: int
) -> list[Line]:
    """A message (the overlay's own words) word-wrapped in dimmed runs, never cut mid-word:
    if it needs more than ``max_lines`` lines, the last one ends with "…" after the last
    whole word that fits."""
    if max_lines <= 0 or not text.strip():
        return []
    flow = _Flow(width, measure)
    flow.add(Segment((-1, -1), "", text, None, False))
    lines = [*flow.lines, flow.open_line] if flow.open_line else list(flow.lines)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = list(kept[-1])
        while last and measure(" ".join(t[0] for t in last) + " …") > width and len(last) > 1:
            last.pop()
        last.append(("…", True, False, False))
        kept[-1] = last
        lines = kept
    return [_runs(line) for line in lines]
