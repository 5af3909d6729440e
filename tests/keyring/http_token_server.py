"""A tiny token service on 127.0.0.1 for the tests: each request gets the next scripted reply."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"token": "tok-0001", "expires_in_seconds": 60}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    stall_s: float = 0.0
    """Wait this long before answering (bounded by the server's release event)."""


@dataclass
class TokenServer:
    url: str
    replies: list[Reply]
    requests: list[tuple[str, dict[str, str]]]
    release: threading.Event


@contextmanager
def token_server(*replies: Reply) -> Iterator[TokenServer]:
    script = list(replies) or [Reply()]
    seen: list[tuple[str, dict[str, str]]] = []
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, dict(self.headers.items())))
            reply = script[min(len(seen), len(script)) - 1]
            if reply.stall_s:
                release.wait(reply.stall_s)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="token-server")
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield TokenServer(f"http://{host!s}:{port}/v3/token", script, seen, release)
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
