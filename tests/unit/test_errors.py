"""Every close/error code of the protocol doc maps to a message, an action and a recovery."""

from __future__ import annotations

import dataclasses

import pytest

from caption_app.cli_problems import CLI_ACTIONS, problem_line
from caption_app.core.engines.assemblyai.close_codes import classify
from caption_app.core.log_masking import masking_filter
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.ui.main_window.problem_text import GUI_ACTIONS


@pytest.mark.parametrize(
    ("code", "text", "recovery"),
    [
        (401, "WebSocket handshake rejected (HTTP 401)", Recovery.NEW_KEY),
        (1008, "Unauthorized Connection: Missing Authorization header", Recovery.NEW_KEY),
        (4001, "Not Authorized", Recovery.NEW_KEY),
        (4002, "Insufficient Funds", Recovery.GIVE_UP),
        (1008, "Unauthorized Connection: insufficient balance", Recovery.GIVE_UP),
        (4003, "This feature is paid-only and requires you to add a credit card", Recovery.GIVE_UP),
        (3009, "Too many concurrent sessions", Recovery.RETRY_LATER),
        (1008, "Unauthorized connection: Too many concurrent sessions", Recovery.RETRY_LATER),
        (3008, "Session expired: maximum session duration exceeded", Recovery.RECONNECT_NOW),
        (4008, "Session Expired", Recovery.RECONNECT_NOW),
        (3007, "Audio chunk duration violation", Recovery.RECONNECT),
        (4029, "Client sent audio too fast", Recovery.RECONNECT),
        (3006, "Input validation error", Recovery.RECONNECT),
        (3005, "Server error", Recovery.RECONNECT),
        (1006, "Connection closed (code=1006)", Recovery.RECONNECT),
        (1011, "internal error", Recovery.RECONNECT),
        (1013, "temporary server condition", Recovery.RECONNECT),
        (None, "Connection failed: [Errno 111] Connection refused", Recovery.RECONNECT),
        (1008, "Policy violation: account disabled", Recovery.GIVE_UP),
    ],
)
def test_codes_map_to_recovery(code: int | None, text: str, recovery: Recovery) -> None:
    problem = classify(code, text)
    assert problem.recovery is recovery
    assert problem.message.endswith(".") or problem.message.endswith(")")
    assert GUI_ACTIONS[problem.kind] and CLI_ACTIONS[problem.kind]


def test_chunking_faults_read_as_bugs_worth_reporting() -> None:
    problem = classify(3007, "Input duration violation: 20 ms. Expected between 50 and 1000 ms")
    assert "bug" in problem.message
    assert "report" in GUI_ACTIONS[problem.kind] and "report" in CLI_ACTIONS[problem.kind]


@pytest.mark.parametrize("code", [4000, 4034])
def test_audio_the_v2_table_calls_unusable_reads_as_a_bug_too(code: int) -> None:
    # "Sample rate must be a positive integer", "Audio too small to transcode": what we sent.
    assert classify(code, "Connection closed").kind is ProblemKind.BAD_REQUEST


def test_messages_never_echo_a_key_like_text() -> None:
    problem = classify(1008, "Unauthorized Connection: Missing Authorization header")
    assert "Authorization" not in problem.message


def test_server_text_that_quotes_a_secret_is_masked_before_it_is_shown() -> None:
    masking_filter().add_secret("sk-ERRORS-CANARY-0123456789")
    problem = classify(3005, "bad auth header sk-ERRORS-CANARY-0123456789 (Authorization: xyz)")
    assert "CANARY" not in problem.message and "xyz" not in problem.message


def test_the_command_line_says_it_gave_up_when_it_stops_retrying() -> None:
    """Without a network, `transcribe --engine assemblyai` printed the same "…Retrying…" line
    twice, the second as it exited."""
    unreachable = Problem(ProblemKind.UNREACHABLE, "Cannot reach x.invalid.", Recovery.RECONNECT)
    assert "Retrying" in problem_line(unreachable)
    last = problem_line(dataclasses.replace(unreachable, recovery=Recovery.GIVE_UP))
    assert last.startswith("Cannot reach x.invalid. Gave up;") and "Retrying" not in last
    limit = Problem(ProblemKind.RATE_LIMIT, "Too many sessions.", Recovery.GIVE_UP)
    assert problem_line(limit) == "Too many sessions. Gave up."


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (1006, "Connection closed: no close frame received or sent"),
        (None, "Connection closed unexpectedly"),
        (1011, "keepalive ping timeout"),
    ],
)
def test_a_connection_dropped_before_it_began_is_never_called_lost(
    code: int | None, text: str
) -> None:
    """Eighth walk Z7: behind a proxy that accepts, then closes, the notice flipped between
    "Cannot reach …" and "The connection … was lost", also at a first Start that had never
    connected."""
    before = classify(code, text, began=False, host="wss://streaming.example.com/v3/ws")
    assert before.kind is ProblemKind.UNREACHABLE
    assert before.message.startswith("Cannot reach streaming.example.com: "), before.message
    assert "lost" not in before.message
    after = classify(code, text, began=True)
    assert after.kind is ProblemKind.NETWORK and "was lost" in after.message


def test_a_close_the_server_chose_before_begin_is_not_called_unreachable() -> None:
    """The review: a server that answered and closed (1013 try again later) was reached."""
    problem = classify(1013, "Try again later", began=False, host="streaming.example.com")
    assert problem.kind is not ProblemKind.UNREACHABLE, problem
