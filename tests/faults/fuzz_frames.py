"""Hypothesis strategies for what a hostile service could send, frame by frame.

``survivable`` frames are what SDK 1.8.2 reads without dying: valid shapes with hostile values
(empty, huge, negative or absurd times, any unicode including lone surrogates, NaN and infinite
confidences, duplicated and out-of-order turn numbers), unknown types, text that is not JSON.
``terminal`` frames end the connection one way or another: a binary frame, JSON that is a list,
a string or a number, a known type with wrongly typed fields (each kills the SDK's read thread),
an Error, and frames of several MB (beyond the SDK's 1 MiB limit: it closes with 1009).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

MB = 1 << 20
ABSURD_INTS = [0, -1, -(2**31), 2**31, 2**53, 10**15, -(10**15), 2**63, 10**30]
ODD_TEXT = [
    "",
    " ",
    "\x00",
    "\ud800",
    "\udfff",
    "\u202e\u202d",
    "🙂" * 500,
    "x" * 100_000,
    "\n\r\t",
]


def _int() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(-5, 5), st.sampled_from(ABSURD_INTS), st.integers())


def _text() -> st.SearchStrategy[str]:
    characters = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None)
    return st.one_of(st.sampled_from(ODD_TEXT), st.text(characters, max_size=40))


def _float() -> st.SearchStrategy[float]:
    return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 1.0]))


def _word() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "start": _int(),
            "end": _int(),
            "confidence": _float(),
            "text": _text(),
            "word_is_final": st.booleans(),
        },
        optional={"speaker": st.one_of(st.none(), _text())},
    )


def _turn() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "type": st.just("Turn"),
            "turn_order": st.one_of(st.integers(0, 4), _int()),  # duplicates, out of order
            "turn_is_formatted": st.booleans(),
            "end_of_turn": st.booleans(),
            "transcript": _text(),
            "end_of_turn_confidence": _float(),
            "words": st.lists(_word(), max_size=8),
        },
        optional={
            "utterance": _text(),
            "speaker_label": st.one_of(st.none(), _text()),
            "language_code": st.one_of(st.none(), _text()),
            "language_confidence": st.one_of(st.none(), _float()),
            "unknown_field": _text(),
        },
    )


def _other() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("SpeechStarted"), "timestamp": _int()}),
        st.fixed_dictionaries(
            {
                "type": st.just("Heartbeat"),
                "total_audio_received_ms": _int(),
                "total_duration_ms": _int(),
                "realtime_factor": _float(),
            }
        ),
        st.fixed_dictionaries(
            {"type": st.just("Warning"), "warning_code": _int(), "warning": _text()}
        ),
        st.fixed_dictionaries(
            {
                "type": st.just("SpeakerRevision"),
                "revisions": st.lists(
                    st.fixed_dictionaries(
                        {
                            "turn_order": _int(),
                            "speaker_label": st.one_of(st.none(), _text()),
                            "words": st.lists(_word(), max_size=3),
                        }
                    ),
                    max_size=3,
                ),
            }
        ),
        st.fixed_dictionaries(
            {"type": _text().filter(lambda t: t not in KNOWN_TYPES), "data": _text()}
        ),
    )


KNOWN_TYPES = {
    "Begin",
    "Termination",
    "Turn",
    "SpeechStarted",
    "Error",
    "Warning",
    "Heartbeat",
    "SpeakerRevision",
    "LLMGatewayResponse",
    "Silence",
}


def _not_json() -> st.SearchStrategy[str]:
    def invalid(text: str) -> bool:
        try:
            json.loads(text)
        except ValueError:
            return True
        return False

    return st.one_of(
        st.sampled_from(["{", "}", "[1,", "NaNa", '{"type": "Turn"']),
        st.text(max_size=30).filter(invalid),
    )


def _dump(message: dict[str, Any]) -> str:
    return json.dumps(message)  # lone surrogates are written as \\ud800 escapes, as JSON allows


survivable = st.one_of(
    _turn().map(_dump),
    _turn().map(_dump),  # mostly Turns: they reach the assembler and the journal
    _other().map(_dump),
    _not_json(),
)

_BIG_TURN = json.dumps(
    {
        "type": "Turn",
        "turn_order": 1,
        "turn_is_formatted": True,
        "end_of_turn": True,
        "transcript": "big " * (MB // 2),
        "end_of_turn_confidence": 0.5,
        "words": [],
    }
)
BIG_FRAMES: list[str | bytes] = [_BIG_TURN, b"\x00" * (3 * MB), "[" * (3 * MB)]
"""Several MB each (2 MB of text, 3 MB binary, 3 MB of unbalanced brackets)."""

terminal: st.SearchStrategy[str | bytes] = st.one_of(
    st.binary(min_size=1, max_size=64),
    st.sampled_from(BIG_FRAMES),
    st.lists(st.integers(), max_size=3).map(json.dumps),
    _text().map(json.dumps),
    st.integers().map(json.dumps),
    st.fixed_dictionaries(
        {"type": st.just("Turn"), "turn_order": _text(), "words": _text(), "end_of_turn": _text()}
    ).map(_dump),
    st.fixed_dictionaries(
        {"type": st.just("Warning"), "warning_code": _text(), "warning": _int()}
    ).map(_dump),
    st.fixed_dictionaries({"type": st.just("Begin"), "id": _int(), "expires_at": _text()}).map(
        _dump
    ),
    st.fixed_dictionaries({"type": st.just("Error"), "error_code": _int(), "error": _text()}).map(
        _dump
    ),
    st.fixed_dictionaries({"error": _text()}).map(_dump),
)
