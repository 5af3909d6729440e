"""Opening connections off the session thread, so the audio never waits on the network.

``Engine.open`` can block for the engine's whole connect timeout, and longer when a name
look-up hangs (it has no timeout at all). Each attempt therefore runs on a short-lived thread
of its own; its answer comes back on the session's event queue (``Opened``, or
``ConnectionFailed``), so the session keeps moving audio and answering Pause and Stop meanwhile,
and gives up on an attempt that takes too long without waiting for it. An attempt that answers
after the session has stopped closes its own connection.

The threads are daemons: a look-up that never returns must not keep the process alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from caption_app.core.engines.base import (
    CannotConnect,
    Connection,
    ConnectionFailed,
    Dialling,
    Engine,
    EventQueue,
    Opened,
)
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.settings import StreamingSettings

log = logging.getLogger(__name__)

Run = Callable[[Callable[[], None], str], None]
"""Runs the work (named) somewhere else: a new daemon thread, or at once in unit tests."""


def in_a_thread(work: Callable[[], None], name: str) -> None:
    threading.Thread(target=work, name=name, daemon=True).start()


class Opener:
    def __init__(self, events: EventQueue, run: Run = in_a_thread) -> None:
        self._events = events
        self._run = run
        self._lock = threading.Lock()
        self._closed = False

    def open(self, stream: int, engine: Engine, settings: StreamingSettings) -> None:
        """Start opening ``stream``; the answer is put on the event queue."""
        self._run(lambda: self._attempt(stream, engine, settings), f"open-stream-{stream}")

    def shutdown(self) -> None:
        """The session stops: answers from now on close their own connection."""
        with self._lock:
            self._closed = True

    def _attempt(self, stream: int, engine: Engine, settings: StreamingSettings) -> None:
        try:
            engine.warm_up()
            self._events.put(Dialling(stream))
            connection = engine.open(stream, settings, self._events)
        except CannotConnect as exc:
            self._events.put(ConnectionFailed(stream, exc.problem))
            return
        except Exception as exc:  # anything else an engine raises: retry like a network fault
            log.info("opening stream %d failed", stream, exc_info=True)
            problem = Problem(
                ProblemKind.UNREACHABLE,
                f"Cannot reach the captioning service ({type(exc).__name__}).",
                Recovery.RECONNECT,
            )
            self._events.put(ConnectionFailed(stream, problem))
            return
        with self._lock:
            if not self._closed:
                self._events.put(Opened(stream, connection))
                return
        _close_unused(stream, connection)


def _close_unused(stream: int, connection: Connection) -> None:
    try:
        connection.close(terminate=False, timeout=0.1)
    except Exception:
        log.exception("closing stream %d, opened after the session stopped, failed", stream)
