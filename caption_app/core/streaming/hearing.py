"""Hearing: which connection the session's audio goes to now, where its stream begins on the
session clock, and the gap left while none hears it.

A connection is adopted before any audio reaches it. Its stream begins with the first chunk it
is sent: that chunk's time is the stream's offset (an engine counts time from the first audio
it hears), and it closes the gap (no connection heard the audio since ``open_gap``). A session
id the service gives before that first chunk is told with it (the journal needs the stream's
offset first).
"""

from __future__ import annotations

from caption_app.core.engines.base import Connection
from caption_app.core.model.gaps import Gap, GapReason, Marker
from caption_app.core.model.session import SessionListener, StreamBegan, StreamOpened


class Hearing:
    def __init__(self, emit: SessionListener) -> None:
        self._emit = emit
        self.stream: int | None = None
        self.connection: Connection | None = None
        self.began = False
        """The stream has had its first audio."""
        self.offset_ms = 0
        """Where the stream began on the session clock."""
        self._session_ids: dict[int, str] = {}
        self._gap: tuple[int, GapReason] | None = None
        self._told_until_ms = 0
        """Where the last gap or marker told ends: a gap opened later starts no earlier (the
        eighth walk: a stretch told as "audio input lost" was told again as "no connection")."""

    def hears(self, stream: int) -> bool:
        return self.stream is not None and self.stream == stream

    def adopt(self, stream: int, connection: Connection) -> None:
        self.stream, self.connection, self.began = stream, connection, False

    def drop(self) -> None:
        self.stream, self.connection = None, None

    def service_began(self, stream: int, session_id: str) -> None:
        """The service named the stream's session: said now, or with its first audio."""
        if self.hears(stream) and self.began:
            self._emit(StreamBegan(stream, session_id))
        else:
            self._session_ids[stream] = session_id

    def begins_with(self, start_ms: int) -> int | None:
        """A chunk starting at ``start_ms`` is sent: the stream it begins, if it is its first."""
        if self.began or self.stream is None:
            return None
        stream = self.stream
        self.began, self.offset_ms = True, start_ms
        self._emit(StreamOpened(stream, start_ms))
        if (session_id := self._session_ids.pop(stream, None)) is not None:
            self._emit(StreamBegan(stream, session_id))
        self._close_gap(start_ms)
        return stream

    def mark(self, at_ms: int, text: str) -> None:
        """Captions move to another engine at ``at_ms``: the gap before the move is told
        first, so the rows come in time order (the sixth walk: the marker row came before
        the row of the pause that preceded it)."""
        self._close_gap(at_ms)
        self._emit(Marker(at_ms, text))
        self._told_until_ms = max(self._told_until_ms, at_ms)

    def ended(self, at_ms: int) -> None:
        """The session ends at ``at_ms``: a stretch not captioned up to then is told (the ninth
        walk: stopped while waiting for another input, the last 29 s were in no row, and the
        recorded length ended at the unplug)."""
        self._close_gap(at_ms)

    def _close_gap(self, end_ms: int) -> None:
        if self._gap is not None and end_ms > self._gap[0]:
            self._emit(Gap(self._gap[0], end_ms, self._gap[1]))
            self._told_until_ms = max(self._told_until_ms, end_ms)
        self._gap = None

    def open_gap(self, start_ms: int, reason: GapReason) -> None:
        """No connection hears the audio from ``start_ms`` (the first reason is kept)."""
        if self._gap is None:
            self._gap = (max(start_ms, self._told_until_ms), reason)

    def paused(self, at_ms: int) -> None:
        """The person paused at ``at_ms`` while no connection heard (it was being retried):
        the gap so far keeps its reason, the rest of it is the pause's (the fifth walk: 40 s
        paused read as "connection lost")."""
        self.relabel(at_ms, GapReason.PAUSE)

    def resumed(self, at_ms: int, *, input_delivers: bool) -> None:
        """The person resumed at ``at_ms``: with no input delivering, the rest of the gap is
        the wait for one (the sixth walk: it was told as part of the pause)."""
        if not input_delivers:
            self.relabel(at_ms, GapReason.INPUT_LOST)

    def relabel(self, at_ms: int, reason: GapReason) -> None:
        """From ``at_ms`` the audio no connection hears is missed for ``reason``; the gap so
        far keeps its own."""
        gap = self._gap
        if gap is None or gap[1] is reason or at_ms <= gap[0]:
            return
        self._emit(Gap(gap[0], at_ms, gap[1]))
        self._told_until_ms = max(self._told_until_ms, at_ms)
        self._gap = (at_ms, reason)
