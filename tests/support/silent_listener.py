"""A cloud that hangs: a TCP listener on 127.0.0.1 that accepts every connection and never says
a word (no WebSocket upgrade, no close), as a captive portal, a proxy or a firewall that drops
packets after the handshake does. The connections it accepted stay open until it stops."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class SilentListener:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = int(self._server.getsockname()[1])
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_all, name="silent-listener")

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> SilentListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for held in self._held:
            held.close()
        self._server.close()

    def _accept_all(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._held.append(connection)  # read nothing, answer nothing, close nothing


@contextlib.contextmanager
def silent_listener() -> Iterator[SilentListener]:
    listener = SilentListener().start()
    try:
        yield listener
    finally:
        listener.stop()
