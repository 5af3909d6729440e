"""Keeps the transcript and its crash-safe journal in step with the live session.

It sits between the session and whoever displays it: every event is recorded first (a finished
turn is handed to the journal's writer before the UI hears of it), then passed on unchanged.
When the disk refuses (full, unplugged, permissions) captions go on: the person is told once
that the transcript is no longer being saved, and recording stops rather than failing on every
turn.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.model.session import (
    Holds,
    Notice,
    SessionEnded,
    SessionEvent,
    SessionListener,
    StreamBegan,
    StreamOpened,
)
from caption_app.core.model.turns import TurnUpdate
from caption_app.core.transcript.journal import JournalError
from caption_app.core.transcript.recorder import TranscriptRecorder

log = logging.getLogger(__name__)


class RecordingListener:
    def __init__(self, recorder: TranscriptRecorder, inner: SessionListener) -> None:
        self._recorder = recorder
        self._inner = inner
        self._offsets: dict[int, int] = {}
        self._saving = True

    def __call__(self, event: SessionEvent) -> None:
        recorder = self._recorder
        if isinstance(event, TurnUpdate):
            self._record(lambda: recorder.apply(event))
        elif isinstance(event, Gap):
            self._record(lambda: recorder.add_gap(event.start_ms, event.end_ms, event.reason))
        elif isinstance(event, Marker):
            self._record(lambda: recorder.add_marker(event.at_ms, event.text))
        elif isinstance(event, StreamOpened):
            self._offsets[event.stream] = event.offset_ms
        elif isinstance(event, StreamBegan):
            offset = self._offsets.get(event.stream, 0)
            self._record(lambda: recorder.begin_stream(event.stream, event.session_id, offset))
        elif isinstance(event, SessionEnded):
            if event.failed is not None and self._recorder.transcript.turn_count == 0:
                self._record(self._recorder.discard)
            else:
                self._close(event.captioned_ms, event.billed_audio_s or None)
        self._inner(event)

    def _record(self, action: Callable[[], object]) -> None:
        if not self._saving:
            return
        try:
            action()
        except (OSError, JournalError) as exc:
            self._saving = False
            log.error("journal write failed: %s", exc)
            self._inner(
                Notice(
                    f"The transcript is no longer being saved ({exc}). Captions continue; copy "
                    "what you need from the transcript view, and free some disk space before "
                    "the next session.",
                    Holds.UNTIL_NEXT_START,
                )
            )

    def _close(self, captioned_ms: int, billed_audio_s: float | None) -> None:
        if self._saving:
            self._record(lambda: self._recorder.close(captioned_ms, billed_audio_s))
        else:  # already told; still release the file and its lock
            with contextlib.suppress(OSError, JournalError):
                self._recorder.close()
