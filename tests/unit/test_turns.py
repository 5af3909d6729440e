"""Turn assembly: both server formatting behaviours, speaker revisions, streams, snapshots."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caption_app.core.model.turns import SpeakerRevision, TurnMessage, TurnUpdate, UpdateKind
from caption_app.core.streaming.assembler import TurnAssembler
from tests.support.turn_messages import partials as _partials
from tests.support.turn_messages import turn_message as _msg


def _one(asm: TurnAssembler, stream: int, message: TurnMessage) -> TurnUpdate | None:
    """Apply a message that should change at most one turn."""
    updates = asm.apply(stream, message)
    assert len(updates) <= 1
    return updates[0] if updates else None


def test_partials_grow_in_place_with_a_dim_tail() -> None:
    asm = TurnAssembler()
    updates = [_one(asm, 0, m) for m in _partials(0, "hi my name is sonny")]
    assert all(u is not None and u.kind is UpdateKind.LIVE for u in updates)
    last = updates[-1]
    assert last is not None
    assert (last.turn.text, last.turn.tail) == ("hi my name is", "sonny")
    assert [t.key for t in asm.live_turns()] == [(0, 0)]


def test_legacy_formatting_swaps_in_exactly_once() -> None:
    asm = TurnAssembler()
    words = ["hi", "my", "name", "is", "sonny"]
    for m in _partials(0, "hi my name is sonny"):
        _one(asm, 0, m)
    first = _one(asm, 0, _msg(0, words, 5, eot=True))
    formatted = _msg(0, words, 5, eot=True, formatted=True, transcript="Hi, my name is Sonny.")
    second = _one(asm, 0, formatted)
    repeat = _one(asm, 0, formatted)
    assert first is not None and first.kind is UpdateKind.FINISHED
    assert first.turn.text == "hi my name is sonny"
    assert second is not None and second.kind is UpdateKind.REPLACED
    assert second.turn.text == "Hi, my name is Sonny." and second.turn.formatted
    assert repeat is None
    assert asm.live_turns() == []


def test_inline_formatting_finishes_once() -> None:
    asm = TurnAssembler()
    _one(asm, 0, _msg(0, ["Hi,", "my"], 1, formatted=True))
    done = _one(asm, 0, _msg(0, ["Hi,", "my", "name."], 3, eot=True, formatted=True))
    assert done is not None and done.kind is UpdateKind.FINISHED
    assert done.turn.text == "Hi, my name." and done.turn.tail == ""


def test_late_partial_after_end_is_ignored() -> None:
    asm = TurnAssembler()
    _one(asm, 0, _msg(0, ["a", "b"], 2, eot=True))
    assert asm.apply(0, _msg(0, ["a"], 0)) == []


def test_a_new_turn_finishes_an_abandoned_live_turn() -> None:
    asm = TurnAssembler()
    _one(asm, 0, _msg(0, ["one", "two"], 1))
    updates = asm.apply(0, _msg(1, ["three"], 0))
    assert [(u.kind, u.turn.key) for u in updates] == [
        (UpdateKind.FINISHED, (0, 0)),
        (UpdateKind.LIVE, (0, 1)),
    ]
    assert updates[0].turn.interrupted and updates[0].turn.text == "One two…"
    assert [t.key for t in asm.live_turns()] == [(0, 1)]


def test_end_stream_finishes_the_live_turn_as_interrupted() -> None:
    asm = TurnAssembler()
    _one(asm, 0, _msg(0, ["never", "finished"], 1))
    update = asm.end_stream(0)
    assert update is not None and update.kind is UpdateKind.FINISHED
    assert update.turn.interrupted and update.turn.text == "Never finished…"
    assert asm.end_stream(0) is None


def test_a_turn_whose_connection_was_ended_mid_speech_ends_as_cut_off() -> None:
    """Third walk A13: the engine's flush of a turn cut by an unplug read as a whole line."""
    asm = TurnAssembler()
    _one(asm, 0, _msg(0, ["unless", "to", "be", "rather", "selfish"], 4))
    asm.cut_short(0)  # the session ends the connection: the engine flushes what it heard
    flushed = _one(asm, 0, _msg(0, ["unless", "to", "be", "rather", "selfish", "is"], 6, eot=True))
    assert flushed is not None and flushed.turn.interrupted
    assert flushed.turn.text == "Unless to be rather selfish is…"
    formatted = _msg(
        0, ["Unless", "to", "be", "rather", "selfish", "is."], 6, eot=True, formatted=True
    )
    repeat = _one(
        asm, 0, dataclasses.replace(formatted, transcript="Unless to be rather selfish is.")
    )
    assert repeat is not None and repeat.turn.text == "Unless to be rather selfish is…"
    # The next turn, on the next connection, is whole.
    done = _one(asm, 1, _msg(0, ["and", "so", "on."], 3, eot=True, formatted=True))
    assert done is not None and not done.turn.interrupted and done.turn.text == "and so on."


