"""Every close and error code of the protocol doc (section 7), injected at random points.

Each code is sent by the local server on a live session, after a random amount of audio (from
right after Begin to mid-turn), with or without the Error frame that precedes it on the current
service; the real SDK reads it and the app must report it as the doc says: what kind of problem,
and whether it reconnects (and how soon), waits longer, or stops and asks for something. The
session must never hang: it keeps going after every retryable code and ends promptly after a
fatal one. The seed is printed; ``FAULT_SEED=<n>`` replays a run.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from caption_app.core.model.problems import ProblemKind, Recovery
from tests.faults.harness import Running, long_recording, looping_config, session, wait_for
from tests.streaming.harness import FAST
from tests.streaming_server.fixtures import running_server

pytestmark = pytest.mark.timeout(120)

K, R = ProblemKind, Recovery
RETRYABLE: list[tuple[int, str, ProblemKind, Recovery]] = [
    (3005, "Session Cancelled: An error occurred", K.NETWORK, R.RECONNECT),
    (3006, "Invalid Message Type: Hello", K.BAD_REQUEST, R.RECONNECT),
    (3006, "Invalid JSON: {", K.BAD_REQUEST, R.RECONNECT),
    (3006, "Invalid Message: []", K.BAD_REQUEST, R.RECONNECT),
    (
        3007,
        "Input duration violation: 20 ms. Expected between 50 and 1000 ms",
        K.BAD_REQUEST,
        R.RECONNECT,
    ),
    (
        3007,
        "Audio Transmission Rate Exceeded: Received 9.0 sec. audio in 3.0 sec",
        K.BAD_REQUEST,
        R.RECONNECT,
    ),
    (3008, "Session Expired: Maximum session duration exceeded", K.EXPIRED, R.RECONNECT_NOW),
    (3009, "Unauthorized Connection: Too many concurrent sessions", K.RATE_LIMIT, R.RETRY_LATER),
    (1008, "Unauthorized connection: Too many concurrent sessions", K.RATE_LIMIT, R.RETRY_LATER),
    (4031, "Session idle for too long", K.NETWORK, R.RECONNECT),
    # The SDK's table (doc 7.2): the v2 real-time codes it still knows.
    (4000, "Sample rate must be a positive integer", K.BAD_REQUEST, R.RECONNECT),
    (4004, "Session not found", K.NETWORK, R.RECONNECT),
    (4008, "Session Expired", K.EXPIRED, R.RECONNECT_NOW),
    (4010, "Session previously closed", K.NETWORK, R.RECONNECT),
    (4029, "Client sent audio too fast", K.BAD_REQUEST, R.RECONNECT),
    (4030, "Session is handled by another websocket", K.NETWORK, R.RECONNECT),
    (4032, "Audio duration is too short", K.BAD_REQUEST, R.RECONNECT),
    (4033, "Audio duration is too long", K.BAD_REQUEST, R.RECONNECT),
    (4034, "Audio too small to transcode", K.BAD_REQUEST, R.RECONNECT),
    (4100, "Endpoint received invalid JSON", K.BAD_REQUEST, R.RECONNECT),
    (4101, "Endpoint received a message with an invalid schema", K.BAD_REQUEST, R.RECONNECT),
    (4102, "This account has exceeded the number of allowed streams", K.RATE_LIMIT, R.RETRY_LATER),
    (4103, "The session has been reconnected", K.NETWORK, R.RECONNECT),
    (1013, "Temporary server condition", K.NETWORK, R.RECONNECT),
    (1011, "Internal error", K.NETWORK, R.RECONNECT),
]
FATAL: list[tuple[int, str, ProblemKind, Recovery]] = [
    (1008, "Unauthorized Connection: Missing Authorization header", K.AUTH, R.NEW_KEY),
    (1008, "Unauthorized Connection: Invalid API key or token", K.AUTH, R.NEW_KEY),
    (1008, "Unauthorized Connection: Insufficient balance", K.FUNDS, R.GIVE_UP),
    (1008, "Unauthorized Connection: Account disabled", K.REFUSED, R.GIVE_UP),
    (4001, "Not Authorized", K.AUTH, R.NEW_KEY),
    (4002, "Insufficient Funds", K.FUNDS, R.GIVE_UP),
    (4003, "This feature is paid-only and requires you to add a credit card", K.PLAN, R.GIVE_UP),
]
MAX_POINT_MS = 1000


def _rng() -> random.Random:
    seed = int(os.environ.get("FAULT_SEED", time.time_ns() % 2**32))
    print(f"\nFAULT_SEED={seed}")
    return random.Random(seed)


def test_every_retryable_code_is_reported_as_specified_and_the_session_goes_on(
    tmp_path: Path,
) -> None:
    rng = _rng()
    codes = RETRYABLE * 1
    rng.shuffle(codes)
    recording = long_recording(tmp_path, 60)
    with running_server(looping_config()) as server:
        built, seen = session(server.url, recording, tmp_path, timing=FAST)
        running = Running(built)
        injected: list[float] = []
        try:
            for index, (code, text, kind, recovery) in enumerate(codes):
                point = rng.randrange(0, MAX_POINT_MS)
                with_error = rng.random() < 0.7
                assert server.wait_until_audio_ms(point, 10, ref=index), (code, "no audio")
                wait_for(lambda n=index: len(seen.began) > n, 10, f"stream {index} to begin")
                injected.append(time.monotonic())
                server.fail(index, code, text, send_error=with_error)
                wait_for(lambda n=index: len(seen.problems) > n, 10, f"{code} to be reported")
                problem = seen.problems[index]
                where = f"{code} {text!r} at {point} ms, Error frame: {with_error}"
                assert (problem.kind, problem.recovery, problem.code) == (kind, recovery, code), (
                    where
                )
                # And the next connection opens: quickly for most, after the longer wait for
                # limits, at once for an expired session.
                server.wait_for_sessions(index + 2, 10)
        finally:
            stopped_in = running.stop()
    assert stopped_in < 5.0
    assert len(seen.problems) == len(codes)
    assert "failed" not in seen.state_names()
    waits = {
        code: server.session(i + 1).opened_at - at
        for i, ((code, *_), at) in enumerate(zip(codes, injected, strict=True))
    }
    slowest = max(waits, key=waits.__getitem__)
    print(f"{len(codes)} codes; slowest reconnect {waits[slowest]:.2f} s ({slowest})")


@pytest.mark.parametrize(
    "case", FATAL, ids=[f"{c}-{t.split(':')[-1].strip()}" for c, t, *_ in FATAL]
)
def test_each_fatal_code_ends_the_session_at_once_with_what_to_do(
    tmp_path: Path, case: tuple[int, str, ProblemKind, Recovery]
) -> None:
    code, text, kind, recovery = case
    rng = _rng()
    point = rng.randrange(0, MAX_POINT_MS)
    recording = long_recording(tmp_path, 10)
    with running_server(looping_config()) as server:
        built, seen = session(server.url, recording, tmp_path, timing=FAST)
        running = Running(built)
        try:
            assert server.wait_until_audio_ms(point, 10, ref=0)
            injected = time.monotonic()
            server.fail(0, code, text, send_error=rng.random() < 0.7)
            running.thread.join(10)
            ended_in = time.monotonic() - injected
        finally:
            running.stop()
        assert ended_in < 5.0, "the session did not end after a fatal code"
        assert len(server.sessions()) == 1  # never retried
    (problem,) = seen.problems
    assert (problem.kind, problem.recovery, problem.code) == (kind, recovery, code)
    assert seen.state_names()[-1] == "failed"
