"""The AssemblyAI SDK's private parts Caption App touches, in one place, each checked.

SDK 1.8 gives no public way to hear that its read thread died (``_read_thread``, watched by
``read_thread.py``), to bound the wait for Termination per close (``_options.
terminate_timeout``), or to stop a Terminate in flight from waiting for a Termination that can
no longer come (``_stop_event``). ``pyproject.toml`` pins the SDK to the minor version they
were checked on. A release that renames one must not quietly switch a safeguard off: each
accessor raises ``SdkPartMissing`` naming the part (``tests/unit/test_sdk_parts.py`` fails on
it, against the installed SDK), and the engine logs it as an error and goes on without it.
"""

from __future__ import annotations

import threading
from typing import Any

TESTED_WITH = "1.8"


class SdkPartMissing(RuntimeError):
    def __init__(self, part: str) -> None:
        super().__init__(
            f"The AssemblyAI SDK has no {part} (Caption App was tested with {TESTED_WITH}.x): "
            "update Caption App, or install that SDK version."
        )
        self.part = part


def read_thread(client: Any) -> threading.Thread:
    """The client's read thread (it exists before ``connect`` starts it)."""
    thread = getattr(client, "_read_thread", None)
    if not isinstance(thread, threading.Thread):
        raise SdkPartMissing("StreamingClient._read_thread")
    return thread


def stop_event(client: Any) -> threading.Event:
    """Set when the client stops; a Terminate in flight waits on it."""
    event = getattr(client, "_stop_event", None)
    if not isinstance(event, threading.Event):
        raise SdkPartMissing("StreamingClient._stop_event")
    return event


def set_terminate_timeout(client: Any, seconds: float) -> None:
    """How long ``disconnect(terminate=True)`` waits for Termination from now on."""
    options = getattr(client, "_options", None)
    if not isinstance(getattr(options, "terminate_timeout", None), int | float):
        raise SdkPartMissing("StreamingClient._options.terminate_timeout")
    options.terminate_timeout = seconds  # type: ignore[union-attr]


def missing(client: Any) -> list[str]:
    """Every private part this SDK lacks (none for the version it was tested with)."""
    parts = []
    for check in (read_thread, stop_event):
        try:
            check(client)
        except SdkPartMissing as exc:
            parts.append(exc.part)
    options = getattr(client, "_options", None)
    if not isinstance(getattr(options, "terminate_timeout", None), int | float):
        parts.append("StreamingClient._options.terminate_timeout")
    return parts
