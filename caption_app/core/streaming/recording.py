"""Keeps the transcript and its crash-safe journal in step with the live session.

It sits between the session and whoever displays it: every report is recorded first (a finished
turn is on disk before the UI hears of it), then passed on unchanged. When the disk refuses
(full, unplugged, permissions) captions go on: the person is told once that the transcript is
no longer being saved, and recording stops rather than failing on every turn.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from caption_app.core.streaming.errors import Problem
from caption_app.core.streaming.reports import SessionEnded, SessionListener, SessionState
from caption_app.core.streaming.turns import TurnUpdate
from caption_app.core.transcript.journal import JournalError
from caption_app.core.transcript.model import Gap
from caption_app.core.transcript.recorder import TranscriptRecorder

log = logging.getLogger(__name__)


class RecordingListener(SessionListener):
    def __init__(self, recorder: TranscriptRecorder, inner: SessionListener) -> None:
        self._recorder = recorder
        self._inner = inner
        self._offsets: dict[int, int] = {}
        self._saving = True

    def _record(self, action: Callable[[], object]) -> None:
        if not self._saving:
            return
        try:
            action()
        except (OSError, JournalError) as exc:
            self._saving = False
            log.error("journal write failed: %s", exc)
            self._inner.notice(
                f"The transcript is no longer being saved ({exc}). Captions continue; copy "
                "what you need from the transcript view, and free some disk space before the "
                "next session."
            )

    def state_changed(self, state: SessionState, detail: str) -> None:
        self._inner.state_changed(state, detail)

    def stream_opened(self, stream: int, offset_ms: int) -> None:
        self._offsets[stream] = offset_ms
        self._inner.stream_opened(stream, offset_ms)

    def stream_began(self, stream: int, session_id: str, expires_at: datetime | None) -> None:
        offset = self._offsets.get(stream, 0)
        self._record(lambda: self._recorder.begin_stream(stream, session_id, offset))
        self._inner.stream_began(stream, session_id, expires_at)

    def turn_updated(self, update: TurnUpdate) -> None:
        self._record(lambda: self._recorder.apply(update))
        self._inner.turn_updated(update)

    def gap_marked(self, gap: Gap) -> None:
        self._record(lambda: self._recorder.add_gap(gap.start_ms, gap.end_ms, gap.reason))
        self._inner.gap_marked(gap)

    def problem(self, problem: Problem) -> None:
        self._inner.problem(problem)

    def notice(self, text: str) -> None:
        self._inner.notice(text)

    def audio_level(self, rms_dbfs: float, peak_dbfs: float, sending: bool) -> None:
        self._inner.audio_level(rms_dbfs, peak_dbfs, sending)

    def progress(self, position_ms: int, duration_ms: int) -> None:
        self._inner.progress(position_ms, duration_ms)

    def tick(self) -> None:
        self._record(self._recorder.flush_due)
        self._inner.tick()

    def ended(self, summary: SessionEnded) -> None:
        if self._saving:
            self._record(self._recorder.close)
        else:  # already told; still release the file and its lock
            with contextlib.suppress(OSError, JournalError):
                self._recorder.close()
        self._inner.ended(summary)
