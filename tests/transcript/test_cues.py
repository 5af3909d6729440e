"""Cue building: line and time limits, no overlaps, and not a word lost, for any timings."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings

from caption_app.core.transcript import Cue, TranscriptDocument, build_cues
from tests.transcript.builders import make_info, make_turn
from tests.transcript.strategies import documents, turn_text

PREFIX = re.compile(r"^Speaker [ABC]: ")


def _check_limits(cues: list[Cue]) -> None:
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2, cue
        assert all(0 < len(line) <= 42 for line in cue.lines), cue
        assert 0 < cue.end_ms - cue.start_ms <= 7_000, cue
    for earlier, later in itertools.pairwise(cues):
        assert earlier.end_ms <= later.start_ms, (earlier, later)


def _cue_words(cues: list[Cue]) -> str:
    return " ".join(PREFIX.sub("", cue.text).replace("\n", " ") for cue in cues)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_cues_respect_the_limits_and_keep_every_word(doc: TranscriptDocument) -> None:
    cues = build_cues(doc.entries)
    _check_limits(cues)
    assert _cue_words(cues) == turn_text(doc.entries)


@settings(max_examples=200, deadline=None)
@given(documents(overlapping=True))
def test_overlapping_and_overlong_word_times_are_clamped(doc: TranscriptDocument) -> None:
    cues = build_cues(doc.entries)
    _check_limits(cues)
    assert _cue_words(cues) == turn_text(doc.entries)


def _doc(*turns_: tuple[str, int, str | None]) -> TranscriptDocument:
    from caption_app.core.transcript import SessionTranscript

    transcript = SessionTranscript(make_info())
    for order, (text, start, speaker) in enumerate(turns_):
        transcript.put_turn(make_turn(0, order, text, start, speaker=speaker))
    return transcript.snapshot()


def test_cue_breaks_at_a_sentence_end_rather_than_mid_phrase() -> None:
    text = (
        "We agreed on the plan. Now the next topic is the travel budget for the spring trip"
        " to Porto"
    )
    cues = build_cues(_doc((text, 0, None)).entries)
    assert cues[0].text.replace("\n", " ") == "We agreed on the plan."
    assert _cue_words(cues) == text


def test_turns_never_share_a_cue_and_speaker_prefix_starts_each_turn() -> None:
    cues = build_cues(_doc(("Hi.", 0, "A"), ("Hello there.", 500, "B")).entries)
    assert [c.text for c in cues] == ["Speaker A: Hi.", "Speaker B: Hello there."]
    assert cues[0].end_ms <= cues[1].start_ms
    assert cues[0].speaker == "A"


def test_short_cues_are_held_for_reading_when_there_is_room() -> None:
    cues = build_cues(_doc(("Yes.", 0, None), ("Fine.", 5_000, None)).entries)
    assert cues[0].end_ms - cues[0].start_ms == 1_000  # one 300 ms word, held for 1 s
    assert cues[1].start_ms == 5_000


def test_lines_are_balanced() -> None:
    text = "this sentence is long enough that it needs two lines to fit"
    (cue,) = build_cues(_doc((text, 0, None)).entries)
    first, second = cue.lines
    assert abs(len(first) - len(second)) <= 8


def test_a_token_longer_than_a_line_is_cut_to_fit() -> None:
    url = "https://example.org/" + "a" * 70
    cues = build_cues(_doc((f"see {url} now", 0, None)).entries)
    _check_limits(cues)
    assert "".join(_cue_words(cues).split()) == "".join(f"see {url} now".split())


def test_long_pause_inside_a_turn_ends_the_cue() -> None:
    from caption_app.core.transcript import SessionTranscript

    transcript = SessionTranscript(make_info())
    transcript.put_turn(make_turn(0, 0, "before the pause after", 0, step_ms=1_200))
    cues = build_cues(transcript.snapshot().entries)
    assert len(cues) == 1  # 900 ms silences do not split
    transcript.put_turn(make_turn(0, 0, "before the pause after", 0, step_ms=2_400))
    cues = build_cues(transcript.snapshot().entries)
    assert len(cues) == 4  # 2.1 s silences do


def test_a_translation_track_marks_a_line_left_untranslated() -> None:
    """A clean clone's CI wrote "muchas gracias a todos por venir…" into an English subtitle
    track (Whisper base's translate task wrote the Spanish back): such a line says what it
    is, and a translated one carries no mark."""
    import dataclasses

    from caption_app.core.model.turns import Translation
    from caption_app.core.transcript import CueRules

    spanish = make_turn(0, 0, "Muchas gracias a todos.", 0, language="es")
    translated = dataclasses.replace(
        make_turn(0, 1, "Hasta luego.", 3_000, language="es"),
        translation=Translation("See you later.", "en"),
    )
    rules = CueRules(captions="translation")
    first, second = build_cues((spanish, translated), rules)
    assert first.text == "[es] Muchas gracias a todos.", first
    assert second.text == "See you later.", second
    both = build_cues((spanish,), CueRules(captions="both"))
    assert both[0].text == "Muchas gracias a todos."  # the original, as the original
