"""The local recognizer ends a turn in a pause even when the final decode comes back late.

The recognizer is pure (audio, the VAD's verdicts and decode results in; jobs and Turn
messages out), so this drives it with verdicts and with the answers Whisper gives: a window
holding two sentences across a long pause is read as the first sentence alone (measured on the
shared clips: "Go forward 10 meters." for a window that also holds the next clip).
"""

from __future__ import annotations

import numpy as np

from caption_app.core.engines.local.decoder import DecodedWord, Hypothesis
from caption_app.core.engines.local.recognizer import (
    DecodeJob,
    Output,
    StreamingRecognizer,
    TurnPolicy,
)
from caption_app.core.engines.local.vad import WINDOW
from caption_app.core.model.turns import TurnMessage

RATE = 16_000
SENTENCES = [
    ((300, 1800), ["one", "two", "three."]),
    ((3300, 5300), ["four", "five", "six."]),
]
"""Speech from-to (ms) and what was said."""
END_MS = 7300


def speaking(ms: int) -> bool:
    return any(start <= ms < end for (start, end), _ in SENTENCES)


def answer(job: DecodeJob) -> Hypothesis:
    """What Whisper hears in the job's window: each sentence wholly or partly inside it, but
    only the first of two when the window spans the pause between them."""
    start = job.offset_ms
    end = start + len(job.audio) * 1000 // RATE
    words: list[DecodedWord] = []
    for (s_from, s_to), said in SENTENCES:
        if s_from >= end or s_to <= start:
            continue
        if words:
            break  # the second sentence after a long pause: not read
        step = (s_to - s_from) // len(said)
        for n, text in enumerate(said):
            w_from = s_from + n * step
            if w_from + step <= end:
                words.append(DecodedWord(text, w_from - start, w_from + step - start, 0.9))
    text = " ".join(w.text for w in words)
    return Hypothesis(tuple(words), text, -0.2, 0.05, 1.0)


def finished(out: Output, into: list[TurnMessage]) -> None:
    into.extend(m for m in out.messages if m.end_of_turn)


def test_a_late_final_decode_still_ends_the_turn_in_the_pause() -> None:
    recognizer = StreamingRecognizer(TurnPolicy())
    jobs: list[DecodeJob] = []
    turns: list[TurnMessage] = []
    # All the audio arrives while the first decode is out (the model loading, or a busy
    # machine): the recognizer hears both sentences and the pause between them first.
    for window in range(END_MS * RATE // 1000 // WINDOW):
        ms = window * WINDOW * 1000 // RATE
        out = recognizer.feed(
            np.zeros(WINDOW, dtype=np.float32), np.array([0.9 if speaking(ms) else 0.05])
        )
        jobs += out.jobs
        finished(out, turns)
    for _ in range(50):  # then the decoder catches up, one job at a time
        if not jobs:
            break
        job = jobs.pop(0)
        out = recognizer.decoded(job.job_id, answer(job))
        jobs += out.jobs
        finished(out, turns)
    finished(recognizer.force_endpoint(), turns)
    assert [t.transcript for t in turns] == ["one two three.", "four five six."]
