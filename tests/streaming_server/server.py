"""The fake ``wss://streaming.assemblyai.com`` on 127.0.0.1, on its own thread and event loop.

``GET /v3/ws`` is the streaming WebSocket, ``GET /v3/token`` mints temporary tokens (plain HTTP
answered from the handshake hook). Tests drive it from their own thread: the config is read as
each session opens; recordings and waits are thread-safe; faults are scheduled on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import http
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from tests.streaming_server.config import AuthFailure, Fault, ServerConfig
from tests.streaming_server.query import ParamError, SessionParams, parse_query
from tests.streaming_server.recording import SessionRecord
from tests.streaming_server.session import Session, SessionStart
from tests.streaming_server.tokens import Token, TokenStore

HOST = "127.0.0.1"
WS_PATH = "/v3/ws"
TOKEN_PATH = "/v3/token"
START_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 10.0
MISSING_AUTH = "Unauthorized Connection: Missing Authorization header"
INVALID_AUTH = "Unauthorized Connection: Invalid API key or token"


@dataclass(frozen=True, slots=True)
class RejectedHandshake:
    """An upgrade refused with an HTTP status (HTTP_401 mode)."""

    path: str
    headers: dict[str, str]
    status: int


@dataclass(frozen=True, slots=True)
class _Admission:
    auth_error: str | None
    token: Token | None


SessionRef = SessionRecord | int | None
"""A session by record, by index (0 = first connection), or None for the latest."""


class StreamingServer:
    def __init__(self, config: ServerConfig | None = None, port: int = 0) -> None:
        self.config = config if config is not None else ServerConfig()
        self.tokens = TokenStore()
        self._requested_port = port
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._lock = threading.Condition()
        self._records: list[SessionRecord] = []
        self._rejected: list[RejectedHandshake] = []
        self._live: dict[int, Session] = {}
        self._admissions: dict[int, _Admission] = {}

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> StreamingServer:
        """Start listening; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._thread = threading.Thread(target=self._run, name="fake-streaming-server", daemon=True)
        self._thread.start()
        if not self._started.wait(START_TIMEOUT_S):
            raise RuntimeError("fake streaming server did not start in time")
        if self._start_error is not None:
            self._thread.join(STOP_TIMEOUT_S)
            raise RuntimeError("fake streaming server failed to start") from self._start_error
        return self

    def stop(self) -> None:
        """Close every connection, stop the loop and join the thread."""
        thread, loop, stop = self._thread, self._loop, self._stop_requested
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may have just ended
                loop.call_soon_threadsafe(stop.set)
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            raise RuntimeError("fake streaming server thread did not stop")

    def __enter__(self) -> StreamingServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def url(self) -> str:
        """What to pass as the SDK's ``api_host``."""
        return f"ws://{HOST}:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def thread_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start(); the thread must end either way
            self._start_error = exc
        finally:
            self._started.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        server: Server
        async with serve(
            self._handle,
            HOST,
            self._requested_port,
            process_request=self._process_request,
            open_timeout=5,
            close_timeout=2,
            ping_interval=None,
        ) as server:
            self._port = server.sockets[0].getsockname()[1]
            self._started.set()
            await self._stop_requested.wait()
            server.close(close_connections=True)
            await asyncio.wait_for(server.wait_closed(), STOP_TIMEOUT_S / 2)

    # -- handshake ------------------------------------------------------------------------

    async def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        if url.path == TOKEN_PATH:
            reply = self.tokens.mint(url.query, headers.get("authorization"), self.config.api_keys)
            response = conn.respond(reply.status, reply.json())
            response.headers["Content-Type"] = "application/json"
            return response
        if url.path != WS_PATH:
            return conn.respond(http.HTTPStatus.NOT_FOUND, "Not Found\n")
        if self.config.handshake_delay_seconds:
            await asyncio.sleep(self.config.handshake_delay_seconds)
        admission = self._admit(headers.get("authorization"), url.query)
        if admission.auth_error is not None and self.config.auth_failure is AuthFailure.HTTP_401:
            with self._lock:
                self._rejected.append(RejectedHandshake(request.path, headers, 401))
                self._lock.notify_all()
            response = conn.respond(
                http.HTTPStatus.UNAUTHORIZED, f'{{"error": "{admission.auth_error}"}}'
            )
            response.headers["Content-Type"] = "application/json"
            return response
        self._admissions[id(conn)] = admission
        return None

    def _admit(self, authorization: str | None, query: str) -> _Admission:
        if authorization and authorization in self.config.api_keys:
            return _Admission(None, None)
        query_token = parse_qs(query).get("token", [None])[-1]
        candidates = [c for c in (authorization, query_token) if c]
        for candidate in candidates:
            if candidate in self.config.single_use_tokens:
                self.config.single_use_tokens.discard(candidate)
                return _Admission(None, None)
            token = self.tokens.redeem(candidate)
            if token is not None:
                return _Admission(None, token)
        return _Admission(INVALID_AUTH if candidates else MISSING_AUTH, None)

    # -- sessions -------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        admission = self._admissions.pop(id(ws), _Admission(MISSING_AUTH, None))
        config = copy.copy(self.config)
        url = urlsplit(ws.request.path if ws.request is not None else WS_PATH)
        param_error = None
        try:
            params, raw = parse_query(url.query)
        except ParamError as exc:
            params, raw = SessionParams(), dict(parse_qs(url.query))
            param_error = str(exc)
        headers = {}
        if ws.request is not None:
            headers = {k.lower(): v for k, v in ws.request.headers.raw_items()}
        max_session = config.max_session_seconds
        if admission.token is not None and admission.token.max_session_seconds is not None:
            max_session = admission.token.max_session_seconds
        with self._lock:
            record = SessionRecord(len(self._records), url.path, headers, raw, params)
            live = len(self._live)
            limit = config.max_concurrent_sessions
            start = SessionStart(
                auth_error=admission.auth_error,
                param_error=param_error,
                max_session_seconds=max_session,
                concurrency_exceeded=limit is not None and live >= limit,
            )
            session = Session(ws, record, config, start)
            self._records.append(record)
            if admission.auth_error is None and not start.concurrency_exceeded:
                self._live[record.index] = session
            self._lock.notify_all()
        try:
            await session.run()
        finally:
            with self._lock:
                self._live.pop(record.index, None)
            record.finish()

    # -- test API -------------------------------------------------------------------------

    def sessions(self) -> list[SessionRecord]:
        with self._lock:
            return list(self._records)

    def session(self, ref: SessionRef = None) -> SessionRecord:
        with self._lock:
            if not self._records:
                raise LookupError("no session yet")
            if ref is None:
                return self._records[-1]
            if isinstance(ref, int):
                return self._records[ref]
            return ref

    def forget_sessions(self) -> None:
        """Drop the records of finished sessions (a long run keeps the server's memory flat);
        the next session is index 0 again. Refused while one is live."""
        with self._lock:
            if self._live:
                raise RuntimeError("a session is still live")
            self._records.clear()

    def rejected_handshakes(self) -> list[RejectedHandshake]:
        with self._lock:
            return list(self._rejected)

    def wait_for_sessions(self, count: int, timeout: float) -> list[SessionRecord]:
        """Wait until ``count`` sessions have opened; raises TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._records) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._records)} of {count} sessions opened")
                self._lock.wait(remaining)
            return list(self._records)

    def wait_for_rejections(self, count: int, timeout: float) -> list[RejectedHandshake]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._rejected) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._rejected)} of {count} rejections")
                self._lock.wait(remaining)
            return list(self._rejected)

    def wait_until_audio_ms(self, ms: float, timeout: float, ref: SessionRef = None) -> bool:
        """Wait (for a session to open, then) until the session ``ref`` (default: the latest)
        has received ``ms`` of audio."""
        deadline = time.monotonic() + timeout
        self.wait_for_sessions(1, timeout)
        return self.session(ref).wait_until_audio_ms(ms, max(0.0, deadline - time.monotonic()))

    def live_session(self, ref: SessionRef = None) -> Session:
        record = self.session(ref)
        with self._lock:
            session = self._live.get(record.index)
        if session is None or self._loop is None:
            raise LookupError(f"session {record.index} is not live")
        return session

    def send_raw(self, ref: SessionRef, frames: list[str | bytes], timeout: float = 30.0) -> int:
        """Send ``frames`` as they are on a live session; returns how many went out."""
        session = self.live_session(ref)
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(session.send_raw(frames), self._loop)
        return future.result(timeout)

    def fail(self, ref: SessionRef, code: int, error: str, *, send_error: bool = True) -> None:
        """End a live session now with ``code`` (an Error frame first unless told not to)."""
        session = self.live_session(ref)
        assert self._loop is not None
        coroutine = session.fail(code, error, send_error=send_error)
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(5.0)

    def inject(self, ref: SessionRef, fault: Fault, timeout: float = 5.0) -> None:
        """Make a live session misbehave now; returns once the fault has been acted out."""
        record = self.session(ref)
        with self._lock:
            session = self._live.get(record.index)
        if session is None or self._loop is None:
            raise LookupError(f"session {record.index} is not live")
        future: Future[None] = asyncio.run_coroutine_threadsafe(session.apply(fault), self._loop)
        future.result(timeout)
