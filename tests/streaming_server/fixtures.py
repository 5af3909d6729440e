"""pytest fixtures for the fake streaming service; a conftest imports them by name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.streaming_server.config import ServerConfig
from tests.streaming_server.server import StreamingServer

TEST_API_KEY = "test-key"


@contextmanager
def running_server(config: ServerConfig | None = None) -> Iterator[StreamingServer]:
    """A started server (default: accepting ``TEST_API_KEY``), stopped and joined on exit."""
    server = StreamingServer(config or ServerConfig(api_keys={TEST_API_KEY}))
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.thread_alive, "fake streaming server thread still running"


@pytest.fixture
def streaming_server() -> Iterator[StreamingServer]:
    """A started server accepting ``TEST_API_KEY``; change ``server.config`` before connecting."""
    with running_server() as server:
        yield server
