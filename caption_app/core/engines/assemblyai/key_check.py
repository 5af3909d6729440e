"""Check an API key by opening a short streaming session with the real SDK.

A Begin means the service accepted the key; the connection is then terminated at once, so the
check costs a second or less of session time and no audio. The result keeps apart "the service
rejected the key" (ask for another) and "the service could not be reached" (the key may be
fine: the user may save it anyway).
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from caption_app.core.engines.assemblyai import read_thread, sdk_parts
from caption_app.core.engines.assemblyai.close_codes import classify
from caption_app.core.log_masking import install_secret_masking
from caption_app.core.model.problems import Recovery

log = logging.getLogger(__name__)

DEFAULT_API_HOST = "streaming.assemblyai.com"
CHECK_SPEECH_MODEL = "universal-streaming-english"
TERMINATE_TIMEOUT_S = 1.0


class KeyStatus(enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    SERVICE_PROBLEM = "service-problem"
    """The service answered but would not open a session (limits, funds): the key may be fine."""


@dataclass(frozen=True, slots=True)
class KeyCheck:
    status: KeyStatus
    message: str
    code: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status is KeyStatus.ACCEPTED


class _Outcome:
    """What the SDK's read thread reports; the first report wins."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.began = False
        self.code: int | None = None
        self.text = ""
        self.unreadable = False

    def on_begin(self, _client: Any, _event: Any) -> None:
        if not self.done.is_set():
            self.began = True
            self.done.set()

    def on_error(self, _client: Any, error: Any) -> None:
        if not self.done.is_set():
            self.code = getattr(error, "code", None)
            self.text = str(error)
            self.done.set()

    def on_reader_died(self, _exc: BaseException | None) -> None:
        """The SDK's reader stopped on a message it could not read (read_thread.py)."""
        if not self.done.is_set():
            self.unreadable = True
            self.done.set()


def _result(outcome: _Outcome, key: str, timeout: float) -> KeyCheck:
    if outcome.began:
        return KeyCheck(KeyStatus.ACCEPTED, "AssemblyAI accepted the key.")
    if outcome.unreadable:
        return KeyCheck(
            KeyStatus.SERVICE_PROBLEM,
            "AssemblyAI answered with a message Caption App could not read, so the key could "
            "not be checked; it may be fine.",
        )
    if not outcome.done.is_set():
        return KeyCheck(
            KeyStatus.UNREACHABLE,
            f"AssemblyAI did not answer within {timeout:g} seconds.",
        )
    text = outcome.text.replace(key, "••••")
    if outcome.code is None and text.startswith("Connection failed"):
        return KeyCheck(KeyStatus.UNREACHABLE, f"Could not reach AssemblyAI ({text}).")
    problem = classify(outcome.code, text)
    if problem.recovery is Recovery.NEW_KEY:
        return KeyCheck(KeyStatus.REJECTED, problem.message, outcome.code)
    if outcome.code is None or problem.recovery is Recovery.RECONNECT:
        return KeyCheck(
            KeyStatus.UNREACHABLE, f"The connection to AssemblyAI failed ({text}).", outcome.code
        )
    return KeyCheck(KeyStatus.SERVICE_PROBLEM, problem.message, outcome.code)


def check_api_key(key: str, api_host: str = DEFAULT_API_HOST, timeout: float = 5.0) -> KeyCheck:
    """Open a streaming session with ``key``, wait for Begin or an error, and end it.

    Blocks for at most about ``timeout`` plus a second of teardown: run it off the GUI thread.
    """
    from assemblyai.streaming.v3 import (
        StreamingClient,
        StreamingClientOptions,
        StreamingEvents,
        StreamingParameters,
    )

    install_secret_masking(key)
    deadline = time.monotonic() + timeout
    outcome = _Outcome()
    client = StreamingClient(
        StreamingClientOptions(
            api_key=key,
            api_host=api_host,
            connect_timeout=max(0.1, timeout * 0.6),
            max_connection_retries=0,
            terminate_timeout=TERMINATE_TIMEOUT_S,
        )
    )
    client.on(StreamingEvents.Begin, outcome.on_begin)
    client.on(StreamingEvents.Error, outcome.on_error)
    # A frame the SDK cannot parse ends its reader silently: hear of it now, not at the
    # timeout, and log its traceback instead of printing it (read_thread.py).
    reader: threading.Thread | None = None
    try:
        reader = sdk_parts.read_thread(client)
    except sdk_parts.SdkPartMissing as exc:
        log.error("%s", exc)  # the check then waits for its timeout on such a frame
    else:
        read_thread.watch(reader, outcome.on_reader_died)
    try:
        client.connect(
            StreamingParameters.model_validate(
                {"sample_rate": 16_000, "speech_model": CHECK_SPEECH_MODEL}
            )
        )
        outcome.done.wait(max(0.0, deadline - time.monotonic()))
    except Exception as exc:  # noqa: BLE001 - e.g. a malformed host; the message holds no key
        return KeyCheck(
            KeyStatus.UNREACHABLE, f"Could not reach AssemblyAI ({type(exc).__name__})."
        )
    finally:
        try:
            client.disconnect(terminate=outcome.began)
        finally:
            if reader is not None:
                read_thread.unwatch(reader)
    return _result(outcome, key, timeout)
