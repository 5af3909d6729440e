"""The local server killed with SIGKILL mid-session and started again on the same port.

The server is a process of its own (tests/failover/harness.py), so the kill is real: no close
frame, no Termination, the socket torn down by the kernel. The session (engine = assemblyai, the
production backoff) must notice, keep retrying while nothing listens, and caption again within
3 s of the server listening again, with every turn finished before the kill in the journal and
the audio after the last word before it sent again to the connection after it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from caption_app.core.model.gaps import GapReason
from caption_app.core.transcript.journal import read_journal
from tests.failover.harness import ServerProcess, free_port
from tests.faults.harness import Running, long_recording, session, wait_for

pytestmark = pytest.mark.timeout(90)
RESUME_LIMIT_S = 3.0
DOWN_S = 1.0
"""How long nothing listens before the restart begins (the restart itself takes about 1 s)."""


def test_a_killed_server_restarted_gets_captions_back_within_3_s_and_loses_no_turn(
    tmp_path: Path,
) -> None:
    server = ServerProcess(free_port())  # the demo script, looped: words keep coming
    server.start()
    recording = long_recording(tmp_path, 25)
    built, seen = session(server.url, recording, tmp_path)
    running = Running(built)
    try:
        wait_for(lambda: len(seen.finished_at) >= 2, 20, "two finished turns")
        before = dict(seen.finished_turns())
        server.kill()
        killed_at = time.monotonic()
        time.sleep(DOWN_S)
        server.start()
        returned_at = time.monotonic()
        wait_for(
            lambda: any(seen.started_at + at > returned_at for _, at in seen.words_at),
            15,
            "words after the restart",
        )
        resumed_at = min(
            seen.started_at + at for _, at in seen.words_at if seen.started_at + at > returned_at
        )
        finished = len(seen.finished_at)
        wait_for(lambda: len(seen.finished_at) > finished, 15, "a turn finished after it")
    finally:
        running.stop()
        server.kill()
    resume_s = resumed_at - returned_at
    print(
        f"\nkilled, listening again {returned_at - killed_at:.2f} s later; "
        f"captions {resume_s:.2f} s after that; {len(seen.began)} connections began"
    )
    assert resume_s <= RESUME_LIMIT_S

    # Said as a lost connection, then retried while refused, never given up on.
    states = seen.state_names()
    assert states.count("live") >= 2 and "failed" not in states
    assert seen.problems and seen.problems[0].kind.value == "network"
    # No finished turn lost: all of them, before the kill and after, are in the journal.
    document = read_journal(built.recorder.path).document
    journal = {t.key: t for t in document.turns}
    assert all(journal[key] == turn for key, turn in before.items())
    assert journal == seen.finished_turns()
    # The audio after the last word reported before the kill went again to the connection
    # after it, as far as the cloud takes a backlog (its lead and two seconds more): only what
    # lies before that is marked as not captioned, and never a word that was reported.
    last_word = max(t.end_ms for t in before.values())
    gaps = [g for g in document.gaps if g.reason == GapReason.RECONNECT]
    assert len(gaps) <= 1
    for gap in gaps:
        assert gap.start_ms >= last_word
        assert gap.end_ms - gap.start_ms >= (returned_at - killed_at) * 1000 - 3_500
