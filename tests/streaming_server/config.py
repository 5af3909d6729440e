"""What the fake service does: keys, formatting behaviour, limits and scheduled faults.

``ServerConfig`` is read when a session opens, so tests may change it between sessions; a live
session keeps the values it started with (faults can still be injected into it on demand).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tests.streaming_server.script import Script


class AuthFailure(enum.Enum):
    """How a bad or missing key/token is refused (the real service's choice is undocumented)."""

    HTTP_401 = "http"
    CLOSE_1008 = "close"


class Fault(enum.Enum):
    """Misbehaviours a session can be made to show (protocol doc sections 7 and 8)."""

    SERVER_ERROR = "server_error"  # Error{3005} then close 3005
    SERVER_ERROR_CLOSE_ONLY = "server_error_close_only"  # close 3005, no Error frame
    EXPIRE = "expire"  # Error{3008} then close 3008, as at expires_at
    CONCURRENCY_3009 = "concurrency_3009"
    CONCURRENCY_1008 = "concurrency_1008"
    DROP = "drop"  # TCP connection aborted without a close frame: the client sees 1006
    WARNING = "warning"
    HEARTBEAT = "heartbeat"
    UNKNOWN_TYPE = "unknown_type"  # a message type the SDK does not know
    BARE_ERROR = "bare_error"  # {"error": "..."} with no type
    MALFORMED_TURN = "malformed_turn"  # Turn without end_of_turn_confidence
    GO_SILENT = "go_silent"  # keep reading audio, never answer again (for the watchdog)
    # Frames no faithful service sends (hostile.py): each kills the SDK's read thread.
    BINARY_FRAME = "binary_frame"
    JSON_LIST = "json_list"
    JSON_STRING = "json_string"
    WRONG_TYPED_TURN = "wrong_typed_turn"
    WARNING_STRING_CODE = "warning_string_code"


@dataclass(frozen=True, slots=True)
class FaultTrigger:
    """Fire ``fault`` once in every new session: after ``after_turns`` turns have ended, once
    ``at_audio_ms`` of audio has arrived, or right after Begin when both are None."""

    fault: Fault
    after_turns: int | None = None
    at_audio_ms: int | None = None


@dataclass(frozen=True, slots=True)
class SpeakerRelabel:
    """One entry of the SpeakerRevision sent before Termination: turn ``turn_order`` becomes
    ``speaker_label`` (every word too)."""

    turn_order: int
    speaker_label: str


@dataclass
class ServerConfig:
    api_keys: set[str] = field(default_factory=lambda: {"test-key"})
    single_use_tokens: set[str] = field(default_factory=set)
    auth_failure: AuthFailure = AuthFailure.HTTP_401
    script: Script = ()
    loop_script: bool = False
    """Repeat the script forever (for demos with a live microphone)."""
    legacy_formatting: bool = False
    """With format_turns on: True = unformatted end of turn + a formatted repeat (pre-2026-03);
    False = inline formatting, one end-of-turn message (current)."""
    max_session_seconds: float = 10800.0
    rate_slack_seconds: float = 1.5
    """How far received audio may run ahead of wall-clock time since the first frame."""
    echo_configuration: bool = True
    inactivity_close_code: int = 4031
    """Close code when inactivity_timeout passes; 1000 sends Termination and closes normally."""
    inactivity_sends_error: bool = True
    max_concurrent_sessions: int | None = None
    concurrency_close_code: int = 3009
    speaker_revisions: tuple[SpeakerRelabel, ...] = ()
    heartbeat_interval_seconds: float = 1.0
    """Interval of Heartbeat messages when the session sets session_heartbeat."""
    handshake_delay_seconds: float = 0.0
    llm_gateway_delays_ms: tuple[int, ...] = (400, 50)
    """How long the LLM Gateway takes for each turn's translation, by turn_order (cycled).
    Different delays make a later turn's LLMGatewayResponse arrive before an earlier one's,
    as the docs warn they can."""
    faults: tuple[FaultTrigger, ...] = ()
