"""Turn messages as the engine hands them to the assembler, for tests that feed turns in.

Words are 250 ms long and 300 ms apart from ``start_ms``; the first ``final`` of them are
final, the rest the non-final tail.
"""

from __future__ import annotations

from caption_app.core.model.turns import TurnMessage, WordMessage


def turn_message(
    order: int,
    words: list[str],
    final: int,
    *,
    eot: bool = False,
    formatted: bool = False,
    transcript: str | None = None,
    start_ms: int = 0,
    speaker: str | None = None,
) -> TurnMessage:
    """``transcript`` defaults to the final words, as Universal-Streaming sends it."""
    text = transcript if transcript is not None else " ".join(words[:final])
    word_messages = tuple(
        WordMessage(
            w,
            start_ms + 300 * i,
            start_ms + 300 * i + 250,
            0.9,
            i < final,
            speaker if i < final else None,
        )
        for i, w in enumerate(words)
    )
    return TurnMessage(order, text, eot, formatted, word_messages, speaker_label=speaker)


def partials(order: int, sentence: str, start_ms: int = 0) -> list[TurnMessage]:
    """Word-by-word growth: each message adds a tail word and finalises the one before."""
    words = sentence.split()
    return [turn_message(order, words[: n + 1], n, start_ms=start_ms) for n in range(len(words))]
