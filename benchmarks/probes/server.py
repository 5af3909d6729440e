"""The local v3 server in a process of its own, so its CPU and its interpreter lock stay out
of the app's figures: ``python -m benchmarks.probes.server UPDATES_PER_S FRAMES_JSON``.

It plays turns of 10 words, one Turn message per word heard (plus the end of turn), at
``UPDATES_PER_S`` of audio, looping. It prints its URL, serves until stdin closes, then writes
each received audio frame's sha1 and ``time.monotonic()`` arrival (the same clock as the
app's on this host), and when each Turn message was sent, to ``FRAMES_JSON``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from tests.streaming_server import ServerConfig, StreamingServer, script_from_sentences

WORDS_PER_TURN = 10
TURNS = 200
BENCH_KEY = "bench-key"


def script(updates_per_s: float) -> object:
    """Every word ``1/updates_per_s`` long; a turn ends when the next one's first word is
    heard, so each turn gives WORDS_PER_TURN partials and one final."""
    word_ms = max(2, round(1000 / updates_per_s))
    sentences = [
        " ".join(f"w{t * WORDS_PER_TURN + i}" for i in range(WORDS_PER_TURN)) for t in range(TURNS)
    ]
    return script_from_sentences(
        sentences, word_ms=word_ms - 1, gap_ms=1, turn_gap_ms=word_ms, start_ms=100
    )


def _peak(pcm: bytes) -> int:
    """The frame's loudest sample (s16le): whether speech, not silence, reached the server."""
    import array

    samples = array.array("h", pcm[: len(pcm) // 2 * 2])
    return max((abs(x) for x in samples), default=0)


def main() -> int:
    updates_per_s, frames_path = float(sys.argv[1]), Path(sys.argv[2])
    config = ServerConfig(
        api_keys={BENCH_KEY},
        script=script(updates_per_s),  # type: ignore[arg-type]
        loop_script=True,
        max_session_seconds=3 * 3600.0,
    )
    with StreamingServer(config) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # until the parent closes it
        records = server.sessions()
        frames = [
            {
                "sha1": hashlib.sha1(f.data).hexdigest(),  # noqa: S324 - an id, not security
                "at": f.received_at,
                "session": n,
                "peak": _peak(f.data),
            }
            for n, record in enumerate(records)
            for f in record.frames()
        ]
        turns_sent = [
            m.sent_at for r in records for m in r.sent_records() if m.message.get("type") == "Turn"
        ]
    frames_path.write_text(json.dumps({"frames": frames, "turns_sent": turns_sent}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
