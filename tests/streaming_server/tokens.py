"""Temporary tokens (protocol doc section 2): minted by ``GET /v3/token``, single use."""

from __future__ import annotations

import http
import json
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

EXPIRES_IN_RANGE = (1, 600)
MAX_SESSION_RANGE = (60, 10800)


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    usable_until: float
    """time.monotonic() after which the token can no longer open a session."""
    max_session_seconds: float | None


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: http.HTTPStatus
    body: dict[str, object]

    def json(self) -> str:
        return json.dumps(self.body)


class TokenStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}

    def add(self, token: Token) -> None:
        with self._lock:
            self._tokens[token.value] = token

    def redeem(self, value: str) -> Token | None:
        """The token, removed so it cannot be used again; None if unknown or expired."""
        with self._lock:
            token = self._tokens.pop(value, None)
        if token is None or time.monotonic() > token.usable_until:
            return None
        return token

    def mint(self, query: str, authorization: str | None, api_keys: set[str]) -> HttpReply:
        """Answer ``GET /v3/token?<query>``."""
        if not authorization or authorization not in api_keys:
            return HttpReply(http.HTTPStatus.UNAUTHORIZED, {"error": "Invalid API key"})
        values = parse_qs(query)
        try:
            expires_in = _int_in(values, "expires_in_seconds", EXPIRES_IN_RANGE, required=True)
            max_session = _int_in(values, "max_session_duration_seconds", MAX_SESSION_RANGE)
        except ValueError as exc:
            return HttpReply(http.HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        assert expires_in is not None
        value = secrets.token_urlsafe(24)
        self.add(Token(value, time.monotonic() + expires_in, max_session))
        return HttpReply(http.HTTPStatus.OK, {"token": value, "expires_in_seconds": expires_in})


def _int_in(
    values: dict[str, list[str]],
    name: str,
    bounds: tuple[int, int],
    *,
    required: bool = False,
) -> int | None:
    if name not in values:
        if required:
            raise ValueError(f"{name} is required")
        return None
    raw = values[name][-1]
    try:
        number = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    low, high = bounds
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number
