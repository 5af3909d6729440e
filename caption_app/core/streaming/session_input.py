"""The live session's audio input: one source at a time, on one session clock.

It reads chunks and moves them onto the session clock (a replacement input starts its own clock
at 0, so its chunks are shifted to follow on), and says once a second what a person should
know about the input: a media file's progress, long silence, a side of a mixed input going
quiet, audio dropped because the computer was too busy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import cast

from caption_app.core.audio.silence import SilenceWatch
from caption_app.core.audio.source import (
    AttributingSource,
    AudioChunk,
    AudioSource,
    AudioSourceError,
    EndOfStream,
    PacedSource,
)
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    Holds,
    InputSilence,
    Notice,
    Progress,
    SessionListener,
)
from caption_app.core.model.turns import Attribution

_BUSY = (
    "This computer was too busy to keep up with the audio input, so a moment of audio was "
    "lost. Closing other programs can help."
)


class SessionInput:
    def __init__(
        self, source: AudioSource, chunk_ms: int, emit: SessionListener, clock: Callable[[], float]
    ) -> None:
        self._source = source
        # A Protocol isinstance check costs ~0.1 ms: once per input, not once per chunk.
        self._attributing = isinstance(source, AttributingSource)
        self._paced = isinstance(source, PacedSource)
        self._chunk_ms = chunk_ms
        self._emit = emit
        self._clock = clock
        self._silence = SilenceWatch(source.description)
        self.started = False
        self.done = False
        """A media file has delivered all of its audio."""
        self.stopped_at: float | None = None
        """When the input stopped (failed, or being replaced); None while it delivers."""
        self.position_ms = 0
        """End of the last chunk read, on the session clock."""
        self._offset_ms = 0
        """Added to the source's chunk times: a replacement input starts its clock at 0."""
        self._progress_second = -1
        self._overflows_told = False

    @property
    def waits_for_a_connection(self) -> bool:
        """A file played in real time starts once a connection takes its audio; a live input
        starts at once (it cannot wait: its audio is kept meanwhile)."""
        return self._paced

    @property
    def delivering(self) -> bool:
        return self.stopped_at is None

    @property
    def now_ms(self) -> int:
        """Now on the session clock: where the input is, or, while none delivers, where it
        stopped plus the time since (a replacement's clock starts there)."""
        if self.stopped_at is None:  # (a replacement's clock starts at its offset)
            return max(self.position_ms, self._offset_ms)
        return self.position_ms + int((self._clock() - self.stopped_at) * 1000)

    def start(self) -> None:
        """Raises ``AudioSourceError`` with a message for a person."""
        self._source.start()
        self.started = True

    def stop(self) -> None:
        self._source.stop()

    def lose(self) -> None:
        """The input failed or is being replaced: stop it and note when."""
        if self.stopped_at is None:
            self._source.stop()
            self.stopped_at = self._clock()

    def replace(self, source: AudioSource) -> None:
        """Go on with ``source`` (raises ``AudioSourceError`` if it cannot start)."""
        self.lose()
        source.start()
        self._offset_ms = self.now_ms
        self._source, self.stopped_at, self.started = source, None, True
        self._attributing = isinstance(source, AttributingSource)
        self._paced = isinstance(source, PacedSource)
        self._end_silence()  # a new input: the old one's silence is no longer the question
        self._silence = SilenceWatch(source.description)
        self._emit(Notice(f"Captioning continues from {source.description}.", Holds.WHILE_INPUT))

    def reads_now(self, paused: bool) -> bool:
        """Whether the session reads a chunk now: a started input that delivers, except a file
        while the person has paused: a recording waits, as a player's does (a live input
        cannot wait: its audio goes on and is dropped while paused)."""
        return self.delivering and self.started and not (paused and self._paced)

    def due_in(self) -> float | None:
        """Seconds until the next chunk is due, when the input knows (a paced file)."""
        if not self._paced or self.stopped_at is not None:
            return None
        return cast(PacedSource, self._source).due_in()

    def read(self, timeout: float) -> AudioChunk | None:
        """The next chunk on the session clock; ``AudioSourceError`` when the input fails."""
        try:
            chunk = self._source.read(timeout=timeout)
        except EndOfStream:
            self.done = True
            return None
        if chunk is None:
            return None
        if self._offset_ms:
            chunk = replace(chunk, start_ms=chunk.start_ms + self._offset_ms)
        self.position_ms = chunk.start_ms + self._chunk_ms
        source = self._source
        if self._attributing and (told := cast(AttributingSource, source).take_notice()):
            self._emit(Notice(told))
        silence = self._silence
        was_silent = silence.silent
        notice = silence.feed(chunk, self._chunk_ms)
        if notice is not None:
            self._emit(InputSilence(silence.description, True, notice))
        elif was_silent and not silence.silent:
            self._emit(InputSilence(silence.description, False))  # sound again: it is not muted
        self._report_each_second(chunk)
        return chunk

    def _end_silence(self) -> None:
        if self._silence.silent:
            self._emit(InputSilence(self._silence.description, False))

    def attribution(self) -> Attribution | None:
        """Who spoke when, if the input can tell (microphone + system audio: You / Others)."""
        return self._speaker_at if self._attributing else None

    def _speaker_at(self, start_ms: int, end_ms: int) -> str | None:
        # Words come back within seconds of their audio, so the current input (on its own
        # clock, ``_offset_ms`` behind the session's) is the one that heard them.
        source = self._source
        if not isinstance(source, AttributingSource):
            return None
        return source.channel_of(start_ms - self._offset_ms, end_ms - self._offset_ms)

    def _report_each_second(self, chunk: AudioChunk) -> None:
        second = chunk.start_ms // 1000
        if second == self._progress_second:
            return
        self._progress_second = second
        duration = self._source.duration_ms
        if duration is not None:
            self._emit(Progress(chunk.start_ms - self._offset_ms, duration))
        if not self._overflows_told and self._source.overflow_count > 0:
            self._overflows_told = True
            self._emit(Notice(_BUSY))


def input_problem(exc: AudioSourceError, kind: ProblemKind) -> Problem:
    """An input that failed: the session cannot go on with it (its message says why)."""
    return Problem(kind, str(exc), Recovery.GIVE_UP)
