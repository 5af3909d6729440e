"""The AssemblyAI Universal-Streaming v3 engine, through the official SDK's StreamingClient.

The SDK runs a read thread and a write thread per connection and calls our handlers on the read
thread; the handlers here only translate the SDK's models into engine events and enqueue them.
The SDK is imported lazily: it costs ~0.3 s (pydantic) and the window should appear first.
"""

from __future__ import annotations

import logging
import socket
import threading
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from caption_app.core.engines.assemblyai import read_thread
from caption_app.core.engines.assemblyai.close_codes import classify
from caption_app.core.engines.base import (
    Began,
    EventQueue,
    Failed,
    OpenFailed,
    SpeakersRevised,
    SpeechDetected,
    Terminated,
    Translated,
    TurnReceived,
    Warned,
)
from caption_app.core.languages import TRANSLATION_LLM, TRANSLATION_MAX_TOKENS, translation_prompt
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.turns import SpeakerRevision, Translation, TurnMessage, WordMessage
from caption_app.core.settings import StreamingSettings

if TYPE_CHECKING:
    from assemblyai.streaming.v3 import StreamingClient

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
CONNECT_TIMEOUT_S = 3.0
PROBE_TIMEOUT_S = 2.0


class StreamingAuth(Protocol):
    """What a connection authenticates with: an API key, or a single-use temporary token."""

    @property
    def api_key(self) -> str | None: ...

    @property
    def token(self) -> str | None: ...


AuthProvider = Callable[[], StreamingAuth]
"""Called once per connection (a token service mints a fresh single-use token each time)."""


class AssemblyAIEngine:
    name = "AssemblyAI Universal-Streaming"
    billed_per_hour_usd = 0.15
    on_device = False

    def __init__(self, auth: AuthProvider, *, terminate_timeout_s: float = 5.0) -> None:
        self._auth = auth
        self._terminate_timeout_s = terminate_timeout_s

    def prepare(self, settings: StreamingSettings) -> None:
        pass  # nothing to warm: a connection is a handshake

    def release(self) -> None:
        pass

    def reachable(self, settings: StreamingSettings) -> bool:
        """A plain TCP connect to the streaming host: no handshake, no session, no cost."""
        host = settings.api_host if "://" in settings.api_host else f"wss://{settings.api_host}"
        parts = urllib.parse.urlsplit(host)
        port = parts.port or (80 if parts.scheme == "ws" else 443)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=PROBE_TIMEOUT_S):
                return True
        except OSError:
            return False

    def open(
        self, stream: int, settings: StreamingSettings, events: EventQueue
    ) -> AssemblyAIConnection:
        from assemblyai.streaming.v3 import StreamingClient, StreamingClientOptions

        auth = _credentials(self._auth)
        client = StreamingClient(
            StreamingClientOptions(
                api_host=settings.api_host,
                api_key=auth.api_key,
                token=auth.token,
                connect_timeout=CONNECT_TIMEOUT_S,
                # Reconnecting, with backoff and a marked gap, is the live session's job.
                max_connection_retries=0,
                terminate_timeout=self._terminate_timeout_s,
            )
        )
        connection = AssemblyAIConnection(
            client, stream, events, settings.api_host, settings.translate_to
        )
        try:
            client.connect(streaming_parameters(settings))
        except BaseException:
            connection.forget()
            raise
        return connection


