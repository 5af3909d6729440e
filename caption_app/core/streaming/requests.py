"""What other threads ask of a running session, queued for the session's own thread.

Asking only enqueues and never blocks (the GUI thread asks, and a signal handler); the
session's thread takes the requests between chunks of audio, so its state is only ever
touched by that one thread. Stop is also a flag, read at every turn of the loop, with how long
the session may wait for its last words (at Quit, or after Ctrl+C).
"""

from __future__ import annotations

import enum
import queue
import threading
from collections.abc import Iterator

from caption_app.core.audio.source import AudioSource
from caption_app.core.settings import StreamingSettings


class Command(enum.Enum):
    FORCE_ENDPOINT = "force-endpoint"
    PAUSE = "pause"
    RESUME = "resume"
    KEY_RENEWED = "key-renewed"
    USE_THIS_COMPUTER = "use-this-computer"
    USE_THE_CLOUD = "use-the-cloud"


Request = Command | StreamingSettings | AudioSource


class Requests:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Request] = queue.SimpleQueue()
        self._stop = threading.Event()
        self.stop_within_s: float | None = None
        """How long the stop may wait for the last words (None: the engine's own time)."""

    def put(self, request: Request) -> None:
        self._queue.put(request)

    def stop(self, within_s: float | None = None) -> None:
        if within_s is not None:
            self.stop_within_s = within_s
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def take(self) -> Iterator[Request]:
        """Every request asked so far, oldest first (on the session's thread)."""
        while True:
            try:
                yield self._queue.get_nowait()
            except queue.Empty:
                return
