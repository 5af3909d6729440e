"""The session transcript: what was said, when, by whom, and where captioning stopped.

``SessionTranscript`` is mutable and owned by the session's thread; it folds finished turns in
and keeps a key index so the legacy formatted swap and speaker revisions replace a turn in O(1).
``snapshot()`` hands out an immutable ``TranscriptDocument`` that exporters and other threads may
keep. All times are milliseconds on one session clock, across reconnects and rollovers.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from caption_app.core.model.gaps import Gap, Marker, inputs_said
from caption_app.core.model.turns import Turn, TurnKey, TurnUpdate, UpdateKind

Entry = Turn | Gap | Marker


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One streaming connection of the session; ``offset_ms`` is where its clock starts."""

    index: int
    session_id: str | None
    offset_ms: int


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What a session was: fixed at its start except ``title`` (renames)."""

    id: str
    started_at: datetime
    """Aware UTC datetime."""
    engine: str
    source: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    """A JSON-able snapshot of the settings the session ran with."""
    title: str = ""

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        local = self.started_at.astimezone()
        return f"Session {local:%Y-%m-%d %H:%M}"


def new_session_id(started_at: datetime) -> str:
    """A sortable, file-name-safe id: UTC start time plus a random suffix."""
    return f"{started_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def turn_word_count(turn: Turn) -> int:
    # A turn cut short may carry text without word timings; count its text then.
    return len(turn.words) or len(turn.text.split())


@dataclass(frozen=True, slots=True)
class TranscriptDocument:
    """An immutable view of a session transcript, safe to export from any thread."""

    info: SessionInfo
    entries: tuple[Entry, ...]
    streams: tuple[StreamInfo, ...] = ()
    ended_at: datetime | None = None
    captioned_ms: int = 0
    """The session's length on its clock, as measured at its end (0 while it runs): pauses
    and other gaps included, so not only what was captioned (the seventh walk). Kept under
    this name in the journal and the JSON export, which older files use too."""
    billed_audio_s: float | None = None
    """Audio the cloud service reported it received (what it bills); None on this computer."""

    @property
    def turns(self) -> Iterator[Turn]:
        return (e for e in self.entries if isinstance(e, Turn))

    @property
    def gaps(self) -> Iterator[Gap]:
        return (e for e in self.entries if isinstance(e, Gap))

    @property
    def word_count(self) -> int:
        return sum(turn_word_count(t) for t in self.turns)

    @property
    def duration_ms(self) -> int:
        """The session's length everywhere it is shown: ``captioned_ms``, or while that is not
        known yet, the end of the last turn or gap."""
        return max(self.captioned_ms, max((_entry_end(e) for e in self.entries), default=0))

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speaker labels in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker:
                seen.setdefault(turn.speaker, None)
        return tuple(seen)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The inputs captioned, in order: the session's source, then each it continued from."""
        return inputs_said(self.info.source, (e for e in self.entries if isinstance(e, Marker)))

    @property
    def languages(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.language:
                seen.setdefault(turn.language, None)
        return tuple(seen)


def whole_seconds(ms: int) -> int:
    """A length in whole seconds, rounded the same way wherever a length is shown."""
    return round(max(0, ms) / 1000)


def _entry_end(entry: Entry) -> int:
    return entry.at_ms if isinstance(entry, Marker) else entry.end_ms


class SessionTranscript:
    """The running session's transcript; one thread owns it."""

    def __init__(self, info: SessionInfo) -> None:
        self._info = info
        self._entries: list[Entry] = []
        self._index: dict[TurnKey, int] = {}
        self._streams: list[StreamInfo] = []
        self._words = 0
        self._totals: tuple[int, float | None] = (0, None)

    @property
    def info(self) -> SessionInfo:
        return self._info

    @property
    def word_count(self) -> int:
        return self._words

    @property
    def turn_count(self) -> int:
        return len(self._index)

    @property
    def streams(self) -> tuple[StreamInfo, ...]:
        return tuple(self._streams)

    def __len__(self) -> int:
        return len(self._entries)

    def rename(self, title: str) -> None:
        self._info = _with_title(self._info, title)

    def add_stream(self, stream_index: int, session_id: str | None, offset_ms: int) -> StreamInfo:
        stream = StreamInfo(stream_index, session_id, offset_ms)
        self._streams.append(stream)
        return stream

    def add_gap(self, start_ms: int, end_ms: int, reason: str) -> Gap:
        """Gaps one after another with one cause become one, with the total length."""
        gap = Gap(start_ms, max(start_ms, end_ms), reason)
        last = self._entries[-1] if self._entries else None
        if isinstance(last, Gap) and last.reason == reason and last.end_ms <= gap.end_ms:
            gap = Gap(last.start_ms, gap.end_ms, reason)
            self._entries[-1] = gap
            return gap
        self._entries.append(gap)
        return gap

    def add_marker(self, at_ms: int, text: str) -> Marker:
        marker = Marker(at_ms, text)
        self._entries.append(marker)
        return marker

    def apply(self, update: TurnUpdate) -> Turn | None:
        """Fold a turn update in; returns the stored turn, or ``None`` for a live update."""
        if update.kind is UpdateKind.LIVE or not update.turn.finished:
            return None  # the live partial belongs to the overlay, not the transcript
        self.put_turn(update.turn)
        return update.turn

    def put_turn(self, turn: Turn) -> None:
        """Store a finished turn; a turn with a known key replaces the earlier one in place."""
        position = self._index.get(turn.key)
        if position is None:
            self._index[turn.key] = len(self._entries)
            self._entries.append(turn)
            self._words += turn_word_count(turn)
            return
        old = self._entries[position]
        assert isinstance(old, Turn)
        self._entries[position] = turn
        self._words += turn_word_count(turn) - turn_word_count(old)

    def set_totals(self, captioned_ms: int, billed_audio_s: float | None) -> None:
        """What the session measured at its end: its length, and the audio billed."""
        self._totals = (max(0, captioned_ms), billed_audio_s)

    def snapshot(self, ended_at: datetime | None = None) -> TranscriptDocument:
        entries, streams = tuple(self._entries), tuple(self._streams)
        return TranscriptDocument(self._info, entries, streams, ended_at, *self._totals)


def _with_title(info: SessionInfo, title: str) -> SessionInfo:
    return SessionInfo(info.id, info.started_at, info.engine, info.source, info.settings, title)


def speaker_name(label: str) -> str:
    """What a reader sees for a label: the service's "A" becomes "Speaker A"."""
    return f"Speaker {label}" if len(label) <= 2 else label
