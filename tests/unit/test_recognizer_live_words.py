"""The local recognizer shows words as soon as any reading has them, and reads again soon after
a reading it could not show: a turn's first words are what a reader waits for."""

from __future__ import annotations

import numpy as np

from caption_app.core.engines.local.decoder import DecodedWord, Hypothesis
from caption_app.core.engines.local.recognizer import (
    PARTIAL_BEAM,
    RETRY_MS,
    DecodeJob,
    StreamingRecognizer,
    TurnPolicy,
)
from caption_app.core.engines.local.vad import WINDOW, WINDOW_MS
from caption_app.core.model.turns import TurnMessage

POLICY = TurnPolicy()


class Driver:
    """Feeds the recognizer window by window on its own clock; decodes answer at once."""

    def __init__(self) -> None:
        self.recognizer = StreamingRecognizer(POLICY)
        self.ms = 0
        self.jobs: list[tuple[int, DecodeJob]] = []
        self.messages: list[tuple[int, TurnMessage]] = []

    def feed(self, until_ms: int, *, speech: bool) -> None:
        while self.ms < until_ms:
            out = self.recognizer.feed(
                np.zeros(WINDOW, dtype=np.float32), np.array([0.9 if speech else 0.05])
            )
            self.ms += WINDOW_MS
            self.jobs += [(self.ms, job) for job in out.jobs]
            self.messages += [(self.ms, m) for m in out.messages]

    def answer(self, job: DecodeJob, text: str, *, logprob: float = -0.2) -> None:
        words = tuple(
            DecodedWord(w, 100 + 300 * n, 350 + 300 * n, 0.9) for n, w in enumerate(text.split())
        )
        out = self.recognizer.decoded(job.job_id, Hypothesis(words, text, logprob, 0.05, 1.0))
        self.jobs += [(self.ms, j) for j in out.jobs]
        self.messages += [(self.ms, m) for m in out.messages]

    def next_job(self) -> DecodeJob:
        return self.jobs.pop(0)[1]


def test_a_word_read_in_a_pause_is_shown_at_once_when_the_speaker_goes_on() -> None:
    """ "Sure, | I will have a look": the pause after "Sure," brings the final reading of
    "Sure,"; the speaker goes on, so the turn does not end, and "Sure," is on screen now, not
    after the next live reading."""
    driver = Driver()
    driver.feed(600, speech=True)  # "Sure,"
    first = driver.next_job()  # the first live reading, before the pause
    driver.answer(first, "Sure", logprob=-2.0)  # not credible: nothing shown
    assert driver.messages == []
    driver.feed(850, speech=False)  # a short pause: its final reading is asked for
    final = driver.next_job()
    assert final.beam_size > PARTIAL_BEAM
    driver.answer(final, "Sure,")
    assert driver.messages, "the reading in the pause was kept back until the turn's end"
    shown = driver.messages[-1][1]
    assert not shown.end_of_turn
    assert [w.text for w in shown.words] == ["sure"]  # live words: as a partial shows them
    driver.feed(1500, speech=True)  # the speaker goes on: the same turn
    assert all(not m.end_of_turn for _, m in driver.messages)


def test_while_a_turn_shows_nothing_a_reading_that_could_not_be_shown_is_tried_again_soon() -> None:
    driver = Driver()
    driver.feed(POLICY.first_partial_ms + 100, speech=True)
    first_at, first = driver.jobs.pop(0)
    driver.answer(first, "Sarah", logprob=-2.2)  # a name alone: not credible, nothing shown
    assert driver.messages == []
    driver.feed(first_at + POLICY.partial_every_ms, speech=True)
    second_at, second = driver.jobs.pop(0)
    assert second_at - first_at <= RETRY_MS + WINDOW_MS < POLICY.partial_every_ms
    driver.answer(second, "Sarah could you")
    assert driver.messages
    driver.feed(second_at + 2 * POLICY.partial_every_ms, speech=True)
    third_at, _third = driver.jobs.pop(0)
    # Words shown, none final yet: the opening's wait, longer than a retry's.
    assert third_at - second_at >= POLICY.opening_every_ms > RETRY_MS
