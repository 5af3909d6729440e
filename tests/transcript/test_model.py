"""The session model: finished turns in order, replacements in place, gaps, counts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind
from caption_app.core.transcript import Gap, SessionTranscript, speaker_name
from tests.transcript.builders import finished, make_info, make_turn, meeting


def test_finished_turns_are_kept_in_order_and_live_updates_ignored() -> None:
    transcript = SessionTranscript(make_info())
    first = make_turn(0, 0, "hello there", 0)
    live = replace(make_turn(0, 1, "this is still", 1_000), finished=False)
    assert transcript.apply(finished(first)) == first
    assert transcript.apply(TurnUpdate(UpdateKind.LIVE, live)) is None
    second = make_turn(0, 1, "this is done", 1_000)
    transcript.apply(finished(second))
    doc = transcript.snapshot()
    assert doc.entries == (first, second)
    assert transcript.word_count == doc.word_count == 5


def test_replaced_turn_takes_the_place_of_the_old_one() -> None:
    transcript = SessionTranscript(make_info())
    transcript.apply(finished(make_turn(0, 0, "i owe you twenty five dollars", 0)))
    transcript.apply(finished(make_turn(0, 1, "ok", 3_000)))
    formatted = make_turn(0, 0, "I owe you $25.", 0)
    transcript.apply(TurnUpdate(UpdateKind.REPLACED, formatted))
    doc = transcript.snapshot()
    assert [e.text for e in doc.entries if not isinstance(e, Gap)] == ["I owe you $25.", "ok"]
    assert transcript.word_count == doc.word_count == 5
    assert transcript.turn_count == 2


def test_relabelled_turn_changes_speaker_in_place() -> None:
    transcript = SessionTranscript(make_info())
    transcript.apply(finished(make_turn(0, 0, "first words", 0, speaker="A")))
    transcript.apply(finished(make_turn(0, 1, "second words", 2_000, speaker="A")))
    relabelled = make_turn(0, 0, "first words", 0, speaker="B")
    transcript.apply(TurnUpdate(UpdateKind.RELABELLED, relabelled))
    doc = transcript.snapshot()
    assert doc.entries[0] == relabelled
    assert doc.speakers == ("B", "A")


def test_same_order_in_another_stream_is_a_different_turn() -> None:
    transcript = SessionTranscript(make_info())
    transcript.apply(finished(make_turn(0, 0, "before the reconnect", 0)))
    transcript.apply(finished(make_turn(1, 0, "after the reconnect", 9_000)))
    assert len(transcript.snapshot().entries) == 2
    assert transcript.word_count == 6


def test_gaps_and_streams_are_recorded_and_count_towards_duration() -> None:
    doc = meeting().snapshot()
    gaps = list(doc.gaps)
    assert gaps == [Gap(7_000, 19_000, "reconnect")]
    assert gaps[0].duration_ms == 12_000
    assert [s.offset_ms for s in doc.streams] == [0, 19_000]
    assert doc.entries.index(gaps[0]) == 2
    last_turn = doc.entries[-1]
    assert isinstance(last_turn, Turn)
    assert doc.duration_ms == last_turn.end_ms
    assert doc.languages == ("en",)


def test_snapshot_does_not_change_when_the_session_goes_on() -> None:
    transcript = meeting()
    before = transcript.snapshot()
    transcript.apply(finished(make_turn(1, 1, "more words", 30_000)))
    transcript.rename("Renamed")
    assert len(transcript.snapshot().entries) == len(before.entries) + 1
    assert before.info.title == "Weekly sync"
    assert transcript.info.title == "Renamed"


@pytest.mark.parametrize(("label", "name"), [("A", "Speaker A"), ("Maria", "Maria")])
def test_speaker_names(label: str, name: str) -> None:
    assert speaker_name(label) == name


def test_untitled_session_gets_a_dated_title() -> None:
    info = make_info()
    assert info.display_title.startswith("Session 2025-03-0")
    assert make_info(title="Board").display_title == "Board"


def test_gaps_one_after_another_with_one_cause_are_kept_as_one() -> None:
    transcript = SessionTranscript(make_info())
    for start in (5_000, 13_000, 21_000):
        transcript.add_gap(start, start + 8_000, "reconnect")
    transcript.add_gap(29_000, 30_000, "pause")
    gaps = list(transcript.snapshot().gaps)
    assert [(g.start_ms, g.end_ms, g.reason) for g in gaps] == [
        (5_000, 29_000, "reconnect"),
        (29_000, 30_000, "pause"),
    ]
