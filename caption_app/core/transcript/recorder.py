"""The running session's transcript and its journal, kept in step.

The session loop calls ``apply`` for every turn update, ``begin_stream`` for every connection
and ``add_gap`` when captioning stopped; each finished turn is handed to the journal's writer
(in the file within milliseconds, never waiting on the disk), while live partials never touch
the disk.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from caption_app.core.model.gaps import Gap
from caption_app.core.model.turns import Turn, TurnUpdate
from caption_app.core.transcript.journal import CLOSE_WAIT_S, JournalWriter
from caption_app.core.transcript.model import (
    SessionInfo,
    SessionTranscript,
    StreamInfo,
    TranscriptDocument,
)


class TranscriptRecorder:
    def __init__(self, directory: Path, info: SessionInfo) -> None:
        self.transcript = SessionTranscript(info)
        self.journal = JournalWriter.create(directory, info)
        self._ended_at: datetime | None = None
        self.discarded = False
        """The session failed before a word was captioned: its journal is gone."""

    def __enter__(self) -> TranscriptRecorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.journal.close(clean=False)  # keep it unfinished: recovery will offer it

    @property
    def path(self) -> Path:
        return self.journal.path

    def apply(self, update: TurnUpdate) -> Turn | None:
        turn = self.transcript.apply(update)
        if turn is not None:
            self.journal.append_turn(turn)
        return turn

    def begin_stream(self, index: int, session_id: str | None, offset_ms: int) -> StreamInfo:
        stream = self.transcript.add_stream(index, session_id, offset_ms)
        self.journal.append_stream(stream)
        return stream

    def add_marker(self, at_ms: int, text: str) -> None:
        self.journal.append_marker(self.transcript.add_marker(at_ms, text))

    def add_gap(self, start_ms: int, end_ms: int, reason: str) -> Gap:
        gap = self.transcript.add_gap(start_ms, end_ms, reason)
        self.journal.append_gap(gap)
        return gap

    def rename(self, title: str) -> None:
        self.transcript.rename(title.strip())
        self.journal.set_title(title.strip())

    def snapshot(self) -> TranscriptDocument:
        return self.transcript.snapshot(self._ended_at)

    def close(
        self,
        captioned_ms: int = 0,
        billed_audio_s: float | None = None,
        timeout: float = CLOSE_WAIT_S,
    ) -> TranscriptDocument:
        """End the session cleanly; returns the final document. ``captioned_ms`` is the audio
        the session captioned, ``billed_audio_s`` what the cloud service says it received;
        ``timeout`` bounds the wait for the disk."""
        if self._ended_at is None:
            self._ended_at = datetime.now(UTC)
        self.transcript.set_totals(captioned_ms, billed_audio_s)
        self.journal.close(
            clean=True, captioned_ms=captioned_ms, billed_audio_s=billed_audio_s, timeout=timeout
        )
        return self.snapshot()

    def discard(self) -> None:
        """A start that failed before anything was captioned (a rejected key, an input that
        would not open) is not a session: its journal goes, so History lists no empty
        session for it."""
        self.journal.close(clean=False)
        self.journal.path.unlink(missing_ok=True)
        self.discarded = True
