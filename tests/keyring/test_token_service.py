"""fetch_temporary_token against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from caption_app.core.secrets.token_service import TokenServiceError, fetch_temporary_token
from tests.keyring.http_token_server import Reply, token_server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fetches_the_token_and_sends_the_documented_parameters() -> None:
    with token_server(Reply()) as server:
        token = fetch_temporary_token(
            server.url + "?org=acme",
            5.0,
            expires_in_seconds=30,
            max_session_duration_seconds=600,
            auth_header="Bearer org-secret-123",
        )
    assert token == "tok-0001"
    path, headers = server.requests[0]
    query = parse_qs(urlsplit(path).query)
    assert urlsplit(path).path == "/v3/token"
    assert query == {
        "org": ["acme"],
        "expires_in_seconds": ["30"],
        "max_session_duration_seconds": ["600"],
    }
    assert headers["Authorization"] == "Bearer org-secret-123"


def test_http_401_reports_the_services_error_text() -> None:
    with (
        token_server(Reply(401, b'{"error": "Invalid API key"}')) as server,
        pytest.raises(TokenServiceError) as raised,
    ):
        fetch_temporary_token(server.url, 5.0, auth_header="Bearer org-secret-123")
    message = str(raised.value)
    assert "refused the request (HTTP 401): Invalid API key" in message
    assert raised.value.status == 401 and raised.value.is_rejection
    assert "org-secret-123" not in message


def test_http_500_is_a_failure_not_a_rejection() -> None:
    with (
        token_server(Reply(500, b"<html>oops</html>")) as server,
        pytest.raises(TokenServiceError) as raised,
    ):
        fetch_temporary_token(server.url, 5.0)
    assert "failed (HTTP 500)." in str(raised.value)
    assert not raised.value.is_rejection


def test_bad_json_and_missing_token_are_reported() -> None:
    with (
        token_server(Reply(200, b"not json"), Reply(200, b'{"expires_in_seconds": 60}')) as srv,
        pytest.raises(TokenServiceError, match="did not answer with JSON"),
    ):
        fetch_temporary_token(srv.url, 5.0)
        with pytest.raises(TokenServiceError, match="answered without a token"):
            fetch_temporary_token(srv.url, 5.0)


def test_unreachable_service_is_reported_as_such() -> None:
    port = _closed_port()
    with pytest.raises(TokenServiceError) as raised:
        fetch_temporary_token(f"http://127.0.0.1:{port}/v3/token?secret=abc", 2.0)
    message = str(raised.value)
    assert message.startswith(f"Could not reach the token service at http://127.0.0.1:{port}")
    assert "secret=abc" not in message  # the query may hold secrets; only the origin is shown
    assert raised.value.status is None


def test_a_silent_service_times_out_within_the_timeout() -> None:
    with token_server(Reply(stall_s=10.0)) as server:
        started = time.monotonic()
        with pytest.raises(TokenServiceError, match=r"no answer within 0\.5 s"):
            fetch_temporary_token(server.url, 0.5)
        assert time.monotonic() - started < 3.0


def test_redirects_are_refused_so_credentials_stay_put() -> None:
    redirect = Reply(302, b"", headers={"Location": "http://127.0.0.1:1/elsewhere"})
    with (
        token_server(redirect) as server,
        pytest.raises(TokenServiceError, match="redirected elsewhere"),
    ):
        fetch_temporary_token(server.url, 5.0, auth_header="Bearer org-secret-123")
    assert len(server.requests) == 1


def test_plain_http_is_refused_except_on_loopback() -> None:
    with pytest.raises(TokenServiceError, match="must use https"):
        fetch_temporary_token("http://tokens.example.org/v3/token", 1.0)
    with pytest.raises(TokenServiceError, match="credentials in its header"):
        fetch_temporary_token("https://user:pw@tokens.example.org/v3/token", 1.0)
    with pytest.raises(TokenServiceError, match="https:// URL"):
        fetch_temporary_token("ftp://tokens.example.org/v3/token", 1.0)


def test_parameter_ranges_follow_the_token_endpoint() -> None:
    with pytest.raises(ValueError, match="expires_in_seconds"):
        fetch_temporary_token("https://tokens.example.org/", 1.0, expires_in_seconds=601)
    with pytest.raises(ValueError, match="max_session_duration_seconds"):
        fetch_temporary_token("https://x.org/", 1.0, max_session_duration_seconds=59)
