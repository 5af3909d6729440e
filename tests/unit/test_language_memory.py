"""The session's memory of its turns' languages tips Whisper's close calls, never a clear one.

The probabilities are Whisper base's own, measured on the languages benchmark's sentences
(espeak-ng voices): "Merci beaucoup pour votre aide cette semaine." ranked English 0.34, French
0.17; the first German sentence after Spanish ranked German 0.99.
"""

from __future__ import annotations

import numpy as np

from caption_app.core.engines.local.decoder import DecodedWord, Hypothesis
from caption_app.core.engines.local.language_memory import LanguageMemory, likeliest
from caption_app.core.engines.local.recognizer import (
    FINAL_BEAM,
    DecodeJob,
    StreamingRecognizer,
    TurnPolicy,
)
from caption_app.core.engines.local.vad import WINDOW

MERCI = (("en", 0.34), ("fr", 0.17), ("ms", 0.14), ("la", 0.09))
FIRST_GERMAN = (("de", 0.99), ("en", 0.004), ("es", 0.001))


def _after(*languages: str) -> LanguageMemory:
    memory = LanguageMemory()
    for language in languages:
        memory.heard(language)
    return memory


def test_with_nothing_remembered_whisper_decides() -> None:
    assert likeliest(MERCI, ()) == "en"


def test_a_close_call_goes_to_the_language_of_the_last_turns() -> None:
    assert likeliest(MERCI, _after("fr", "fr").weights()) == "fr"


def test_a_clear_switch_wins_at_once() -> None:
    assert likeliest(FIRST_GERMAN, _after("es", "es", "es", "es", "es").weights()) == "de"


def test_a_language_left_behind_fades() -> None:
    """A meeting that moved from French to English: "Merci" is English again (as Whisper
    heard it) once enough English turns followed."""
    assert likeliest(MERCI, _after("fr", "fr", "fr").weights()) == "fr"
    assert likeliest(MERCI, _after("fr", "fr", "fr", *["en"] * 4).weights()) == "en"
    weights = dict(_after("fr", *["en"] * 12).weights())
    assert "fr" not in weights  # forgotten, not carried for the whole session
    assert 0.9 < weights["en"] <= 1.0


RATE = 16_000
TURNS_MS = ((300, 1800), (3800, 5300), (7300, 8800))
END_MS = 10_800


def test_each_decode_takes_the_languages_of_the_turns_finished_before_it() -> None:
    """Through the recognizer: three turns, heard as French; the jobs of the second turn carry
    French, those of the first nothing."""
    recognizer = StreamingRecognizer(TurnPolicy())
    jobs: list[DecodeJob] = []
    seen: list[DecodeJob] = []
    for window in range(END_MS * RATE // 1000 // WINDOW):
        ms = window * WINDOW * 1000 // RATE
        speaking = any(start <= ms < end for start, end in TURNS_MS)
        out = recognizer.feed(np.zeros(WINDOW, np.float32), np.array([0.9 if speaking else 0.05]))
        jobs.extend(out.jobs)
        while jobs:  # the decoder keeps up
            job = jobs.pop(0)
            seen.append(job)
            words = (DecodedWord("Merci.", 100, 600, 0.9),)
            reading = Hypothesis(words, "Merci.", -0.2, 0.05, 1.0, "fr")
            jobs.extend(recognizer.decoded(job.job_id, reading).jobs)
    turn_of = [
        next(i for i, (start, _end) in enumerate(TURNS_MS) if job.offset_ms < start + 400)
        for job in seen
    ]
    remembered = {turn: dict(job.remembered) for job, turn in zip(seen, turn_of, strict=True)}
    assert any(job.beam_size == FINAL_BEAM for job in seen)
    assert remembered[0] == {}
    assert set(remembered[1]) == {"fr"}
    assert remembered[2]["fr"] > remembered[1]["fr"]


def test_a_turn_whose_final_reading_is_not_credible_keeps_its_language() -> None:
    """The live readings were French; the final one came back unlikely, detected as English
    (Whisper base on a synthetic French voice), and is dropped: the line is the words shown,
    tagged French, the language they were read in."""
    recognizer = StreamingRecognizer(TurnPolicy())
    jobs: list[DecodeJob] = []
    finished = []
    for window in range(4000 * RATE // 1000 // WINDOW):
        ms = window * WINDOW * 1000 // RATE
        out = recognizer.feed(
            np.zeros(WINDOW, np.float32), np.array([0.9 if 300 <= ms < 2300 else 0.05])
        )
        jobs.extend(out.jobs)
        finished += [m for m in out.messages if m.end_of_turn]
        while jobs:
            job = jobs.pop(0)
            words = (DecodedWord("Nous", 100, 400, 0.9), DecodedWord("avons", 450, 800, 0.9))
            final = job.beam_size == FINAL_BEAM
            # The final reading: not credible, and detected as English (a guess on a poor voice).
            reading = Hypothesis(
                words, "Nous avons", -3.0 if final else -0.2, 0.05, 1.0, "en" if final else "fr"
            )
            done = recognizer.decoded(job.job_id, reading)
            jobs.extend(done.jobs)
            finished += [m for m in done.messages if m.end_of_turn]
    finished += [m for m in recognizer.force_endpoint().messages if m.end_of_turn]
    assert "unlikely text" in recognizer.rejected
    assert [(m.transcript, m.language_code) for m in finished] == [("Nous avons", "fr")]
