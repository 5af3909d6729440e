"""A translation that came out in the spoken language is never shown as English.

Whisper base's translate task sometimes writes the spoken language back (a clean clone's CI
printed "muchas gracias a todos por venir a la reunión de hoy." as the English subtitle of a
Spanish sentence). The judge (py3langid, the real model) tells the two apart; the recognizer
keeps such a reading out of the live English words, and ends the turn with the spoken words,
marked, so the engine gives the line its spoken language's tag instead of ``es→en``.
"""

from __future__ import annotations

import numpy as np
import pytest

from caption_app.core.engines.local.decoder import DecodedWord, Hypothesis
from caption_app.core.engines.local.recognizer import (
    FINAL_BEAM,
    DecodeJob,
    Output,
    StreamingRecognizer,
    TurnPolicy,
)
from caption_app.core.engines.local.vad import WINDOW
from caption_app.core.engines.local.written_language import is_untranslated
from caption_app.core.model.turns import TurnMessage

RATE = 16_000


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("muchas gracias a todos por venir a la reunión de hoy.", "es"),  # the CI's line
        ("Bonjour tous. Bonjour Blinousa, on parait du boucher de rânet.", "fr"),
        ("Rapport, Sarapronto, Menerci, Pomeggi", "it"),  # seen from Whisper base here
        ("Guten Morgen zusammen.", "de"),
        ("Muchas gracias a todos.", "es"),
    ],
)
def test_the_spoken_language_written_back_is_untranslated(text: str, spoken: str) -> None:
    assert is_untranslated(text, spoken)


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Many thanks to all of you for coming to the reunion today.", "es"),
        ("Good morning to all! Let's talk about the lunch of the next year!", "it"),
        ("Thank you.", "de"),
        ("Hello", "es"),  # a word or two: either reading is weak, so it stands
        ("Pizza.", "it"),  # a loanword or a name: as English as anything (the review)
        ("Señor Gonzalez.", "es"),
        ("Kindergarten.", "de"),
        ("", "es"),
        ("Hola a todos.", "en"),  # nothing to translate from
        ("Hola a todos.", None),
        ("Hola a todos.", "xx"),  # a language the judge does not know
    ],
)
def test_english_and_what_cannot_be_judged_stand(text: str, spoken: str | None) -> None:
    assert not is_untranslated(text, spoken)


SPEECH_MS = (300, 2300)
END_MS = 4300
ENGLISH = ["Many", "thanks", "to", "all."]
SPANISH = ["Muchas", "gracias", "a", "todos."]


def _reading(job: DecodeJob, said: list[str], *, untranslated: bool) -> Hypothesis:
    """Whisper's answer for the job's window: as much of the sentence as the window holds."""
    start = job.offset_ms
    end = start + len(job.audio) * 1000 // RATE
    step = (SPEECH_MS[1] - SPEECH_MS[0]) // len(said)
    words = tuple(
        DecodedWord(text, at - start, at + step - start, 0.9)
        for n, text in enumerate(said)
        if (at := SPEECH_MS[0] + n * step) + step <= end
    )
    text = " ".join(w.text for w in words)
    return Hypothesis(words, text, -0.2, 0.05, 1.0, "es", untranslated and bool(words))


def _run(final_untranslated: bool, partials_untranslated: bool) -> tuple[list[TurnMessage], Output]:
    """One Spanish sentence through the recognizer with the translate task's answers."""
    recognizer = StreamingRecognizer(TurnPolicy())
    jobs: list[DecodeJob] = []
    messages: list[TurnMessage] = []
    untranslated: set[int] = set()

    def take(out: Output) -> None:
        jobs.extend(out.jobs)
        messages.extend(out.messages)
        untranslated.update(out.untranslated)

    for window in range(END_MS * RATE // 1000 // WINDOW):
        ms = window * WINDOW * 1000 // RATE
        speaking = SPEECH_MS[0] <= ms < SPEECH_MS[1]
        take(recognizer.feed(np.zeros(WINDOW, np.float32), np.array([0.9 if speaking else 0.05])))
        while jobs:  # the decoder keeps up
            job = jobs.pop(0)
            final = job.beam_size == FINAL_BEAM
            wrong = final_untranslated if final else partials_untranslated
            take(
                recognizer.decoded(
                    job.job_id, _reading(job, SPANISH if wrong else ENGLISH, untranslated=wrong)
                )
            )
    take(recognizer.force_endpoint())
    return messages, Output(untranslated=untranslated)


def test_a_final_reading_left_in_spanish_ends_the_turn_in_spanish_marked() -> None:
    messages, out = _run(final_untranslated=True, partials_untranslated=False)
    finished = [m for m in messages if m.end_of_turn]
    assert len(finished) == 1
    # The whole sentence as said, not English live words joined to Spanish ones.
    assert finished[0].transcript == "Muchas gracias a todos.", finished[0]
    assert out.untranslated == {finished[0].turn_order}


def test_live_readings_left_in_spanish_never_show() -> None:
    messages, out = _run(final_untranslated=False, partials_untranslated=True)
    live_words = {w.text for m in messages if not m.end_of_turn for w in m.words}
    assert not live_words & set(SPANISH), live_words
    finished = [m for m in messages if m.end_of_turn]
    assert [m.transcript for m in finished] == ["Many thanks to all."]
    assert out.untranslated == set()


def test_english_throughout_is_not_marked() -> None:
    messages, out = _run(final_untranslated=False, partials_untranslated=False)
    assert any(not m.end_of_turn for m in messages)  # live words were shown
    assert [m.transcript for m in messages if m.end_of_turn] == ["Many thanks to all."]
    assert out.untranslated == set()
