"""Translations through the LLM Gateway, as AssemblyAI's real-time-translation page describes.

"Real-time translation runs on LLM Gateway, configured through the ``llm_gateway`` connection
parameter. When a turn ends, the server sends the final transcript to the gateway with your
translation prompt and returns the translation on the same WebSocket as an
``LLMGatewayResponse`` message." "``{{turn}}`` is a template variable. The server replaces it
with the final transcript of each turn before the prompt reaches the model." "The ``data`` field
is the LLM Gateway chat completion for that turn, so the translated text is at
``data.choices[0].message.content``." "The translation is produced in the background, so it does
not delay the final Turn message, and translations for consecutive short turns can arrive out
of order": match them to their turn by ``turn_order``. It is offered on ``universal-3-6-pro``
and ``universal-3-5-pro`` only; what the service does when another model is asked for it is
not documented (UNCERTAIN): this double sends no responses then.

The double has no language model: a scripted turn's ``translation`` is its answer, and without
one it answers with the prompt filled in, which shows which turn it belonged to.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.streaming_server.query import ParamError

TRANSLATING_MODELS = ("universal-3-6-pro", "universal-3-5-pro")


def gateway_config(raw: object) -> dict[str, Any] | None:
    """The ``llm_gateway`` parameter (a JSON object string) read, or None when absent."""
    if raw is None:
        return None
    try:
        config = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise ParamError(f"Invalid value for llm_gateway: {raw!r}") from None
    messages = config.get("messages") if isinstance(config, dict) else None
    assert messages is None or isinstance(config, dict)
    if (
        not isinstance(config, dict)
        or not isinstance(messages, list)
        or not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in messages)
    ):
        raise ParamError(f"Invalid value for llm_gateway: {raw!r}")
    return config


def gateway_response(
    config: dict[str, Any], turn_order: int, transcript: str, translation: str
) -> dict[str, Any]:
    """The LLMGatewayResponse for one final turn: its chat completion in ``data``."""
    prompt = "\n".join(str(m["content"]) for m in config["messages"])
    content = translation or prompt.replace("{{turn}}", transcript)
    return {
        "type": "LLMGatewayResponse",
        "turn_order": turn_order,
        "transcript": transcript,
        "data": {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "model": config.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": len(prompt.split()) + len(transcript.split()),
                "completion_tokens": len(content.split()),
            },
        },
    }
