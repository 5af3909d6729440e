"""What the cloud bills, as the History shows it: every connection's open time, a dropped one
included (third walk A6: a connection the network dropped, with no Termination to state its
time, counted nothing)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from caption_app.core.transcript.journal import read_journal
from tests.faults.harness import Running, long_recording, looping_config, session, wait_for
from tests.streaming_server.config import Fault
from tests.streaming_server.fixtures import running_server


def test_a_dropped_cloud_connection_is_billed_for_the_time_it_was_open(tmp_path: Path) -> None:
    recording = long_recording(tmp_path, 60)
    with running_server(looping_config()) as server:
        built, _seen = session(server.url, recording, tmp_path)
        running = Running(built)
        try:
            wait_for(lambda: len(server.sessions()) >= 1, 20, "the first connection")
            time.sleep(5.0)
            server.inject(0, Fault.DROP)  # no close frame, no Termination
            dropped_at = time.monotonic()
            wait_for(lambda: len(server.sessions()) >= 2, 20, "the reconnect")
            time.sleep(3.0)
        finally:
            running.stop()
        records = server.sessions()
        first_open_s = dropped_at - records[0].opened_at
        second_open_s = time.monotonic() - records[1].opened_at
    billed = read_journal(built.recorder.path).document.billed_audio_s
    print(f"\nbilled {billed} s; open {first_open_s:.2f} s (dropped) + {second_open_s:.2f} s")
    assert billed is not None
    # The dropped one counts from its Begin to the drop as the session saw it (within a
    # second of the server's own clock); the other as its Termination states (whole seconds).
    assert billed == pytest.approx(first_open_s + second_open_s, abs=2.0)
    assert billed > first_open_s + 1.0  # both connections, not only the one that terminated
