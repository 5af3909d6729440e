"""Turn messages from decoded words, as the cloud service would send them."""

from __future__ import annotations

from caption_app.core.engines.local.decoder import DecodedWord, join_words, normalized
from caption_app.core.model.turns import TurnMessage, WordMessage


def partial_message(
    turn_order: int, final: list[DecodedWord], live: list[DecodedWord]
) -> TurnMessage:
    """Final words (agreed on) then live ones, unformatted, as a non-final Turn."""
    words = tuple(
        [_word(w, is_final=True, formatted=False) for w in final]
        + [_word(w, is_final=False, formatted=False) for w in live]
    )
    return TurnMessage(
        turn_order=turn_order,
        transcript=" ".join(w.text for w in words if w.is_final),
        end_of_turn=False,
        turn_is_formatted=False,
        words=words,
    )


def finished_message(
    turn_order: int, formatted: bool, words: list[DecodedWord], language: str | None = None
) -> TurnMessage:
    """The end of a turn: Whisper's cased, punctuated words when ``formatted``, and the spoken
    language when the model is multilingual (as the cloud sends it on the end of a turn)."""
    messages = tuple(_word(w, is_final=True, formatted=formatted) for w in words)
    texts = [w.text for w in messages]
    return TurnMessage(
        turn_order=turn_order,
        transcript=join_words(texts) if formatted else " ".join(texts),
        end_of_turn=True,
        turn_is_formatted=formatted,
        words=messages,
        end_of_turn_confidence=1.0,
        language_code=language,
    )


def _word(w: DecodedWord, *, is_final: bool, formatted: bool) -> WordMessage:
    text = w.text if formatted else normalized(w.text)
    return WordMessage(
        text=text or w.text,
        start_ms=w.start_ms,
        end_ms=max(w.end_ms, w.start_ms),
        confidence=round(w.probability, 3),
        is_final=is_final,
    )
