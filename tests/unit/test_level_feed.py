"""The level meter gets about ten readings a second: the loudest chunk of each, and the
sending light's changes at once."""

from __future__ import annotations

from caption_app.core.audio.source import AudioChunk
from caption_app.core.model.session import AudioLevel
from caption_app.core.streaming.level_feed import LevelFeed


def _chunk(n: int, rms: float, peak: float) -> AudioChunk:
    return AudioChunk(b"\0\0" * 800, n * 50, rms, peak)


def test_one_reading_per_100_ms_of_audio_carrying_the_loudest_chunk() -> None:
    feed = LevelFeed(chunk_ms=50)
    readings = [
        feed.add(_chunk(n, rms, peak), sending=True)
        for n, (rms, peak) in enumerate([(-30, -10), (-40, -20), (-50, -30), (-20, -3), (-60, -40)])
    ]
    # The first goes out at once (the light is new); then one per two chunks, the louder.
    assert readings == [
        AudioLevel(-30, -10, True),
        None,
        AudioLevel(-40, -20, True),
        None,
        AudioLevel(-20, -3, True),
    ]


def test_the_sending_light_changes_at_once() -> None:
    feed = LevelFeed(chunk_ms=50)
    assert feed.add(_chunk(0, -30, -10), sending=False) == AudioLevel(-30, -10, False)
    assert feed.add(_chunk(1, -30, -10), sending=False) is None
    assert feed.add(_chunk(2, -35, -12), sending=True) == AudioLevel(-30, -10, True)


def test_long_chunks_give_a_reading_each() -> None:
    feed = LevelFeed(chunk_ms=200)
    assert all(feed.add(_chunk(n, -30, -10), sending=True) is not None for n in range(5))
