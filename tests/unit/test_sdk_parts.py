"""The AssemblyAI SDK's private parts the engine touches are all there, in the installed SDK.

A release that renamed one would switch a safeguard off without a word (the reader's death
heard at once, a Stop's bounded wait for Termination): this fails loudly instead, naming it.
"""

from __future__ import annotations

import logging
import threading
from importlib.metadata import version

import pytest

from caption_app.core.engines.assemblyai import sdk_parts
from caption_app.core.engines.assemblyai.engine import AssemblyAIConnection


def _client() -> object:
    from assemblyai.streaming.v3 import StreamingClient, StreamingClientOptions

    return StreamingClient(StreamingClientOptions(api_key="k", api_host="127.0.0.1:9"))


def test_the_installed_sdk_is_the_minor_version_the_parts_were_checked_on() -> None:
    assert version("assemblyai").startswith(f"{sdk_parts.TESTED_WITH}.")


def test_every_private_part_the_engine_touches_is_there() -> None:
    client = _client()
    assert sdk_parts.missing(client) == []
    assert isinstance(sdk_parts.read_thread(client), threading.Thread)
    assert not sdk_parts.read_thread(client).is_alive()  # there before connect() starts it
    assert isinstance(sdk_parts.stop_event(client), threading.Event)
    sdk_parts.set_terminate_timeout(client, 0.25)
    assert client._options.terminate_timeout == 0.25  # type: ignore[attr-defined]


class _Renamed:
    """An SDK whose private parts moved."""

    def __init__(self) -> None:
        self.read_thread = threading.Thread(target=lambda: None)
        self.options = object()

    def on(self, *_: object) -> None:
        pass


def test_a_renamed_part_is_named_not_silently_skipped(caplog: pytest.LogCaptureFixture) -> None:
    renamed = _Renamed()
    assert sdk_parts.missing(renamed) == [
        "StreamingClient._read_thread",
        "StreamingClient._stop_event",
        "StreamingClient._options.terminate_timeout",
    ]
    with pytest.raises(sdk_parts.SdkPartMissing, match=r"_read_thread.*tested with 1\.8"):
        sdk_parts.read_thread(renamed)
    with caplog.at_level(logging.ERROR):
        AssemblyAIConnection(renamed, 0, None, "host")  # type: ignore[arg-type]
    assert "StreamingClient._read_thread" in caplog.text
