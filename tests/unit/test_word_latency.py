"""The local engine benchmark's word-level latency: each shown word against its own end."""

from __future__ import annotations

import pytest

from benchmarks.corpus.build import SpokenWord
from benchmarks.word_latency import AudioClock, ShownWord, shown_words, word_timings
from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind, Word

T0 = 100.0
"""The wall clock (s) when the audio's first sample was read."""


def clock(seconds: float = 20.0) -> AudioClock:
    """Chunks of 50 ms read exactly when their audio has been played."""
    ticks = AudioClock()
    for n in range(1, round(seconds * 20) + 1):
        ticks.note(n * 50, T0 + n * 0.05)
    return ticks


# Two clips: "the cat sat" ends at 3.0 s, "on mats" at 8.0 s.
REFERENCE = [
    SpokenWord("the", 600),
    SpokenWord("cat", 1500),
    SpokenWord("sat", 3000),
    SpokenWord("on", 7000),
    SpokenWord("mats", 8000),
]


def shown(*pairs: tuple[str, float], turn: tuple[int, int] = (0, 0)) -> list[ShownWord]:
    return [ShownWord(text, turn, T0 + at) for text, at in pairs]


def test_each_word_is_timed_from_its_own_end_not_its_clips() -> None:
    words = [
        *shown(("the", 2.0), ("cat", 2.0), ("sat", 3.5)),
        *shown(("on", 8.2), ("mats", 8.2), turn=(0, 1)),
    ]
    timings = word_timings(REFERENCE, words, clock())
    assert timings.latencies_s == pytest.approx([1.4, 0.5, 0.5, 1.2, 0.2])
    # Pairing with the nearest clip end would have given -1.0, -1.0, 0.5, -0.8 (or 1.2), 0.2.
    assert timings.dropped == timings.inserted == 0


def test_a_word_shown_before_its_aligned_end_counts_zero_never_negative() -> None:
    words = shown(("the", 0.55), ("cat", 1.2), ("sat", 3.0), ("on", 6.0), ("mats", 9.0))
    timings = word_timings(REFERENCE, words, clock())
    assert min(timings.latencies_s) == 0.0
    assert timings.latencies_s == pytest.approx([0.0, 0.0, 0.0, 0.0, 1.0])


def test_a_dropped_or_inserted_word_shifts_no_pairing() -> None:
    words = [
        *shown(("the", 1.0), ("sat", 3.25)),
        *shown(("uh", 7.5), ("on", 7.5), ("mats", 8.5), turn=(0, 1)),
    ]
    timings = word_timings(REFERENCE, words, clock())
    assert timings.latencies_s == pytest.approx([0.4, 0.25, 0.5, 0.5])
    assert (timings.dropped, timings.inserted, timings.dropped_at_splits) == (1, 1, 0)


def test_a_word_lost_between_two_turns_is_a_drop_at_a_split() -> None:
    words = [*shown(("the", 1.0), ("cat", 2.0)), *shown(("on", 7.5), ("mats", 8.5), turn=(0, 1))]
    timings = word_timings(REFERENCE, words, clock())
    assert (timings.dropped, timings.dropped_at_splits) == (1, 1)


def test_the_audio_clock_maps_a_position_to_when_its_chunk_was_read() -> None:
    ticks = AudioClock()
    ticks.note(50, 10.0)
    ticks.note(100, 10.3)  # a late read: the word ending at 60 ms reached the app at 10.3
    assert ticks.heard_at(60) == 10.3
    assert ticks.heard_at(50) == 10.0


def _turn(order: int, words: list[tuple[str, bool]], *, finished: bool) -> Turn:
    return Turn(
        stream=0,
        order=order,
        words=tuple(Word(t, 0, 0, 1.0, final) for t, final in words),
        text=" ".join(t for t, final in words if final),
        tail=" ".join(t for t, final in words if not final),
        finished=finished,
        formatted=finished,
    )


def test_a_word_is_final_on_screen_from_the_first_update_that_showed_it_final() -> None:
    updates = [
        TurnUpdate(UpdateKind.LIVE, _turn(0, [("the", False)], finished=False)),
        TurnUpdate(UpdateKind.LIVE, _turn(0, [("the", True), ("cat", False)], finished=False)),
        TurnUpdate(UpdateKind.FINISHED, _turn(0, [("The", True), ("cat.", True)], finished=True)),
    ]
    words = shown_words(updates, [1.0, 2.0, 3.0])
    assert [(w.text, w.final_at) for w in words] == [("the", 2.0), ("cat", 3.0)]


def test_a_word_the_final_reading_adds_before_the_promised_ones_shifts_none_of_them() -> None:
    """The live readings lost the opening "And" and promised "Mr. John"; the turn's end reads
    "And Mr. John.": "And" is final at the end, "Mr." and "John" when they were promised."""
    updates = [
        TurnUpdate(UpdateKind.LIVE, _turn(0, [("mr", True), ("john", False)], finished=False)),
        TurnUpdate(UpdateKind.LIVE, _turn(0, [("mr", True), ("john", True)], finished=False)),
        TurnUpdate(
            UpdateKind.FINISHED,
            _turn(0, [("And", True), ("Mr.", True), ("John.", True)], finished=True),
        ),
    ]
    words = shown_words(updates, [1.0, 2.0, 3.0])
    assert [(w.text, w.final_at) for w in words] == [("and", 3.0), ("mr", 1.0), ("john", 2.0)]


def test_a_written_title_is_the_word_the_reference_speaks() -> None:
    from benchmarks.bench_local_engine import normalise

    assert normalise("And Mr. John Dashwood, 10 meters.") == "and mister john dashwood ten meters"
