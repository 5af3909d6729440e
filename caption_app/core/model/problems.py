"""What went wrong, in engine-neutral terms, and what the session does about it.

An engine reads its own error codes into a ``Problem``: a neutral ``kind``, one sentence of what
happened, and a ``recovery`` policy the session follows. What a person can *do* about it is
worded by the GUI and the CLI, each in its own terms (a menu item, a command-line option).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


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


class ProblemKind(enum.Enum):
    NO_KEY = "no-key"
    """No API key is stored."""
    AUTH = "auth"
    """The key or token was rejected."""
    TOKEN_SERVICE = "token-service"  # noqa: S105 - a kind of problem, not a secret
    """The organisation's token service failed or refused."""
    FUNDS = "funds"
    """The account has no funds left."""
    PLAN = "plan"
    """A setting needs a paid plan."""
    RATE_LIMIT = "rate-limit"
    """Too many sessions at once, or too many new ones."""
    EXPIRED = "expired"
    """The service's session reached its maximum length."""
    BAD_REQUEST = "bad-request"
    """The service refused what Caption App sent: a bug."""
    REFUSED = "refused"
    """The service refused the connection for an account reason."""
    UNREACHABLE = "unreachable"
    """The service could not be reached at all: offline, refused, a name that does not
    resolve, a proxy or TLS failure. Nothing was connected, so nothing was "lost"."""
    NETWORK = "network"
    """A connection that was live was lost."""
    ENGINE_FAULT = "engine-fault"
    """The local engine stopped working (it is restarted)."""
    ENGINE_SETUP = "engine-setup"
    """The local engine cannot run here (its model is missing or damaged)."""
    AUDIO_INPUT = "audio-input"
    """The audio input failed (not the engine), and the session ends."""
    INPUT_LOST = "input-lost"
    """The audio input failed mid-session; the session waits for another input."""


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    message: str
    """One sentence a person understands: what happened."""
    recovery: Recovery
    code: int | None = None
    """The engine's own code, for the log and for support."""

    @property
    def audio(self) -> bool:
        return self.kind in (ProblemKind.AUDIO_INPUT, ProblemKind.INPUT_LOST)

    @property
    def engine_setup(self) -> bool:
        return self.kind is ProblemKind.ENGINE_SETUP
