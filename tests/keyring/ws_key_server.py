"""A WebSocket server on 127.0.0.1 that does only what a key check meets.

Begin for the good key; for a bad one, HTTP 401 or Error 1008 + close 1008; Termination when
the client terminates. The full protocol-faithful double lives in tests/streaming_server.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus

from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

GOOD_KEY = "good-key-0123456789abcdef"
BAD_KEY = "bad-key-0123456789abcdef0"


@dataclass
class CheckServer:
    api_host: str
    seen_keys: list[str] = field(default_factory=list)
    terminated: threading.Event = field(default_factory=threading.Event)


@contextmanager
def key_server(
    reject: str = "http", answer: bool = True, garbled: bool = False
) -> Iterator[CheckServer]:
    """reject: "http" answers a bad key with HTTP 401; "close" with Error 1008 + close 1008.
    ``garbled``: the good key is answered with a binary frame, which no faithful service
    sends and the SDK cannot read."""
    state = CheckServer("")

    def process_request(conn: ServerConnection, request: Request) -> Response | None:
        key = request.headers.get("Authorization", "")
        state.seen_keys.append(key)
        if key != GOOD_KEY and reject == "http":
            return conn.respond(HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
        return None

    def handler(conn: ServerConnection) -> None:
        if conn.request is None or conn.request.headers.get("Authorization") != GOOD_KEY:
            error = {"error_code": 1008, "error": "Unauthorized connection: Invalid API key"}
            conn.send(json.dumps(error))
            conn.close(1008, "Unauthorized connection")
            return
        if not answer:
            conn.recv(timeout=10)  # say nothing until the client leaves
            return
        if garbled:
            conn.send(b"\x00\xff\xfe not a message")
            conn.recv(timeout=10)
            return
        conn.send(json.dumps({"type": "Begin", "id": "x", "expires_at": int(time.time()) + 60}))
        message = json.loads(conn.recv(timeout=10))
        if message.get("type") == "Terminate":
            state.terminated.set()
            conn.send(
                json.dumps(
                    {
                        "type": "Termination",
                        "audio_duration_seconds": 0,
                        "session_duration_seconds": 0,
                    }
                )
            )
        conn.close()

    with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
        port = server.socket.getsockname()[1]
        state.api_host = f"ws://127.0.0.1:{port}"
        thread = threading.Thread(target=server.serve_forever, name="key-check-server")
        thread.start()
        try:
            yield state
        finally:
            server.shutdown()
            thread.join(5)
