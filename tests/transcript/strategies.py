"""Hypothesis strategies: random sessions with realistic and hostile word timings."""

from __future__ import annotations

from hypothesis import strategies as st

from caption_app.core.model.turns import Turn, Word
from caption_app.core.transcript import Entry, SessionTranscript, TranscriptDocument
from tests.transcript.builders import make_info

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßñøç'&0123456789"
WORDS = st.tuples(
    st.text(alphabet=LETTERS, min_size=1, max_size=14),
    st.sampled_from(["", "", "", ",", ".", "?", "!", ";"]),
).map("".join)
EIGHT_HOURS_MS = 8 * 3600 * 1000


@st.composite
def documents(draw: st.DrawFn, *, overlapping: bool = False) -> TranscriptDocument:
    """Turns in time order (or, with ``overlapping``, with times that jump back and overlap)."""
    transcript = SessionTranscript(make_info())
    clock = draw(st.integers(0, EIGHT_HOURS_MS))
    for order in range(draw(st.integers(1, 8))):
        if draw(st.booleans()) and order:
            pause = draw(st.integers(1, 60_000))
            transcript.add_gap(clock, clock + pause, draw(st.sampled_from(["reconnect", "pause"])))
            clock += pause
        if overlapping:
            clock = max(0, clock - draw(st.integers(0, 5_000)))
        words = []
        for _ in range(draw(st.integers(1, 45))):
            clock += draw(st.integers(0, 3_500))  # silence before the word
            length = draw(st.integers(0, 9_000 if overlapping else 2_500))
            start = clock - draw(st.integers(0, 800)) if overlapping else clock
            words.append(Word(draw(WORDS), max(0, start), clock + length, 0.9, True, None))
            clock += length
        label = draw(st.sampled_from([None, "A", "B", "C"]))
        text = " ".join(w.text for w in words)
        if draw(st.integers(0, 5)) == 0:  # formatting merged or split words
            text = " ".join(text.split()[: max(1, len(words) - 2)]) + " 25."
        transcript.put_turn(
            Turn(0, order, tuple(words), text, "", True, True, speaker=label, language="en")
        )
    return transcript.snapshot()


def turn_text(entries: tuple[Entry, ...]) -> str:
    """All turn text in time order, single-spaced: what the subtitles must carry."""
    turns = sorted(
        (e for e in entries if isinstance(e, Turn) and e.words), key=lambda t: t.start_ms
    )
    return " ".join(" ".join(t.text.split()) for t in turns)
