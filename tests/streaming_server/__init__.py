"""A local, protocol-faithful double of AssemblyAI's Universal-Streaming v3 service.

See shared/docs/assemblyai-v3-protocol.md beside the checkout (section 9 is the checklist).
"""

from tests.streaming_server.config import (
    AuthFailure,
    Fault,
    FaultTrigger,
    ServerConfig,
    SpeakerRelabel,
)
from tests.streaming_server.query import SessionParams
from tests.streaming_server.recording import (
    AudioFrame,
    ControlMessage,
    SentMessage,
    SessionRecord,
)
from tests.streaming_server.script import (
    Script,
    ScriptTurn,
    ScriptWord,
    format_sentence,
    script_from_reference,
    script_from_sentences,
    turn_from_text,
)
from tests.streaming_server.server import RejectedHandshake, StreamingServer

__all__ = [
    "AudioFrame",
    "AuthFailure",
    "ControlMessage",
    "Fault",
    "FaultTrigger",
    "RejectedHandshake",
    "Script",
    "ScriptTurn",
    "ScriptWord",
    "SentMessage",
    "ServerConfig",
    "SessionParams",
    "SessionRecord",
    "SpeakerRelabel",
    "StreamingServer",
    "format_sentence",
    "script_from_reference",
    "script_from_sentences",
    "turn_from_text",
]
