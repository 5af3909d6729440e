"""One Caption App per person: a second launch hands its request to the running one and exits.

The first instance holds a lock file for its whole life and listens on a Unix socket beside
it, woken by a ``QSocketNotifier`` (Qt's local socket would bring QtNetwork and its plugins
into the bundle for this one use). Both are named after the settings file, so one person's
launches meet and separate homes (tests, other users) never do. A second launch sends one
JSON line (what it was asked to do: bring the window forward, start, toggle) and exits before
it opens any window or microphone. A lock left by a crashed instance is taken over
(``QLockFile`` checks that its process lives).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSettings, QSocketNotifier, Signal, Slot

log = logging.getLogger(__name__)

CONNECT_WAIT_S = 2.0
"""How long a second launch waits for the first to answer (it may be starting up)."""
RETRY_S = 0.2
READ_WAIT_S = 1.0
"""The longest a request's one line may take to arrive once its sender connected."""
MAX_REQUEST = 65536


def instance_path(settings_file: str | None = None) -> Path:
    """The lock file's path; the socket is the same path with ``.sock``."""
    settings = settings_file or QSettings().fileName()
    digest = hashlib.sha256(os.path.abspath(settings).encode()).hexdigest()[:16]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    name = f"caption-app-{digest}"
    # A Unix socket's path has room for about 100 bytes: a deeper runtime folder is not used.
    usable = runtime and os.access(runtime, os.W_OK) and len(runtime) + len(name) < 90
    folder = Path(runtime) if usable else Path(tempfile.gettempdir())
    return folder / name


class SingleInstance(QObject):
    """``claim()`` in the first instance; ``forward()`` from any other."""

    requested = Signal(object)
    """A later launch's request (a ``dict``), on the GUI thread."""

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._socket_path = str(path) + ".sock"
        self._lock = QLockFile(str(path) + ".lock")
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None

    def claim(self) -> bool:
        """Become the running instance, or False when another one is."""
        if not self._lock.tryLock(0):
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._socket_path)  # ours now: a crashed instance's is stale
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(self._socket_path)
            os.chmod(self._socket_path, 0o600)  # the person's alone
            server.listen(4)
            server.setblocking(False)
        except OSError as exc:
            server.close()
            log.warning("cannot listen for later launches: %s", exc)
            return True  # still the only instance (the lock says so)
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)
        return True

    def forward(self, request: dict[str, object]) -> bool:
        """Send ``request`` to the running instance; False when it could not be reached."""
        line = json.dumps(request).encode() + b"\n"
        deadline = time.monotonic() + CONNECT_WAIT_S
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(CONNECT_WAIT_S)
                try:
                    client.connect(self._socket_path)
                    client.sendall(line)
                    return True
                except OSError:
                    pass
            if self._lock.tryLock(0):  # the other one ended meanwhile
                self._lock.unlock()
                return False
            time.sleep(RETRY_S)  # it may still be starting up
        return False

    def release(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._socket_path)
        self._lock.unlock()

    @Slot()
    def _accept(self) -> None:
        server = self._server
        if server is None:
            return
        try:
            connection, _ = server.accept()
        except (BlockingIOError, OSError):
            return
        with connection:
            # One short line from a process that sends it whole and closes: read it now.
            connection.settimeout(READ_WAIT_S)
            data = b""
            with contextlib.suppress(OSError):
                while b"\n" not in data and len(data) < MAX_REQUEST:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    data += chunk
        try:
            request = json.loads(data.split(b"\n", 1)[0])
        except ValueError:
            log.warning("ignored a request that was not JSON from a later launch")
            return
        if isinstance(request, dict):
            self.requested.emit(request)