class AssemblyAIConnection:
    def __init__(
        self,
        client: StreamingClient,
        stream: int,
        events: EventQueue,
        api_host: str,
        translate_to: str = "",
    ) -> None:
        from assemblyai.streaming.v3 import StreamingEvents

        self._client: Any = client  # the SDK's methods are untyped
        self._stream = stream
        self._events = events
        self._api_host = api_host
        self._translate_to = translate_to
        self._began = False  # set on the SDK's read thread; read there too
        client.on(StreamingEvents.Begin, self._on_begin)
        client.on(StreamingEvents.Turn, self._on_turn)
        client.on(StreamingEvents.SpeakerRevision, self._on_speaker_revision)
        client.on(StreamingEvents.Termination, self._on_termination)
        client.on(StreamingEvents.Error, self._on_error)
        client.on(StreamingEvents.Warning, self._on_warning)
        client.on(StreamingEvents.SpeechStarted, self._on_speech_started)
        client.on(StreamingEvents.LLMGatewayResponse, self._on_llm_response)
        # The SDK's read thread dies on a frame it cannot parse, telling no handler: hear of
        # it at once (read_thread.py). The thread object exists before connect() starts it.
        reader = getattr(client, "_read_thread", None)
        self._reader = reader if isinstance(reader, threading.Thread) else None
        if self._reader is not None:
            read_thread.watch(self._reader, self._on_reader_died)

    def send_audio(self, pcm: bytes) -> None:
        self._client.stream(pcm)

    def force_endpoint(self) -> None:
        self._client.force_endpoint()

    def update(self, settings: StreamingSettings) -> None:
        self._client.set_params(session_parameters(settings))

    def close(self, *, terminate: bool, timeout: float) -> None:
        # The SDK waits `terminate_timeout` for Termination; a stop that arrives while a
        # connect was still in progress has less time left, so the wait is capped here.
        self._client._options.terminate_timeout = max(0.1, timeout)  # noqa: SLF001
        try:
            self._client.disconnect(terminate=terminate)
        finally:
            self.forget()

    def forget(self) -> None:
        """Stop watching the read thread (the connection is closed, or never opened)."""
        if self._reader is not None:
            read_thread.unwatch(self._reader)

    # SDK handlers: run on the SDK's read thread; translate and enqueue, nothing more.

    def _on_begin(self, _client: Any, event: Any) -> None:
        self._began = True
        self._events.put(Began(self._stream, str(event.id), _seconds_until(event.expires_at)))

    def _on_turn(self, _client: Any, event: Any) -> None:
        self._events.put(TurnReceived(self._stream, turn_message(event)))

    def _on_speaker_revision(self, _client: Any, event: Any) -> None:
        revisions = tuple(
            SpeakerRevision(
                turn_order=item.turn_order,
                speaker_label=known_speaker(item.speaker_label),
                word_speakers=tuple(known_speaker(w.speaker) for w in item.words),
            )
            for item in event.revisions
        )
        self._events.put(SpeakersRevised(self._stream, revisions))

    def _on_termination(self, _client: Any, event: Any) -> None:
        self._events.put(
            Terminated(self._stream, event.audio_duration_seconds, event.session_duration_seconds)
        )

    def _on_error(self, _client: Any, error: Any) -> None:
        code = getattr(error, "code", None)
        problem = classify(code, str(error), began=self._began, host=self._api_host)
        self._events.put(Failed(self._stream, problem))

    def _on_warning(self, _client: Any, event: Any) -> None:
        self._events.put(Warned(self._stream, event.warning_code, readable(event.warning)))

    def _on_speech_started(self, _client: Any, event: Any) -> None:
        self._events.put(SpeechDetected(self._stream, int(event.timestamp)))

    def _on_llm_response(self, _client: Any, event: Any) -> None:
        """A finished turn's translation: the LLM Gateway's chat completion for it, at
        ``data.choices[0].message.content`` (real-time-translation page of the docs)."""
        text = llm_content(event.data)
        if text is None:
            log.warning("an LLMGatewayResponse without a message for turn %s", event.turn_order)
            return
        translation = Translation(readable(text.strip()), self._translate_to or "")
        self._events.put(Translated(self._stream, int(event.turn_order), translation))

    def _on_reader_died(self, _exc: BaseException | None) -> None:
        """On the dying read thread: this connection hears nothing more; say so now."""
        stop = getattr(self._client, "_stop_event", None)
        if isinstance(stop, threading.Event):
            stop.set()  # a Terminate in flight must not wait for a Termination that cannot come
        self._events.put(Failed(self._stream, READER_LOST))


READER_LOST = Problem(
    ProblemKind.NETWORK,
    "The captioning service sent a message Caption App could not read.",
    Recovery.RECONNECT,
)


def known_speaker(label: str | None) -> str | None:
    """The service labels a turn "UNKNOWN" until it has heard about a second of it: for a
    reader that is no speaker yet, not a speaker called UNKNOWN."""
    return None if not label or label.upper() == "UNKNOWN" else readable(label)


def readable(text: str) -> str:
    """JSON may carry lone surrogates (``"\\ud800"``), which no file or widget can encode: each
    becomes U+FFFD, so a hostile service cannot stop the journal (found by tests/faults)."""
    if text.isascii():
        return text
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


