"""Run the fake streaming service by hand: ``python -m tests.streaming_server --port 8765``.

Point the app (or the SDK) at it with ``api_host="ws://127.0.0.1:8765"`` and one of the keys.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from tests.streaming_server.config import AuthFailure, ServerConfig
from tests.streaming_server.script import (
    Script,
    ScriptTurn,
    ScriptWord,
    script_from_sentences,
)
from tests.streaming_server.server import StreamingServer

DEMO_SENTENCES = [
    "hi my name is sonny",
    "i am a voice agent",
    "these captions come from a local test server",
    "nothing you say is sent anywhere",
]


def load_script(path: Path) -> Script:
    """A ``.json`` list of turns (``{"words": [{"text", "start", "end", "formatted"?}],
    "speaker"?}``) or a text file with one sentence per line."""
    if path.suffix == ".json":
        turns = []
        for turn in json.loads(path.read_text()):
            words = tuple(
                ScriptWord(w["text"], int(w["start"]), int(w["end"]), w.get("formatted", ""))
                for w in turn["words"]
            )
            turns.append(ScriptTurn(words, speaker=turn.get("speaker")))
        return tuple(turns)
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return script_from_sentences(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.streaming_server", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key", action="append", dest="keys", help="accepted API key")
    parser.add_argument("--legacy-formatting", action="store_true")
    parser.add_argument("--script", type=Path, help="script file (.json or one sentence a line)")
    parser.add_argument("--no-loop", action="store_true", help="play the script only once")
    parser.add_argument("--auth-failure", choices=[m.value for m in AuthFailure], default="http")
    parser.add_argument("--rate-slack", type=float, default=1.5)
    args = parser.parse_args(argv)

    config = ServerConfig(
        api_keys=set(args.keys or ["test-key"]),
        script=load_script(args.script) if args.script else script_from_sentences(DEMO_SENTENCES),
        loop_script=not args.no_loop,
        legacy_formatting=args.legacy_formatting,
        auth_failure=AuthFailure(args.auth_failure),
        rate_slack_seconds=args.rate_slack,
    )
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with StreamingServer(config, port=args.port) as server:
        print(f"fake AssemblyAI streaming server on {server.url}")
        print(f"  keys: {', '.join(sorted(config.api_keys))}")
        print(f"  SDK: StreamingClientOptions(api_key=..., api_host={server.url!r})")
        print(f"  tokens: GET {server.http_url}/v3/token?expires_in_seconds=60")
        print("Ctrl+C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
