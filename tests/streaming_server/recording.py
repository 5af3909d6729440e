"""What happened on one connection, written by the server thread and read by tests.

Every accessor takes the lock and returns copies; the ``wait_*`` methods block on a condition
with a timeout and return whether the condition came true.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.streaming_server.query import SessionParams


@dataclass(frozen=True, slots=True)
class AudioFrame:
    data: bytes
    received_at: float
    """time.monotonic() when the frame arrived."""
    duration_ms: float | None
    """None for encodings the double cannot measure."""


@dataclass(frozen=True, slots=True)
class ControlMessage:
    text: str
    message: Any
    """The decoded JSON, or None when the frame was not JSON."""
    received_at: float


@dataclass(frozen=True, slots=True)
class SentMessage:
    message: dict[str, Any]
    sent_at: float


@dataclass
class SessionRecord:
    index: int
    path: str
    headers: dict[str, str]
    query: dict[str, object]
    params: SessionParams
    opened_at: float = field(default_factory=time.monotonic)
    session_id: str | None = None
    _lock: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _frames: list[AudioFrame] = field(default_factory=list, repr=False)
    _controls: list[ControlMessage] = field(default_factory=list, repr=False)
    _sent: list[SentMessage] = field(default_factory=list, repr=False)
    _config_updates: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _close: tuple[int, str] | None = field(default=None, repr=False)
    _closed_at: float | None = field(default=None, repr=False)
    _finished: bool = field(default=False, repr=False)

    # -- written by the server thread --------------------------------------------------------

    def add_frame(self, frame: AudioFrame) -> None:
        with self._lock:
            self._frames.append(frame)
            self._lock.notify_all()

    def add_control(self, control: ControlMessage) -> None:
        with self._lock:
            self._controls.append(control)
            self._lock.notify_all()

    def add_config_update(self, fields: dict[str, Any]) -> None:
        with self._lock:
            self._config_updates.append(dict(fields))
            self._lock.notify_all()

    def add_sent(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._sent.append(SentMessage(message, time.monotonic()))
            self._lock.notify_all()

    def set_close(self, code: int, reason: str) -> None:
        """The close (or, for a dropped connection, 1006) the server caused."""
        with self._lock:
            if self._close is None:
                self._close = (code, reason)
            self._lock.notify_all()

    def finish(self) -> None:
        with self._lock:
            self._finished = True
            self._closed_at = time.monotonic()
            self._lock.notify_all()

    # -- read by tests ---------------------------------------------------------------------

    def frames(self) -> list[AudioFrame]:
        with self._lock:
            return list(self._frames)

    def audio_bytes(self) -> bytes:
        with self._lock:
            return b"".join(f.data for f in self._frames)

    def audio_ms(self) -> float:
        with self._lock:
            return sum(f.duration_ms or 0.0 for f in self._frames)

    def controls(self) -> list[ControlMessage]:
        with self._lock:
            return list(self._controls)

    def control_types(self) -> list[object]:
        with self._lock:
            return [
                c.message.get("type") if isinstance(c.message, dict) else None
                for c in self._controls
            ]

    def config_updates(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(u) for u in self._config_updates]

    def sent(self, message_type: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                s.message
                for s in self._sent
                if message_type is None or s.message.get("type") == message_type
            ]

    def sent_records(self) -> list[SentMessage]:
        with self._lock:
            return list(self._sent)

    def sent_types(self) -> list[object]:
        with self._lock:
            return [s.message.get("type") for s in self._sent]

    @property
    def close(self) -> tuple[int, str] | None:
        with self._lock:
            return self._close

    @property
    def finished(self) -> bool:
        with self._lock:
            return self._finished

    def wait_for(self, predicate: Callable[[SessionRecord], bool], timeout: float) -> bool:
        """Wait until ``predicate(self)`` holds; it runs under the (re-entrant) lock, so it may
        call the accessors."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    def wait_until_audio_ms(self, ms: float, timeout: float) -> bool:
        return self.wait_for(lambda r: r.audio_ms() >= ms, timeout)

    def wait_for_sent(self, message_type: str, count: int = 1, timeout: float = 5.0) -> bool:
        return self.wait_for(lambda r: len(r.sent(message_type)) >= count, timeout)

    def wait_finished(self, timeout: float) -> bool:
        return self.wait_for(lambda r: r.finished, timeout)
