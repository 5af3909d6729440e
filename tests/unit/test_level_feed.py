"""The level meter gets at most ten readings a second: the loudest chunk of each, the sending
light's changes at once, and nothing that would not change what it shows."""

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
        AudioLevel(-30, True),
        None,
        AudioLevel(-40, True),
        None,
        AudioLevel(-20, True),
    ]


def test_the_sending_light_changes_at_once() -> None:
    feed = LevelFeed(chunk_ms=50)
    assert feed.add(_chunk(0, -30, -10), sending=False) == AudioLevel(-30, False)
    assert feed.add(_chunk(1, -30, -10), sending=False) is None
    assert feed.add(_chunk(2, -35, -12), sending=True) == AudioLevel(-30, True)


def test_long_chunks_give_a_reading_each() -> None:
    feed = LevelFeed(chunk_ms=200)
    levels = [-30, -25, -31, -20, -40]
    assert all(
        feed.add(_chunk(n, db, -10), sending=True) is not None for n, db in enumerate(levels)
    )


def test_a_reading_the_meter_would_show_the_same_is_not_sent() -> None:
    """A steady hum (or a silent room) sends one reading, not ten a second, even when it
    hovers around a whole dB."""
    feed = LevelFeed(chunk_ms=50)
    steady = [feed.add(_chunk(n, -25.6 + (n % 3) * 0.1, -8), sending=True) for n in range(40)]
    assert [r for r in steady if r is not None] == [AudioLevel(-25.6, True)]
    louder = [feed.add(_chunk(40 + n, -24.5, -6), sending=True) for n in range(2)]
    assert louder == [AudioLevel(-24.5, True), None]  # a dB louder: shown
    assert feed.add(_chunk(42, -24.5, -6), sending=False) == AudioLevel(-24.5, False)
