"""Collect what the real SDK's ``StreamingClient`` dispatches, so tests can wait on it."""

from __future__ import annotations

import threading
import time
from typing import Any

from assemblyai.streaming.v3 import StreamingClient, StreamingEvents


class EventLog:
    """Every event the client dispatched, in order, as (event name, payload) pairs."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._events: list[tuple[str, Any]] = []

    def attach(self, client: StreamingClient) -> None:
        """Register a handler for every event type; call before ``connect``."""
        for event in StreamingEvents:
            client.on(event, self._handler(event.name))

    def _handler(self, name: str) -> Any:
        def handle(_client: StreamingClient, payload: Any) -> None:
            with self._cond:
                self._events.append((name, payload))
                self._cond.notify_all()

        return handle

    def names(self) -> list[str]:
        with self._cond:
            return [name for name, _ in self._events]

    def entries(self) -> list[tuple[str, Any]]:
        with self._cond:
            return list(self._events)

    def of(self, name: str) -> list[Any]:
        with self._cond:
            return [payload for n, payload in self._events if n == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while sum(1 for n, _ in self._events if n == name) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True
