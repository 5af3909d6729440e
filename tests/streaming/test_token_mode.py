"""Token-service mode: the API key never reaches the machine; each connection gets a new token."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from caption_app.core.audio.media import open_media_source
from caption_app.core.secrets.credentials import resolve_for_cli
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import build_live_session
from tests.streaming.harness import FAST, Collector, Running
from tests.streaming_server.clips import load_clip
from tests.streaming_server.config import Fault, FaultTrigger
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.streaming_server.server import StreamingServer
from tests.support.paths import AUDIO_DIR

CLIP = "librivox-austen-0870.wav"


@contextmanager
def organisation_token_service(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """What an organisation runs: it holds the key and hands out single-use tokens."""
    minted: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = self.path.partition("?")[2]
            request = urllib.request.Request(f"{upstream}/v3/token?{query}")
            request.add_header("Authorization", TEST_API_KEY)
            with urllib.request.urlopen(request, timeout=5) as response:
                body = response.read()
            minted.append(json.loads(body)["token"])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="org-token-service")
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/token", minted
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_each_connection_uses_a_fresh_single_use_token(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    streaming_server.config.script = load_clip(CLIP).script(turns=3)
    with organisation_token_service(streaming_server.http_url) as (url, minted):
        settings = StreamingSettings(api_host=streaming_server.url, token_url=url).validate()
        provider = resolve_for_cli(settings, env={})
        seen = Collector()
        source = open_media_source(AUDIO_DIR / CLIP, settings.chunk_ms, realtime=True)
        built = build_live_session(
            settings, source, provider, seen, timing=FAST, transcripts=tmp_path
        )
        streaming_server.config.faults = (FaultTrigger(Fault.DROP, after_turns=1),)
        running = Running(built)
        assert streaming_server.wait_for_sessions(1, timeout=10)
        streaming_server.config.faults = ()
        summary = running.finish(timeout=40)
    assert summary.failed is None and summary.connections == 2
    used = [
        r.headers.get("authorization") or r.query.get("token") for r in streaming_server.sessions()
    ]
    assert used == minted and len(set(minted)) == 2
    assert TEST_API_KEY not in used
    assert seen.finished_turns()
