"""What other threads may ask of a running session: each request only enqueues, never blocks.

The session's own thread takes the requests between audio chunks, so its state is only ever
touched by that one thread.
"""

from __future__ import annotations

import enum
import queue
import threading
from collections.abc import Callable

from caption_app.core.audio.source import AudioSource
from caption_app.core.settings import StreamingSettings


class Command(enum.Enum):
    STOP = "stop"
    FORCE_ENDPOINT = "force-endpoint"
    PAUSE = "pause"
    RESUME = "resume"


Request = Command | StreamingSettings | AudioSource


class SessionRequests:
    def __init__(self) -> None:
        self._commands: queue.SimpleQueue[Request] = queue.SimpleQueue()
        self._stop_requested = threading.Event()

    def request_stop(self) -> None:
        self._stop_requested.set()
        self._commands.put(Command.STOP)

    def request_force_endpoint(self) -> None:
        """End the current caption line now (ForceEndpoint)."""
        self._commands.put(Command.FORCE_ENDPOINT)

    def request_pause(self, paused: bool) -> None:
        """Pause stops sending audio: the connection is closed, so nothing is billed either."""
        self._commands.put(Command.PAUSE if paused else Command.RESUME)

    def request_source(self, source: AudioSource) -> None:
        """Continue with another input (not started yet) after the current one failed."""
        self._commands.put(source)

    def request_settings(self, settings: StreamingSettings) -> None:
        """Apply what the service allows mid-session (UpdateConfiguration); the rest next time."""
        self._commands.put(settings.validate())

    # --- on the session's thread ----------------------------------------------------------

    def _wait_for_command(self, timeout: float, handle: Callable[[Request], None]) -> None:
        """Block until a request arrives (or ``timeout``) and handle it."""
        try:
            command = self._commands.get(timeout=timeout)
        except queue.Empty:
            return
        handle(command)

    def _take_commands(self, handle: Callable[[Request], None]) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            handle(command)