def test_a_line_heard_to_the_end_of_its_sentence_is_not_cut_by_a_stop() -> None:
    """Eighth walk Z6: Stop right after a sentence, its live words formatted as they came
    ("…moves to Thursday."), and the line read "…moves to Thursday…", as if words were lost
    from it. Unformatted live words cannot say where a sentence ends: such a line stays cut."""
    asm = TurnAssembler()
    words = ["The", "review", "moves", "to", "Thursday."]
    live = _msg(0, words, 5, formatted=True, transcript="The review moves to Thursday.")
    _one(asm, 0, live)
    asm.cut_short(0)
    flushed = _one(asm, 0, dataclasses.replace(live, end_of_turn=True))
    assert flushed is not None and not flushed.turn.interrupted
    assert flushed.turn.text == "The review moves to Thursday."
    # Words heard after the sentence, in the flush only (partials lag): cut after all.
    later = TurnAssembler()
    _one(later, 0, live)
    later.cut_short(0)
    more = _msg(0, [*words, "And", "the"], 7, eot=True, formatted=True)
    flushed = _one(
        later, 0, dataclasses.replace(more, transcript="The review moves to Thursday. And the")
    )
    assert flushed is not None and flushed.turn.interrupted, flushed
    assert flushed.turn.text.endswith("And the…"), flushed.turn.text
    # A title ends no sentence: "I spoke to Mr." is cut.
    titled = TurnAssembler()
    spoke = _msg(0, ["I", "spoke", "to", "Mr."], 4, formatted=True, transcript="I spoke to Mr.")
    _one(titled, 0, spoke)
    titled.cut_short(0)
    mr = _one(titled, 0, dataclasses.replace(spoke, end_of_turn=True))
    assert mr is not None and mr.turn.interrupted and mr.turn.text == "I spoke to Mr…", mr
    # Mid-sentence, formatted as it came ("Hi, my name"): cut.
    _one(asm, 1, _msg(0, ["Hi,", "my", "name"], 3, formatted=True, transcript="Hi, my name"))
    asm.cut_short(1)
    cut = asm.end_stream(1)
    assert cut is not None and cut.turn.interrupted and cut.turn.text == "Hi, my name…"


def test_a_cut_line_that_ended_in_dots_ends_in_one_ellipsis() -> None:
    """Seventh walk: the local engine's flush "how..." of a line cut by Stop read "How.." (a
    full stop taken off three dots); a turn never finished that ended in dots kept them."""
    asm = TurnAssembler()
    _one(asm, 0, _msg(0, ["and", "that", "is", "how"], 4))
    asm.cut_short(0)
    flushed = _one(asm, 0, _msg(0, ["and", "that", "is", "how..."], 4, eot=True, formatted=True))
    assert flushed is not None
    assert flushed.turn.text == "And that is how…", flushed.turn.text
    _one(asm, 1, _msg(0, ["so", "then..."], 2))
    ended = asm.end_stream(1)
    assert ended is not None
    assert ended.turn.text == "So then…", ended.turn.text


def test_streams_have_their_own_turn_orders_and_clock_offsets() -> None:
    asm = TurnAssembler()
    asm.begin_stream(0, 0)
    asm.begin_stream(1, 60_000)
    a = _one(asm, 0, _msg(0, ["x"], 1, eot=True))
    b = _one(asm, 1, _msg(0, ["y"], 1, eot=True))
    assert a is not None and b is not None
    assert a.turn.key != b.turn.key
    assert b.turn.start_ms == 60_000 and a.turn.start_ms == 0


def test_speaker_revision_relabels_turn_and_words() -> None:
    asm = TurnAssembler()
    _one(
        asm,
        0,
        dataclasses.replace(_msg(0, ["hello", "world"], 2, eot=True), speaker_label="A"),
    )
    updates = asm.revise_speakers(
        0, [SpeakerRevision(0, "B", ("B", "A")), SpeakerRevision(9, "C", ())]
    )
    assert [u.kind for u in updates] == [UpdateKind.RELABELLED]
    turn = updates[0].turn
    assert turn.speaker == "B" and [w.speaker for w in turn.words] == ["B", "A"]


def test_language_code_is_kept_through_the_formatted_swap() -> None:
    asm = TurnAssembler()
    first = dataclasses.replace(_msg(0, ["hola"], 1, eot=True), language_code="es")
    _one(asm, 0, first)
    swapped = _one(asm, 0, _msg(0, ["hola"], 1, eot=True, formatted=True, transcript="Hola."))
    assert swapped is not None and swapped.turn.language == "es"


