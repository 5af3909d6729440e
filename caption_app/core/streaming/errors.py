"""What each close/error code means for a person, and what the session does about it.

Codes come from the protocol doc (section 7). The SDK replaces the server's close reason with
its own table text for known codes, so the code decides; the text is a fallback for the older
servers that used 3005 or 1008 for everything.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from caption_app.core.log_masking import masking_filter


class Recovery(enum.Enum):
    RECONNECT = "reconnect"
    """Network or server trouble: reconnect with exponential backoff."""
    RECONNECT_NOW = "reconnect-now"
    """The session expired: open a new one at once."""
    RETRY_LATER = "retry-later"
    """A rate or concurrency limit: back off longer, then try again."""
    NEW_KEY = "new-key"
    """The key or token was rejected: ask for a new one; retrying cannot help."""
    GIVE_UP = "give-up"
    """An account problem or a bug: stop and say what to do."""


@dataclass(frozen=True, slots=True)
class Problem:
    code: int | None
    message: str
    """One sentence a person understands."""
    action: str
    """What they can do about it."""
    recovery: Recovery
    audio: bool = False
    """The audio input failed (not the engine): pick another input."""
    engine_setup: bool = False
    """The local engine cannot run here (its model is missing or damaged)."""


def classify(code: int | None, text: str) -> Problem:
    """Map an SDK error (code and text) to a message, an action and a recovery policy."""
    text = masking_filter().mask(text)  # server text is shown to the person: never a secret
    lowered = text.lower()
    if code in (401, 403, 4001) or (code == 1008 and _is_auth_text(lowered)):
        return Problem(
            code,
            "AssemblyAI rejected the API key.",
            "Enter a valid key in Settings → API key.",
            Recovery.NEW_KEY,
        )
    if code == 4002 or "insufficient" in lowered or "balance" in lowered:
        return Problem(
            code,
            "The AssemblyAI account has insufficient funds.",
            "Add funds on the AssemblyAI dashboard, then start again.",
            Recovery.GIVE_UP,
        )
    if code == 4003 or "paid" in lowered:
        return Problem(
            code,
            "This feature needs a paid AssemblyAI account.",
            "Upgrade the account, or turn the feature off in Settings.",
            Recovery.GIVE_UP,
        )
    if code in (3009, 4102, 429) or "too many" in lowered or "concurren" in lowered:
        return Problem(
            code,
            "AssemblyAI's limit on new sessions was reached.",
            "Captions resume automatically in a few seconds.",
            Recovery.RETRY_LATER,
        )
    if code in (3008, 4008) or "expired" in lowered:
        return Problem(
            code,
            "The streaming session reached its maximum length.",
            "A new session starts automatically.",
            Recovery.RECONNECT_NOW,
        )
    if code in (3007, 4029, 4032, 4033, 3006, 4100, 4101) or "duration violation" in lowered:
        return Problem(
            code,
            f"Caption App sent audio the service refused ({text}). This is a bug.",
            "Captions resume automatically; please report this with the log file.",
            Recovery.RECONNECT,
        )
    if code == 1008:
        return Problem(
            code,
            f"AssemblyAI refused the connection ({text}).",
            "Check the account on the AssemblyAI dashboard.",
            Recovery.GIVE_UP,
        )
    return Problem(
        code,
        "The connection to the captioning service was lost.",
        "Reconnecting automatically; check the network if this keeps happening.",
        Recovery.RECONNECT,
    )


def _is_auth_text(lowered: str) -> bool:
    return "unauthori" in lowered and "concurrent" not in lowered and "balance" not in lowered
