"""Fetch a single-use temporary token from an organisation's token service.

Managed machines never hold the API key: an organisation runs a service that answers like
AssemblyAI's ``GET /v3/token`` (``{"token": "...", "expires_in_seconds": N}``) and the app asks
it for a fresh token before each session. Stdlib ``urllib`` keeps this free of extra
dependencies. Error messages name the service by scheme and host only, since a URL's path or
query may itself carry a secret.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import urllib.error
    import urllib.request

MAX_BODY_BYTES = 64 * 1024
MAX_ERROR_CHARS = 200
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class TokenServiceError(Exception):
    """The token service could not give a token; the message is meant for the user."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def is_rejection(self) -> bool:
        """The service answered and refused (retrying the same request will not help)."""
        return self.status is not None and 400 <= self.status < 500 and self.status != 429


def _no_redirects() -> urllib.request.HTTPRedirectHandler:
    """urllib would resend our Authorization header to wherever a redirect points."""
    import urllib.request  # with the first token: ~60 ms the window does not need

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return NoRedirects()


def _origin(parts: urllib.parse.SplitResult) -> str:
    host = parts.hostname or "?"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that is not a number
        port = ""
    return f"{parts.scheme}://{host}{port}"


def url_origin(url: str) -> str:
    """``scheme://host[:port]`` of a token service URL: what may be shown or recorded (its
    path or query may carry an organisation's secret)."""
    return _origin(urllib.parse.urlsplit(url))


def _check_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TokenServiceError("The token service address must be an https:// URL.")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise TokenServiceError(
            f"The token service at {_origin(parts)} must use https://; "
            "a token sent over plain http could be read on the network."
        )
    if parts.username or parts.password:
        raise TokenServiceError("Put the token service's credentials in its header, not its URL.")
    return parts


def _with_query(parts: urllib.parse.SplitResult, extra: dict[str, int]) -> str:
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, str(v)) for k, v in extra.items()]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _service_error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return str(data["error"])[:MAX_ERROR_CHARS]
    return ""


def _http_error(origin: str, exc: urllib.error.HTTPError) -> TokenServiceError:
    status = exc.code
    detail = _service_error_text(exc.read(MAX_BODY_BYTES))
    if 300 <= status < 400:
        message = f"The token service at {origin} redirected elsewhere (HTTP {status}); "
        message += "set its final address"
    elif 400 <= status < 500:
        message = f"The token service at {origin} refused the request (HTTP {status})"
    else:
        message = f"The token service at {origin} failed (HTTP {status})"
    message += f": {detail}" if detail else "."
    return TokenServiceError(message, status=status)


def fetch_temporary_token(
    url: str,
    timeout: float,
    *,
    expires_in_seconds: int = 60,
    max_session_duration_seconds: int | None = None,
    auth_header: str | None = None,
) -> str:
    """GET a token from ``url``; raises ``TokenServiceError`` with a clear message otherwise.

    ``expires_in_seconds`` (1-600) bounds how long the token may be used to open a session;
    ``max_session_duration_seconds`` (60-10800) caps the session; ``auth_header`` is sent as
    ``Authorization`` when the organisation's service wants one.
    """
    if not 1 <= expires_in_seconds <= 600:
        raise ValueError("expires_in_seconds must be between 1 and 600")
    params = {"expires_in_seconds": expires_in_seconds}
    if max_session_duration_seconds is not None:
        if not 60 <= max_session_duration_seconds <= 10800:
            raise ValueError("max_session_duration_seconds must be between 60 and 10800")
        params["max_session_duration_seconds"] = max_session_duration_seconds
    import http.client
    import urllib.error
    import urllib.request

    parts = _check_url(url)
    origin = _origin(parts)
    request = urllib.request.Request(_with_query(parts, params), method="GET")  # noqa: S310 - scheme checked above
    request.add_header("Accept", "application/json")
    if auth_header:
        request.add_header("Authorization", auth_header)
    opener = urllib.request.build_opener(_no_redirects())
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _http_error(origin, exc) from None
    except (http.client.HTTPException, ValueError) as exc:
        # e.g. InvalidURL, whose text quotes the whole URL (path and query may be secret)
        why = type(exc).__name__
        raise TokenServiceError(
            f"The token service at {origin} could not be asked ({why})."
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            why = f"no answer within {timeout:g} s"
        else:
            why = str(reason) or type(reason).__name__
        raise TokenServiceError(f"Could not reach the token service at {origin} ({why}).") from None
    if len(body) > MAX_BODY_BYTES:
        raise TokenServiceError(f"The token service at {origin} sent an oversized answer.")
    try:
        data = json.loads(body)
    except ValueError:
        raise TokenServiceError(
            f"The token service at {origin} did not answer with JSON."
        ) from None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.strip():
        detail = _service_error_text(body)
        raise TokenServiceError(
            f"The token service at {origin} answered without a token"
            + (f": {detail}" if detail else ".")
        )
    return token.strip()
