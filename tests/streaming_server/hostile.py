"""Frames no faithful service sends, for the fault tests: each one kills SDK 1.8.2's read thread.

Valid traffic stays in ``session.py``; these are only ever sent on request (``Fault`` or
``StreamingServer.send_raw``). What each does to the SDK is in the protocol doc, section 8.
"""

from __future__ import annotations

import json

from tests.streaming_server.config import Fault

HOSTILE_FAULTS = (
    Fault.BINARY_FRAME,
    Fault.JSON_LIST,
    Fault.JSON_STRING,
    Fault.WRONG_TYPED_TURN,
    Fault.WARNING_STRING_CODE,
)
"""What kills the reader: UnicodeDecodeError, AttributeError ('list' / 'str' object has no
attribute 'get'), and pydantic validation errors."""


def hostile_frame(fault: Fault, turn_order: int) -> str | bytes:
    if fault is Fault.BINARY_FRAME:
        return b"\xff\xfe\x00\x81 not text"  # not UTF-8: json.loads raises UnicodeDecodeError
    if fault is Fault.JSON_LIST:
        return json.dumps([{"type": "Turn"}])
    if fault is Fault.JSON_STRING:
        return json.dumps("Turn")
    if fault is Fault.WRONG_TYPED_TURN:
        return json.dumps(
            {
                "type": "Turn",
                "turn_order": {"not": "a number"},
                "turn_is_formatted": False,
                "end_of_turn": "perhaps",
                "transcript": ["a", "list"],
                "end_of_turn_confidence": 0.5,
                "words": "none",
            }
        )
    if fault is Fault.WARNING_STRING_CODE:
        return json.dumps({"type": "Warning", "warning_code": "soon", "warning": "a warning"})
    raise ValueError(f"{fault} is not a hostile frame")
