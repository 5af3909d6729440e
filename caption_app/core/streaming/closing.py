"""Closing connections without holding up the session thread.

A retired connection (reconnect, rollover, pause) is closed on a short-lived thread of its own,
so its last turns still arrive while the new connection carries on. Whatever happens, the
session hears ``Terminated`` for it afterwards, and ends that stream's live turn then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from caption_app.core.engines.base import Connection, EventQueue, Terminated

log = logging.getLogger(__name__)


class Closers:
    def __init__(self, events: EventQueue, terminate_timeout_s: float) -> None:
        self._events = events
        self.timeout_s = terminate_timeout_s
        """How long a clean close waits for the connection's last words (shortened at Quit)."""
        self._threads: list[threading.Thread] = []

    def close_in_background(self, connection: Connection, stream: int, terminate: bool) -> None:
        if terminate:
            connection.force_endpoint()
        closer = threading.Thread(
            target=self._close_quietly,
            args=(connection, stream, terminate),
            name=f"close-stream-{stream}",
            daemon=True,  # a connection that will not close must not keep the process alive
        )
        closer.start()
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(closer)

    def wait(self, remaining_s: Callable[[], float]) -> None:
        """Join the background closers, each within what is left of one shared deadline."""
        for closer in self._threads:
            closer.join(timeout=remaining_s())

    def _close_quietly(self, connection: Connection, stream: int, terminate: bool) -> None:
        try:
            connection.close(terminate=terminate, timeout=self.timeout_s)
        except Exception:
            log.exception("closing stream %d failed", stream)
        finally:
            # Whatever the engine said last has been queued by now; end its live turn after it.
            self._events.put(Terminated(stream, None, None))
