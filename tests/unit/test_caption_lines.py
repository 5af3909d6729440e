"""The Qt-free caption model: which turns are on screen, how they wrap, and colour contrast."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caption_app.core.caption_lines import (
    KEPT_FINISHED_TURNS,
    CachedWrap,
    CaptionLines,
    Segment,
    line_text,
    wrap_lines,
)
from caption_app.core.contrast import (
    WCAG_AAA,
    blend,
    contrast_ratio,
    outline_colour,
    relative_luminance,
)
from caption_app.core.model.turns import Turn, TurnMessage, TurnUpdate, UpdateKind, WordMessage
from caption_app.core.settings import OVERLAY_PRESETS, OverlayStyle
from caption_app.core.streaming.assembler import TurnAssembler


def _turn(
    order: int,
    text: str,
    tail: str = "",
    *,
    stream: int = 0,
    finished: bool = False,
    formatted: bool = False,
    speaker: str | None = None,
) -> Turn:
    return Turn(stream, order, (), text, tail, finished, formatted, speaker)


def _live(order: int, text: str, tail: str = "", stream: int = 0) -> TurnUpdate:
    return TurnUpdate(UpdateKind.LIVE, _turn(order, text, tail, stream=stream))


def _done(
    order: int,
    text: str,
    kind: UpdateKind = UpdateKind.FINISHED,
    *,
    formatted: bool = False,
    speaker: str | None = None,
) -> TurnUpdate:
    turn = _turn(order, text, finished=True, formatted=formatted, speaker=speaker)
    return TurnUpdate(kind, turn)


def _shown(model: CaptionLines) -> list[tuple[str, str, str | None]]:
    return [(s.solid, s.dim, s.speaker) for s in model.visible_segments()]


# --- the model ------------------------------------------------------------------------------


def test_live_turn_is_replaced_in_place_and_then_finished() -> None:
    model = CaptionLines()
    model.apply(_live(0, "", "hi"))
    model.apply(_live(0, "hi my", "name"))
    assert _shown(model) == [("hi my", "name", None)]
    model.apply(_done(0, "Hi, my name is Sonny.", formatted=True))
    assert _shown(model) == [("Hi, my name is Sonny.", "", None)]
    assert model.turn_count() == 1


def test_a_replaced_turn_keeps_its_place_among_later_turns() -> None:
    model = CaptionLines()
    model.apply(_done(0, "hi there"))
    model.apply(_live(1, "how are", "you"))
    assert model.apply(_done(0, "Hi there.", UpdateKind.REPLACED, formatted=True))
    assert _shown(model) == [("Hi there.", "", None), ("how are", "you", None)]


def test_revisions_of_turns_no_longer_on_screen_are_ignored() -> None:
    model = CaptionLines(kept_turns=3)
    for order in range(5):
        model.apply(_done(order, f"turn {order}"))
    assert not model.apply(_done(0, "Turn 0.", UpdateKind.REPLACED))
    assert not model.apply(_done(1, "turn 1", UpdateKind.RELABELLED, speaker="B"))
    assert [s[0] for s in _shown(model)] == ["turn 2", "turn 3", "turn 4"]


def test_after_clear_a_late_formatted_swap_does_not_bring_the_turn_back() -> None:
    model = CaptionLines()
    model.apply(_done(0, "hello"))
    model.clear()
    assert not model.apply(_done(0, "Hello.", UpdateKind.REPLACED))
    assert _shown(model) == []


def test_relabelling_changes_the_speaker_shown() -> None:
    model = CaptionLines()
    model.apply(_done(0, "hello", speaker="A"))
    model.apply(_done(0, "hello", UpdateKind.RELABELLED, speaker="B"))
    assert _shown(model) == [("hello", "", "B")]
    model.show_speakers = False
    assert _shown(model) == [("hello", "", None)]


def test_finished_lines_only_hides_live_turns() -> None:
    model = CaptionLines(finished_lines_only=True)
    model.apply(_done(0, "One."))
    model.apply(_live(1, "two", "three"))
    assert _shown(model) == [("One.", "", None)]


def test_a_live_turn_the_service_abandoned_stays_as_heard() -> None:
    model = CaptionLines()
    assembler = TurnAssembler()
    word = WordMessage("we", 600, 800, 0.9, is_final=False)
    so_then = (WordMessage("so", 0, 200, 0.9, True), WordMessage("then", 300, 500, 0.9, True))
    okay = (WordMessage("okay", 900, 1100, 0.9, is_final=False),)
    for message in (
        TurnMessage(0, "so then", False, False, (*so_then, word)),
        TurnMessage(1, "", False, False, okay),
    ):
        for update in assembler.apply(0, message):
            model.apply(update)
    assert _shown(model) == [("So then we…", "", None), ("", "okay", None)]


def test_live_turns_of_two_streams_show_after_the_finished_ones() -> None:
    model = CaptionLines()
    model.apply(_live(0, "new", "stream", stream=1))
    model.apply(_live(4, "old", "stream", stream=0))
    model.apply(TurnUpdate(UpdateKind.FINISHED, _turn(3, "done", finished=True, stream=0)))
    assert [s.key for s in model.visible_segments()] == [(0, 3), (0, 4), (1, 0)]


def test_the_model_holds_a_bounded_number_of_turns_at_any_session_length() -> None:
    model = CaptionLines()
    for order in range(5000):
        model.apply(_live(order, f"word {order}", "tail"))
        model.apply(_done(order, f"Word {order}."))
    assert model.turn_count() == KEPT_FINISHED_TURNS
    assert model.visible_segments()[-1].solid == "Word 4999."


# --- wrapping -------------------------------------------------------------------------------


def _wrap(segments: list[Segment], width: int, lines: int) -> list[str]:
    return [line_text(line) for line in wrap_lines(segments, width, len, lines)]


def _seg(order: int, solid: str, dim: str = "", speaker: str | None = None) -> Segment:
    return Segment((0, order), solid, dim, speaker, not dim)


def test_wrapping_keeps_the_last_lines_and_flows_turns_together() -> None:
    segments = [_seg(0, "aaa bbb ccc"), _seg(1, "ddd eee", "fff ggg")]
    assert _wrap(segments, 7, 6) == ["aaa bbb", "ccc ddd", "eee fff", "ggg"]
    assert _wrap(segments, 7, 2) == ["eee fff", "ggg"]
    assert _wrap(segments, 7, 1) == ["ggg"]


def test_the_tail_is_a_separate_dim_run() -> None:
    (line,) = wrap_lines([_seg(0, "one two", "three")], 100, len, 2)
    assert [(r.text, r.dim) for r in line] == [("one two", False), (" three", True)]


def test_a_new_speaker_starts_a_new_line_with_a_label() -> None:
    segments = [_seg(0, "hi", speaker="A"), _seg(1, "yes", speaker="A"), _seg(2, "no", speaker="B")]
    assert _wrap(segments, 40, 6) == ["A: hi yes", "B: no"]
    (first, _second) = wrap_lines(segments, 40, len, 6)
    assert first[0].label and first[0].text == "A:"


def test_a_word_longer_than_the_line_gets_its_own_line() -> None:
    assert _wrap([_seg(0, "a supercalifragilistic b")], 6, 6) == ["a", "supercalifragilistic", "b"]


_WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=12)
_SEGMENTS = st.lists(
    st.tuples(
        st.lists(_WORDS, max_size=8),
        st.lists(_WORDS, max_size=4),
        st.sampled_from([None, "A", "B"]),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(st.tuples(_SEGMENTS, st.sampled_from([6, 10, 25])), min_size=1, max_size=6),
    lines=st.integers(0, 6),
)
def test_the_cached_wrap_wraps_as_the_whole_text_would(
    steps: list[tuple[list[tuple[list[str], list[str], str | None]], int]], lines: int
) -> None:
    """Update after update (the finished turns kept or changed, live words growing, the box
    resized), the cached wrap gives exactly the lines of wrapping everything afresh."""
    cached = CachedWrap()
    for raw, width in steps:
        # Finished turns first, then live ones: the order the overlay's model gives them in.
        segments = sorted(
            (
                Segment((0, n), " ".join(solid), " ".join(dim), speaker, not dim)
                for n, (solid, dim, speaker) in enumerate(raw)
            ),
            key=lambda s: not s.finished,
        )
        assert cached.wrap(segments, width, len, lines) == wrap_lines(segments, width, len, lines)


def test_an_update_of_the_live_turn_measures_only_its_words() -> None:
    finished = [_seg(n, f"turn{n} has five short words") for n in range(16)]
    measured: list[str] = []

    def measure(text: str) -> float:
        measured.append(text)
        return len(text)

    cached = CachedWrap()
    cached.wrap([*finished, _seg(16, "", "live")], 30, measure, 3)
    measured.clear()
    lines = cached.wrap([*finished, _seg(16, "", "live words")], 30, measure, 3)
    assert sorted(measured) == ["live", "words"]
    assert [line_text(line) for line in lines] == _wrap(
        [*finished, _seg(16, "", "live words")], 30, 3
    )


# --- contrast -------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1, the classic AA boundary grey.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)


def test_the_default_style_reaches_seven_to_one() -> None:
    # Measured text against the background colour itself. The box is translucent, so what a
    # viewer sees behind the text is that colour mixed with the meeting window; the outline
    # keeps the glyph edges at full contrast whatever shows through.
    style = OverlayStyle()
    assert contrast_ratio(style.text_color, style.background_color) >= WCAG_AAA


@pytest.mark.parametrize("name", ["White on black", "Yellow on black (high contrast)"])
def test_text_on_box_presets_reach_seven_to_one(name: str) -> None:
    style = OVERLAY_PRESETS[name]
    assert contrast_ratio(style.text_color, style.background_color) >= WCAG_AAA


@pytest.mark.parametrize("name", list(OVERLAY_PRESETS))
def test_every_preset_outlines_its_text_at_seven_to_one(name: str) -> None:
    # A chroma-key background is keyed out by the video mixer, so what keeps such captions
    # readable is the outline drawn round each glyph, not the green behind it.
    style = OVERLAY_PRESETS[name]
    assert style.outline
    assert contrast_ratio(style.text_color, outline_colour(style.text_color)) >= WCAG_AAA


def test_the_default_dimmed_tail_still_reaches_seven_to_one() -> None:
    style = OverlayStyle()
    dim = blend(style.text_color, style.background_color, 0.6)
    assert dim == "#999999"
    assert contrast_ratio(dim, style.background_color) >= WCAG_AAA
