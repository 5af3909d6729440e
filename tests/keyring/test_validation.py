"""check_api_key with the real SDK against a small WebSocket server on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest

from caption_app.core.engines.assemblyai import read_thread
from caption_app.core.engines.assemblyai.key_check import KeyStatus, check_api_key
from tests.keyring.ws_key_server import BAD_KEY, GOOD_KEY, key_server


def test_a_good_key_is_accepted_and_the_session_is_ended_at_once() -> None:
    with key_server() as server:
        started = time.monotonic()
        result = check_api_key(GOOD_KEY, server.api_host, timeout=5.0)
        elapsed = time.monotonic() - started
        assert server.terminated.wait(2.0)
    assert result.status is KeyStatus.ACCEPTED, result
    assert server.seen_keys == [GOOD_KEY]
    assert elapsed < 2.5, elapsed


def test_http_401_means_rejected() -> None:
    with key_server(reject="http") as server:
        result = check_api_key(BAD_KEY, server.api_host, timeout=5.0)
    assert result.status is KeyStatus.REJECTED, result
    assert result.code == 401
    assert BAD_KEY not in result.message


def test_error_1008_and_close_1008_mean_rejected() -> None:
    with key_server(reject="close") as server:
        result = check_api_key(BAD_KEY, server.api_host, timeout=5.0)
    assert result.status is KeyStatus.REJECTED, result
    assert result.code == 1008
    assert server.seen_keys == [BAD_KEY]  # one attempt: a rejection is never retried


def test_nothing_listening_means_unreachable_not_rejected() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    result = check_api_key(GOOD_KEY, f"ws://127.0.0.1:{port}", timeout=2.0)
    assert result.status is KeyStatus.UNREACHABLE, result
    assert "Could not reach AssemblyAI" in result.message
    assert time.monotonic() - started < 3.0


def test_a_server_that_never_begins_is_unreachable_after_the_timeout() -> None:
    with key_server(answer=False) as server:
        started = time.monotonic()
        result = check_api_key(GOOD_KEY, server.api_host, timeout=1.0)
        elapsed = time.monotonic() - started
    assert result.status is KeyStatus.UNREACHABLE, result
    assert "did not answer within 1 seconds" in result.message
    assert 0.9 < elapsed < 3.5, elapsed


def test_a_message_the_sdk_cannot_read_is_told_at_once_not_printed(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The SDK's reader dies on a binary frame without telling any handler: the check hears
    of it at once (not after its timeout), says the key may be fine, and prints no traceback."""
    with key_server(garbled=True) as server:
        started = time.monotonic()
        result = check_api_key(GOOD_KEY, server.api_host, timeout=5.0)
        elapsed = time.monotonic() - started
    assert result.status is KeyStatus.SERVICE_PROBLEM, result
    assert "could not read" in result.message and "may be fine" in result.message
    assert elapsed < 3.0, elapsed  # the timeout was 5 s
    assert "Traceback" not in capfd.readouterr().err
    assert read_thread.watching() == 0
