"""One Caption App per person: a second launch hands its request to the running one and exits.

The first instance holds a lock file for its whole life and listens on a local socket beside
it; both are named after the settings file, so one person's launches meet and separate homes
(tests, other users) never do. A second launch sends one JSON line (what it was asked to do:
bring the window forward, start, toggle) and exits before it opens any window or microphone.
A lock left by a crashed instance is taken over (``QLockFile`` checks that its process lives).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSettings, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_WAIT_MS = 2000
"""How long a second launch waits for the first to answer (it may be starting up)."""
TRIES = 5


def instance_path(settings_file: str | None = None) -> Path:
    """The lock file's path; the socket is the same path with ``.sock``."""
    settings = settings_file or QSettings().fileName()
    digest = hashlib.sha256(os.path.abspath(settings).encode()).hexdigest()[:16]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    usable = runtime and os.access(runtime, os.W_OK)
    folder = Path(runtime) if usable else Path(tempfile.gettempdir())
    return folder / f"caption-app-{digest}"


class SingleInstance(QObject):
    """``claim()`` in the first instance; ``forward()`` from any other."""

    requested = Signal(object)
    """A later launch's request (a ``dict``), on the GUI thread."""

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._lock = QLockFile(str(path) + ".lock")
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """Become the running instance, or False when another one is."""
        if not self._lock.tryLock(0):
            return False
        socket_path = str(self._path) + ".sock"
        QLocalServer.removeServer(socket_path)  # ours now: a crashed instance's is stale
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(socket_path):
            log.warning("cannot listen for later launches: %s", server.errorString())
            return True  # still the only instance (the lock says so); later launches say so
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def forward(self, request: dict[str, object]) -> bool:
        """Send ``request`` to the running instance; False when it could not be reached."""
        line = json.dumps(request).encode() + b"\n"
        for _ in range(TRIES):
            socket = QLocalSocket()
            socket.connectToServer(str(self._path) + ".sock")
            if socket.waitForConnected(CONNECT_WAIT_MS // TRIES):
                socket.write(line)
                sent = socket.waitForBytesWritten(CONNECT_WAIT_MS)
                socket.disconnectFromServer()
                return sent
            if self._lock.tryLock(0):  # the other one ended meanwhile
                self._lock.unlock()
                return False
        return False

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
        self._lock.unlock()

    @Slot()
    def _accept(self) -> None:
        server = self._server
        socket = server.nextPendingConnection() if server is not None else None
        if socket is None:
            return
        socket.setParent(self)
        buffer = bytearray()

        def read() -> None:
            buffer.extend(bytes(socket.readAll().data()))
            if b"\n" not in buffer:
                return
            socket.readyRead.disconnect(read)
            socket.disconnectFromServer()
            socket.deleteLater()
            try:
                request = json.loads(buffer.split(b"\n", 1)[0])
            except ValueError:
                log.warning("ignored a request that was not JSON from a later launch")
                return
            if isinstance(request, dict):
                self.requested.emit(request)

        socket.readyRead.connect(read)
        read()  # it may all be here already