def test_snapshots_are_immutable() -> None:
    asm = TurnAssembler()
    update = _one(asm, 0, _msg(0, ["a"], 1))
    assert update is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        update.turn.text = "changed"  # type: ignore[misc]


@given(
    st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta"]), min_size=1, max_size=12),
    st.booleans(),
)
def test_any_turn_is_shown_once_and_finished(words: list[str], legacy: bool) -> None:
    asm = TurnAssembler()
    finished = 0
    for m in _partials(0, " ".join(words)):
        _one(asm, 0, m)
    for m in [_msg(0, words, len(words), eot=True)] + (
        [
            _msg(
                0,
                words,
                len(words),
                eot=True,
                formatted=True,
                transcript=" ".join(words).capitalize() + ".",
            )
        ]
        if legacy
        else []
    ):
        u = _one(asm, 0, m)
        finished += u is not None and u.kind is UpdateKind.FINISHED
    assert finished == 1
    assert asm.live_turns() == []


def test_an_attributing_input_names_who_spoke_unless_the_service_does() -> None:
    """Words 300 ms apart from the stream's start; the input heard You until 1 s, then Others."""
    asked: list[tuple[int, int]] = []

    def who(start_ms: int, end_ms: int) -> str | None:
        asked.append((start_ms, end_ms))
        return "You" if end_ms <= 11_000 else "Others"

    asm = TurnAssembler(attribute=who)
    asm.begin_stream(0, 10_000)  # the stream began 10 s into the session
    update = _one(asm, 0, _msg(0, ["one", "two", "three", "four", "five"], 5, eot=True))
    assert update is not None
    assert [w.speaker for w in update.turn.words] == ["You"] * 3 + ["Others"] * 2
    assert update.turn.speaker == "You"  # who spoke longest
    assert asked[0] == (10_000, 10_250)  # asked on the session clock
    labelled = dataclasses.replace(_msg(1, ["hi"], 1, eot=True), speaker_label="B")
    update = _one(asm, 0, labelled)
    assert update is not None and update.turn.speaker == "B"
    assert len(asked) == 5  # the service named the speaker: the input was not asked


def test_a_partial_for_an_older_turn_never_replaces_the_live_one() -> None:
    asm = TurnAssembler()
    _one(asm, 0, _msg(5, ["hello", "world"], 1))
    assert asm.apply(0, _msg(3, ["stale"], 0)) == []
    (live,) = asm.live_turns()
    assert (live.order, live.display_text) == (5, "hello world")


def test_a_speaker_the_service_calls_unknown_is_no_speaker_yet() -> None:
    from types import SimpleNamespace

    from caption_app.core.engines.assemblyai.engine import known_speaker, turn_message
    from caption_app.core.streaming.assembler import TurnAssembler

    word = SimpleNamespace(
        text="hello", start=0, end=400, confidence=0.9, word_is_final=False, speaker="UNKNOWN"
    )
    event = SimpleNamespace(
        turn_order=0,
        transcript="",
        end_of_turn=False,
        turn_is_formatted=False,
        end_of_turn_confidence=0.1,
        speaker_label="UNKNOWN",
        language_code=None,
        words=[word],
    )
    message = turn_message(event)
    assert message.speaker_label is None and message.words[0].speaker is None
    (update,) = TurnAssembler().apply(0, message)
    assert update.turn.speaker is None  # so no "Speaker UNKNOWN:" label is drawn
    assert known_speaker("A") == "A" and known_speaker("unknown") is None


def test_a_stream_taking_over_leaves_out_what_was_captioned_before_it() -> None:
    """The local engine taking over hears again a little before the last word the cloud
    reported (so a word cut there is heard whole): it must not caption that word twice."""
    asm = TurnAssembler()
    asm.begin_stream(0, 0)
    cloud = _one(asm, 0, _msg(0, ["our", "belief", "in"], 2))  # "in" is the tail, to 850 ms
    assert cloud is not None
    asm.end_stream(0)
    # Stream 1's audio starts 300 ms before that end (the margin), at 550 ms on the session
    # clock; it hears "in" again (its first 250 ms), then new words.
    asm.begin_stream(1, 550, captioned_until_ms=850)
    words = ["In", "the", "people."]
    update = _one(asm, 1, _msg(0, words, 3, eot=True, formatted=True, transcript=" ".join(words)))
    assert update is not None
    assert update.turn.text == "The people."
    assert [w.text for w in update.turn.words] == ["the", "people."]
    only_the_old_word = _msg(1, ["in"], 1, start_ms=0)
    asm.begin_stream(2, 550, captioned_until_ms=850)
    assert asm.apply(2, only_the_old_word) == []
