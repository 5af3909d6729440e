"""The work an action does, counted instead of timed: every line of Python run and every C
function called on this thread while it runs. A count does not move with the machine's load, so
"an update costs the same at hour 8 as at minute 1" can be asserted tightly enough to fail on
an update that walks the whole session, in Python or through Qt; the time budgets live in
``scripts/bench``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any


def calls_during(action: Callable[[], object]) -> int:
    count = 0

    def trace(_frame: FrameType, event: str, _arg: object) -> Any:
        nonlocal count
        if event in ("call", "line"):
            count += 1
        return trace

    def profile(_frame: FrameType, event: str, _arg: object) -> None:
        nonlocal count
        if event == "c_call":
            count += 1

    sys.settrace(trace)
    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
        sys.settrace(None)
    return count