def llm_content(data: Any) -> str | None:
    """The message of a chat completion (a dict as the SDK leaves it), or None if it has none."""
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    return content if isinstance(content, str) else None


def _maybe_readable(text: str | None) -> str | None:
    return None if text is None else readable(text)


def turn_message(event: Any) -> TurnMessage:
    return TurnMessage(
        turn_order=event.turn_order,
        transcript=readable(event.transcript),
        end_of_turn=event.end_of_turn,
        turn_is_formatted=event.turn_is_formatted,
        end_of_turn_confidence=event.end_of_turn_confidence,
        speaker_label=known_speaker(event.speaker_label),
        language_code=_maybe_readable(event.language_code),
        words=tuple(
            WordMessage(
                text=readable(w.text),
                start_ms=w.start,
                end_ms=w.end,
                confidence=w.confidence,
                is_final=w.word_is_final,
                speaker=known_speaker(w.speaker),
            )
            for w in event.words
        ),
    )


def streaming_parameters(settings: StreamingSettings) -> Any:
    """The connect-time query parameters: everything the settings say, nothing unset."""
    from assemblyai.streaming.v3 import Encoding, SpeechModel, StreamingParameters

    plan = settings.cloud
    parameters: dict[str, Any] = dict(
        sample_rate=SAMPLE_RATE,
        encoding=Encoding.pcm_s16le,
        speech_model=SpeechModel(plan.model),
        format_turns=settings.format_turns,
        end_of_turn_confidence_threshold=settings.end_of_turn_confidence_threshold,
        min_turn_silence=settings.min_turn_silence_ms,
        max_turn_silence=settings.max_turn_silence_ms,
        keyterms_prompt=list(settings.keyterms) or None,
        filter_profanity=settings.filter_profanity,
        speaker_labels=settings.speaker_labels or None,
        language_detection=plan.detect_language or None,
        language_codes=list(plan.language_codes) or None,
        llm_gateway=translation_gateway(plan.translate_to),
    )
    return StreamingParameters(**parameters)


def translation_gateway(target: str) -> Any:
    """The ``llm_gateway`` connection parameter that translates each finished turn into
    ``target``, or None for no translation."""
    if not target:
        return None
    from assemblyai.streaming.v3.models import LLMGatewayConfig, LLMGatewayMessage

    return LLMGatewayConfig(
        model=TRANSLATION_LLM,
        messages=[LLMGatewayMessage(role="user", content=translation_prompt(target))],
        max_tokens=TRANSLATION_MAX_TOKENS,
    )


def session_parameters(settings: StreamingSettings) -> Any:
    """The fields the service lets a running session change (UpdateConfiguration)."""
    from assemblyai.streaming.v3 import StreamingSessionParameters

    parameters: dict[str, Any] = dict(
        format_turns=settings.format_turns,
        end_of_turn_confidence_threshold=settings.end_of_turn_confidence_threshold,
        min_turn_silence=settings.min_turn_silence_ms,
        max_turn_silence=settings.max_turn_silence_ms,
        keyterms_prompt=list(settings.keyterms),
        filter_profanity=settings.filter_profanity,
    )
    return StreamingSessionParameters(**parameters)


def _seconds_until(expires_at: datetime | None) -> float | None:
    """The service states its expiry in wall-clock time; the session keeps monotonic time."""
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:  # the SDK parses Unix seconds into a naive UTC time
        expires_at = expires_at.replace(tzinfo=UTC)
    return (expires_at - datetime.now(UTC)).total_seconds()


def _credentials(auth: AuthProvider) -> StreamingAuth:
    """This connection's key or token; what stops it is read into a neutral problem."""
    from caption_app.core.secrets.credentials import NoCredentials
    from caption_app.core.secrets.token_service import TokenServiceError

    try:
        return auth()
    except NoCredentials as exc:
        raise OpenFailed(Problem(ProblemKind.NO_KEY, str(exc), Recovery.NEW_KEY)) from exc
    except TokenServiceError as exc:
        recovery = Recovery.NEW_KEY if exc.is_rejection else Recovery.RECONNECT
        problem = Problem(ProblemKind.TOKEN_SERVICE, str(exc), recovery, exc.status)
        raise OpenFailed(problem) from exc
