"""One streaming session on the server's event loop: Begin, audio, control messages, faults.

Error closes follow protocol doc 4.5/7.1: an Error frame whose ``error_code`` equals the close
code, then the close, whose reason is cut to "See Error message for details" past 123 bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from tests.streaming_server.config import Fault, FaultTrigger, ServerConfig
from tests.streaming_server.hostile import HOSTILE_FAULTS, hostile_frame
from tests.streaming_server.llm_gateway import (
    TRANSLATING_MODELS,
    gateway_config,
    gateway_response,
)
from tests.streaming_server.query import ParamError, SessionParams
from tests.streaming_server.recognizer import U3ProRecognizer, recognizer_for
from tests.streaming_server.recording import AudioFrame, ControlMessage, SessionRecord

MIN_CHUNK_MS = 50
MAX_CHUNK_MS = 1000
MAX_CLOSE_REASON_BYTES = 123

SERVER_ERROR = "Session Cancelled: An error occurred"
EXPIRED = "Session Expired: Maximum session duration exceeded"
TOO_MANY_SESSIONS = {
    3009: "Unauthorized Connection: Too many concurrent sessions",
    1008: "Unauthorized connection: Too many concurrent sessions",
}
IDLE = "Session idle for too long"
RAW_FRAME = "(raw frame)"


@dataclass(frozen=True, slots=True)
class SessionStart:
    """What the handshake decided before the session runs."""

    auth_error: str | None
    """Set when the key/token was refused in CLOSE_1008 mode."""
    param_error: str | None
    max_session_seconds: float
    concurrency_exceeded: bool


class Session:
    def __init__(
        self,
        ws: ServerConnection,
        record: SessionRecord,
        config: ServerConfig,
        start: SessionStart,
    ) -> None:
        self._ws = ws
        self.record = record
        self._config = config
        self._start = start
        self._params: SessionParams = record.params
        self._recognizer = recognizer_for(
            config.script,
            lambda: self._params,
            legacy_formatting=config.legacy_formatting,
            loop_script=config.loop_script,
        )
        self._opened = time.monotonic()
        self._last_activity = self._opened
        self._first_audio_at: float | None = None
        self._audio_ms = 0.0
        self._closing = False
        self._silent = False
        self._triggers: list[FaultTrigger] = list(config.faults)
        self._tasks: list[asyncio.Task[None]] = []
        self._gateway: dict[str, Any] | None = None
        self._translating: dict[int, tuple[float, dict[str, Any]]] = {}
        """LLMGatewayResponses being "produced": turn_order -> (when due, message)."""

    async def run(self) -> None:
        try:
            if await self._refused():
                return
            await self._begin()
            async for frame in self._ws:
                if self._closing:
                    break
                if isinstance(frame, bytes):
                    await self._on_audio(frame)
                else:
                    await self._on_text(frame)
        except ConnectionClosed:
            pass
        finally:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
            code = self._ws.close_code
            self.record.set_close(code if code is not None else 1006, self._ws.close_reason or "")

    # -- session start --------------------------------------------------------------------

    async def _refused(self) -> bool:
        if self._start.auth_error is not None:
            await self.fail(1008, self._start.auth_error)
        elif self._start.concurrency_exceeded:
            code = self._config.concurrency_close_code
            await self.fail(code, TOO_MANY_SESSIONS.get(code, TOO_MANY_SESSIONS[3009]))
        elif self._start.param_error is not None:
            await self.fail(3006, self._start.param_error)
        else:
            return False
        return True

    async def _begin(self) -> None:
        session_id = str(uuid.uuid4())
        self.record.session_id = session_id
        begin: dict[str, Any] = {
            "type": "Begin",
            "id": session_id,
            "expires_at": int(time.time() + self._start.max_session_seconds),
        }
        if self._config.echo_configuration:
            begin["configuration"] = {
                "model": self._params.speech_model or "universal-streaming-english",
                "mode": "balanced" if isinstance(self._recognizer, U3ProRecognizer) else None,
                "api_version": "2025-05-12",
            }
        await self.send(begin)
        if self._params.speech_model in TRANSLATING_MODELS:
            try:
                self._gateway = gateway_config(self._params.other.get("llm_gateway"))
            except ParamError as exc:
                await self.fail(3006, str(exc))
                return
        self._spawn(self._expire_at_deadline())
        if self._params.inactivity_timeout is not None:
            self._spawn(self._close_when_idle(self._params.inactivity_timeout))
        if self._params.session_heartbeat:
            self._spawn(self._heartbeats())
        await self._fire_due_faults()

    def _spawn(self, coro: Any) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(coro))

    # -- client frames --------------------------------------------------------------------

    async def _on_audio(self, data: bytes) -> None:
        now = time.monotonic()
        self._last_activity = now
        per_second = self._params.bytes_per_second
        duration_ms = None if per_second is None else len(data) * 1000 / per_second
        self.record.add_frame(AudioFrame(data, now, duration_ms))
        if duration_ms is None:
            return
        if not MIN_CHUNK_MS <= duration_ms <= MAX_CHUNK_MS:
            await self.fail(
                3007,
                f"Input duration violation: {round(duration_ms)} ms. "
                f"Expected between {MIN_CHUNK_MS} and {MAX_CHUNK_MS} ms",
            )
            return
        if self._first_audio_at is None:
            self._first_audio_at = now
        self._audio_ms += duration_ms
        elapsed = now - self._first_audio_at
        received = self._audio_ms / 1000
        if received > elapsed + self._config.rate_slack_seconds:
            await self.fail(
                3007,
                f"Audio Transmission Rate Exceeded: Received {received:.1f} sec. "
                f"audio in {elapsed:.1f} sec",
            )
            return
        await self._send_all(self._recognizer.advance(self._audio_ms))
        await self._fire_due_faults()

    async def _on_text(self, text: str) -> None:
        now = time.monotonic()
        self._last_activity = now
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            self.record.add_control(ControlMessage(text, None, now))
            await self.fail(3006, f"Invalid JSON: {text}")
            return
        self.record.add_control(ControlMessage(text, message, now))
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.fail(3006, f"Invalid Message: {text}")
            return
        kind = message["type"]
        if kind == "UpdateConfiguration":
            fields = {k: v for k, v in message.items() if k != "type"}
            try:
                self._params.update(fields)
            except ValueError:
                await self.fail(3006, f"Invalid Message: {text}")
                return
            self.record.add_config_update(fields)
        elif kind == "ForceEndpoint":
            await self._send_all(self._recognizer.force_endpoint())
            await self._fire_due_faults()
        elif kind == "KeepAlive":
            pass  # only resets the idle timer, done above
        elif kind == "Terminate":
            await self._terminate()
        else:
            await self.fail(3006, f"Invalid Message Type: {kind}")

    async def _terminate(self) -> None:
        await self._send_all(self._recognizer.flush())
        # Translations still being made are sent before Termination (the docs do not say
        # whether the service waits for them: UNCERTAIN), in the order they would have come.
        for _due, response in sorted(self._translating.values(), key=lambda item: item[0]):
            await self.send(response)
        self._translating.clear()
        if self._params.speaker_labels and self._config.speaker_revisions:
            await self.send(self._speaker_revision())
        await self._termination_and_close()

    async def _termination_and_close(self) -> None:
        if self._closing:
            return
        await self.send(
            {
                "type": "Termination",
                "audio_duration_seconds": round(self._audio_ms / 1000),
                "session_duration_seconds": round(time.monotonic() - self._opened),
            }
        )
        self._closing = True
        self.record.set_close(1000, "")
        await self._ws.close(1000)

    def _speaker_revision(self) -> dict[str, Any]:
        revisions = []
        for relabel in self._config.speaker_revisions:
            words = self._recognizer.completed.get(relabel.turn_order, ())
            revisions.append(
                {
                    "turn_order": relabel.turn_order,
                    "speaker_label": relabel.speaker_label,
                    "words": [
                        {
                            "start": w.start_ms,
                            "end": w.end_ms,
                            "confidence": w.confidence,
                            "text": w.text,
                            "word_is_final": True,
                            "speaker": relabel.speaker_label,
                        }
                        for w in words
                    ],
                }
            )
        return {"type": "SpeakerRevision", "revisions": revisions}

    # -- timers ---------------------------------------------------------------------------

    async def _expire_at_deadline(self) -> None:
        await asyncio.sleep(self._start.max_session_seconds)
        await self.fail(3008, EXPIRED)

    async def _close_when_idle(self, timeout: float) -> None:
        while not self._closing:
            idle_for = time.monotonic() - self._last_activity
            if idle_for >= timeout:
                break
            await asyncio.sleep(timeout - idle_for)
        if self._config.inactivity_close_code == 1000:
            await self._termination_and_close()
        else:
            await self.fail(
                self._config.inactivity_close_code,
                IDLE,
                send_error=self._config.inactivity_sends_error,
            )

    async def _heartbeats(self) -> None:
        while not self._closing:
            await asyncio.sleep(self._config.heartbeat_interval_seconds)
            await self.send(self._heartbeat())

    def _heartbeat(self) -> dict[str, Any]:
        elapsed_ms = (time.monotonic() - (self._first_audio_at or self._opened)) * 1000
        return {
            "type": "Heartbeat",
            "total_audio_received_ms": round(self._audio_ms),
            "total_duration_ms": round(elapsed_ms),
            "realtime_factor": round(self._audio_ms / elapsed_ms, 4) if elapsed_ms else 0.0,
            "max_speech_probability": 0.99,
        }

    # -- faults ---------------------------------------------------------------------------

    async def _fire_due_faults(self) -> None:
        due = [t for t in self._triggers if self._is_due(t)]
        for trigger in due:
            self._triggers.remove(trigger)
            await self.apply(trigger.fault)

    def _is_due(self, trigger: FaultTrigger) -> bool:
        if trigger.after_turns is None and trigger.at_audio_ms is None:
            return True
        if trigger.after_turns is not None and self._recognizer.turn_order >= trigger.after_turns:
            return True
        return trigger.at_audio_ms is not None and self._audio_ms >= trigger.at_audio_ms

    async def apply(self, fault: Fault) -> None:
        """Make this session misbehave now."""
        if fault is Fault.SERVER_ERROR:
            await self.fail(3005, SERVER_ERROR)
        elif fault is Fault.SERVER_ERROR_CLOSE_ONLY:
            await self.fail(3005, SERVER_ERROR, send_error=False)
        elif fault is Fault.EXPIRE:
            await self.fail(3008, EXPIRED)
        elif fault is Fault.CONCURRENCY_3009:
            await self.fail(3009, TOO_MANY_SESSIONS[3009])
        elif fault is Fault.CONCURRENCY_1008:
            await self.fail(1008, TOO_MANY_SESSIONS[1008])
        elif fault is Fault.DROP:
            self._closing = True
            self.record.set_close(1006, "connection dropped by the server")
            self._ws.transport.abort()
        else:
            await self._misbehave(fault)

    async def _misbehave(self, fault: Fault) -> None:
        """The faults that leave the connection open (the SDK may still die of them)."""
        if fault is Fault.WARNING:
            await self.send({"type": "Warning", "warning_code": 1234, "warning": "Test warning"})
        elif fault is Fault.HEARTBEAT:
            await self.send(self._heartbeat())
        elif fault is Fault.UNKNOWN_TYPE:
            await self.send({"type": "FutureEvent", "data": {"note": "not known to the SDK"}})
        elif fault is Fault.BARE_ERROR:
            await self.send({"error": "Something went wrong"})
        elif fault is Fault.GO_SILENT:
            self._silent = True
        elif fault in HOSTILE_FAULTS:
            await self.send_raw([hostile_frame(fault, self._recognizer.turn_order)])
        elif fault is Fault.MALFORMED_TURN:
            await self.send(
                {
                    "type": "Turn",
                    "turn_order": self._recognizer.turn_order,
                    "turn_is_formatted": False,
                    "end_of_turn": False,
                    "transcript": "",
                    "words": [],
                }
            )

    # -- output ---------------------------------------------------------------------------

    async def send(self, message: dict[str, Any]) -> None:
        if self._closing or self._silent:
            return
        with contextlib.suppress(ConnectionClosed):
            await self._ws.send(json.dumps(message))
            self.record.add_sent(message)

    async def send_raw(self, frames: list[str | bytes]) -> int:
        """Send frames exactly as given (text or binary, any content); returns how many went
        out before the connection closed. Recorded as ``{"type": RAW_FRAME, "size": n}``."""
        sent = 0
        for frame in frames:
            if self._closing:
                break
            try:
                await self._ws.send(frame)
            except ConnectionClosed:
                break
            self.record.add_sent({"type": RAW_FRAME, "size": len(frame)})
            sent += 1
        return sent

    async def _send_all(self, messages: list[dict[str, Any]]) -> None:
        ended: dict[int, dict[str, Any]] = {}
        for message in messages:
            await self.send(message)
            if message.get("type") == "Turn" and message.get("end_of_turn"):
                ended[message["turn_order"]] = message  # legacy: the formatted one is last
        if self._gateway is not None:
            for order, final in ended.items():
                self._translate_in_background(order, final["transcript"])

    def _translate_in_background(self, order: int, transcript: str) -> None:
        """The final Turn has gone out; its translation follows after the gateway's delay."""
        assert self._gateway is not None
        delays = self._config.llm_gateway_delays_ms or (0,)
        delay_s = delays[order % len(delays)] / 1000
        translation = self._recognizer.translations.get(order, "")
        response = gateway_response(self._gateway, order, transcript, translation)
        self._translating[order] = (time.monotonic() + delay_s, response)
        self._spawn(self._respond_after(order, delay_s))

    async def _respond_after(self, order: int, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        pending = self._translating.pop(order, None)
        if pending is not None:
            await self.send(pending[1])

    async def fail(self, code: int, error: str, *, send_error: bool = True) -> None:
        """Error frame (unless ``send_error`` is False), then close with ``code``."""
        if self._closing:
            return
        if send_error:
            await self.send({"type": "Error", "error_code": code, "error": error})
        self._closing = True
        reason = error
        if len(reason.encode()) > MAX_CLOSE_REASON_BYTES:
            reason = "See Error message for details"
        self.record.set_close(code, reason)
        with contextlib.suppress(ConnectionClosed):
            await self._ws.close(code, reason)
