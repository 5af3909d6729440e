"""Whether someone speaks now (``core/streaming/speaking.py``)."""

from __future__ import annotations

from caption_app.core.audio.source import AudioChunk
from caption_app.core.streaming.speaking import Speaking

CHUNK_MS = 50


def _chunk(start_ms: int, rms_dbfs: float) -> AudioChunk:
    return AudioChunk(b"\x00\x00" * 800, start_ms, rms_dbfs, rms_dbfs + 10)


def test_a_breath_between_words_is_still_speaking_a_finished_line_is_not() -> None:
    """The seventh walk: Stop 0.4 s into a pause between words left the line whole; a second
    of quiet after the last word is the end of speaking."""
    speaking = Speaking()
    assert not speaking.speaks_at(0)
    for start in range(0, 2000, CHUNK_MS):
        speaking.heard(_chunk(start, -25.0), CHUNK_MS)  # words
    for start in range(2000, 4000, CHUNK_MS):
        speaking.heard(_chunk(start, -60.0), CHUNK_MS)  # a quiet room
    assert speaking.speaks_at(2400)  # a breath between words
    assert not speaking.speaks_at(3200)
