"""Whether someone speaks now (``core/streaming/speaking.py``)."""

from __future__ import annotations

from caption_app.core.audio.source import AudioChunk
from caption_app.core.streaming.speaking import Speaking

CHUNK_MS = 50


def _chunk(start_ms: int, rms_dbfs: float) -> AudioChunk:
    return AudioChunk(b"\x00\x00" * 800, start_ms, rms_dbfs, rms_dbfs + 10)


def test_speaking_ends_a_moment_after_the_last_loud_chunk() -> None:
    """A Stop half a second after a sentence ended marked it cut off ("Go forward ten
    meters…"); one during a word's quiet part is still speaking."""
    speaking = Speaking()
    assert not speaking.speaks_at(0)
    for start in range(0, 2000, CHUNK_MS):
        speaking.heard(_chunk(start, -25.0), CHUNK_MS)  # words
    for start in range(2000, 4000, CHUNK_MS):
        speaking.heard(_chunk(start, -60.0), CHUNK_MS)  # a quiet room
    assert speaking.speaks_at(2200)  # a word's quiet part
    assert not speaking.speaks_at(2500)  # after the sentence
