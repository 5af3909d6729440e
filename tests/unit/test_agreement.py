"""Local agreement at a turn's end: the final decode's words against those already committed."""

from __future__ import annotations

from caption_app.core.engines.local.agreement import merge_final
from caption_app.core.engines.local.decoder import DecodedWord, join_words


def timed(*texts: str, start_ms: int = 0) -> list[DecodedWord]:
    return [
        DecodedWord(t, start_ms + 300 * i, start_ms + 300 * i + 250, 0.9)
        for i, t in enumerate(texts)
    ]


def test_the_final_decode_formats_the_committed_words_and_adds_what_follows() -> None:
    committed = timed("is", "to", "be")
    final = timed("is", "to", "be", "kind.")
    assert [w.text for w in merge_final(committed, final)] == ["is", "to", "be", "kind."]


def test_a_hyphenated_last_word_keeps_its_second_half_after_a_committed_first_half() -> None:
    committed = timed("is", "to", "be", "ill")
    final = [*timed("is", "to", "be"), DecodedWord("ill-disposed.", 900, 1600, 0.8)]
    merged = merge_final(committed, final)
    assert [w.text for w in merged] == ["is", "to", "be", "ill", "-disposed."]
    assert join_words([w.text for w in merged]) == "is to be ill-disposed."
    assert merged[3].end_ms == merged[4].start_ms and merged[4].end_ms == 1600


def test_a_word_the_live_readings_lost_before_the_committed_ones_is_kept() -> None:
    """The corpus's "And Mr. John Dashwood...": the first live reading heard "And", the next
    ones did not, so "Mr. John" was committed; the final reading of the whole utterance has
    "And" again, and the turn keeps it."""
    committed = timed("Mr.", "John", start_ms=300)
    final = timed("And", "Mr.", "John", "Dashwood.")
    assert [w.text for w in merge_final(committed, final)] == ["And", "Mr.", "John", "Dashwood."]
    # Three or more words before the committed ones are another reading, not a lost opening.
    other = timed("So", "then", "we", "Mr.", "John")
    assert [w.text for w in merge_final(committed, other)][:2] == ["Mr.", "John"]
