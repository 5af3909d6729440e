"""Speaking: whether someone speaks at a moment of the session clock, from the input's
loudness. A Pause, a Stop or a change of engine while someone speaks cuts the line being
spoken (it ends with "…"); loud audio sent starts the watchdog's wait for an answer."""

from __future__ import annotations

from caption_app.core.audio.source import AudioChunk

SPEECH_DBFS = -45.0
"""Chunks louder than this count as speech."""
MID_SPEECH_MS = 300
"""Speech this recent when the connection hearing it is ended: the line being spoken is cut
(if its words still come, below). Not longer: a Stop half a second after a sentence ended must
not mark it cut (a clean clone's run: "Go forward ten meters…"), so a Stop in a longer breath
between words is taken for one after the line (the seventh walk: "…the new hire"); timing
alone cannot tell them apart."""
WORDS_STILL_COMING_MS = 2500
"""The line is cut only if its last word ended this recently. Words are reported up to a
couple of seconds after they are said; a line finished longer ago is whole, however loud the
room (a fan, music on system audio)."""


class Speaking:
    def __init__(self) -> None:
        self._until_ms = -MID_SPEECH_MS

    def heard(self, chunk: AudioChunk, chunk_ms: int) -> None:
        if chunk.rms_dbfs > SPEECH_DBFS:
            self._until_ms = chunk.start_ms + chunk_ms

    def speaks_at(self, now_ms: int) -> bool:
        return now_ms - self._until_ms < MID_SPEECH_MS
