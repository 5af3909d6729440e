"""The fake streaming service, driven by the real assemblyai 1.8.2 SDK (and a raw WebSocket
where the SDK cannot express the case), checked against the protocol notes."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError

import pydantic
import pytest
from assemblyai.streaming.v3 import (
    Encoding,
    SpeechModel,
    StreamingClient,
    StreamingClientOptions,
    StreamingErrorCodes,
    StreamingParameters,
    StreamingSessionParameters,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from tests.streaming_server import (
    AuthFailure,
    Fault,
    FaultTrigger,
    SpeakerRelabel,
    StreamingServer,
    script_from_reference,
    script_from_sentences,
)
from tests.streaming_server.clips import Clip, chunks, load_clip, paced
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.query import ParamError, SessionParams, parse_query
from tests.streaming_server.recognizer import ScriptedRecognizer, recognizer_for
from tests.streaming_server.sdk_events import EventLog

CHUNK_MS = 50
CLIP: Clip = load_clip("librivox-austen-0880.wav")
SONNY = "Hi, my name is Sonny."


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as started:
        yield started


def clip_chunks(ms: int, chunk_ms: int = CHUNK_MS) -> list[bytes]:
    """The first ``ms`` of a real recording in ``chunk_ms`` pieces."""
    n_bytes = CLIP.sample_rate * 2 * ms // 1000
    return chunks(CLIP.pcm[:n_bytes], CLIP.sample_rate, chunk_ms)


def params(**overrides: object) -> StreamingParameters:
    fields: dict[str, object] = {
        "sample_rate": 16000,
        "encoding": Encoding.pcm_s16le,
        "speech_model": SpeechModel.universal_streaming_english,
    }
    fields.update(overrides)
    return StreamingParameters(**fields)  # type: ignore[arg-type]


@contextmanager
def sdk_client(
    server: StreamingServer,
    log: EventLog,
    *,
    api_key: str | None = TEST_API_KEY,
    token: str | None = None,
) -> Iterator[StreamingClient]:
    """A real SDK client with every event recorded; always disconnected afterwards."""
    options = StreamingClientOptions(api_key=api_key, token=token, api_host=server.url)
    client = StreamingClient(options)
    log.attach(client)
    try:
        yield client
    finally:
        client.disconnect()


def with_actions(pieces: list[bytes], actions: dict[int, Callable[[], None]]) -> Iterator[bytes]:
    """Paced chunks; ``actions[i]`` runs right after chunk ``i`` is handed to the SDK, so its
    control message is queued behind exactly that much audio."""
    for index, piece in enumerate(paced(pieces, CHUNK_MS)):
        yield piece
        if index in actions:
            actions[index]()


@contextmanager
def raw_socket(
    server: StreamingServer, query: str = "sample_rate=16000"
) -> Iterator[ClientConnection]:
    with ws_connect(
        f"{server.url}/v3/ws?{query}",
        additional_headers={"Authorization": TEST_API_KEY},
        open_timeout=2,
    ) as ws:
        yield ws


def recv_json(ws: ClientConnection) -> dict[str, object]:
    message = json.loads(ws.recv(timeout=3))
    assert isinstance(message, dict)
    return message


def sent_before_control(
    server: StreamingServer, predicate: Callable[[dict[str, object]], bool], control: str
) -> bool:
    """Whether the server sent a message matching ``predicate`` before receiving ``control``."""
    record = server.session()
    received = [c.received_at for c in record.controls() if c.message.get("type") == control]
    sent = [s.sent_at for s in record.sent_records() if predicate(s.message)]
    return bool(received and sent) and sent[0] < received[0]


# -- handshake and Begin ---------------------------------------------------------------------


def test_begin_echoes_configuration_and_the_query_is_read_as_the_sdk_sends_it(
    server: StreamingServer,
) -> None:
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(
            params(
                format_turns=True,
                keyterms_prompt=["AssemblyAI", "Sonny Bono"],
                min_turn_silence=160,
                speaker_labels=True,
            )
        )
        assert log.wait_for("Begin")
        client.disconnect(terminate=True)

    begin = log.of("Begin")[0]
    assert uuid.UUID(begin.id).version == 4
    expected_expiry = datetime.now(UTC) + timedelta(seconds=10800)
    assert abs((begin.expires_at - expected_expiry).total_seconds()) < 5
    assert begin.configuration.model == "universal-streaming-english"

    record = server.session()
    assert record.path == "/v3/ws"
    assert record.headers["authorization"] == TEST_API_KEY  # raw key, no "Bearer"
    assert record.query["format_turns"] == "True"  # Python's spelling, read case-insensitively
    assert record.params.format_turns is True
    assert record.params.speaker_labels is True
    assert record.params.keyterms_prompt == ["AssemblyAI", "Sonny Bono"]
    assert record.params.min_turn_silence == 160
    assert record.control_types() == ["Terminate"]
    assert log.of("Termination")[0].audio_duration_seconds == 0
    assert record.close == (1000, "")


# -- transcripts -------------------------------------------------------------------------------


def test_turns_grow_word_by_word_and_the_server_records_the_paced_audio(
    server: StreamingServer,
) -> None:
    clip = load_clip("goforward.wav")
    server.config.script = clip.script()
    pieces = chunks(clip.pcm, clip.sample_rate, CHUNK_MS)
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params())
        client.stream(paced(pieces, CHUNK_MS))
        client.disconnect(terminate=True)

    words = clip.reference.split()
    turns = log.of("Turn")
    partials = [t for t in turns if not t.end_of_turn]
    assert [len(t.words) for t in partials] == list(range(1, len(words) + 1))
    for turn in partials:
        assert [w.word_is_final for w in turn.words] == [True] * (len(turn.words) - 1) + [False]
        assert turn.transcript == " ".join(w.text for w in turn.words[:-1])
        assert (turn.turn_order, turn.turn_is_formatted) == (0, False)
    (final,) = [t for t in turns if t.end_of_turn]
    assert final.transcript == clip.reference
    assert all(w.word_is_final for w in final.words)
    assert all(0 <= w.start < w.end <= clip.duration_ms for w in final.words)

    record = server.session()
    utterances = [m["utterance"] for m in record.sent("Turn")]
    assert utterances == [""] * len(partials) + [clip.reference]
    # The last word ended less than max_turn_silence before the audio did: Terminate flushed it.
    assert not sent_before_control(server, lambda m: m.get("end_of_turn") is True, "Terminate")

    termination = log.of("Termination")[0]
    assert termination.audio_duration_seconds == round(len(pieces) * CHUNK_MS / 1000)
    assert isinstance(termination.session_duration_seconds, int)
    assert log.names()[-1] == "Termination"

    assert record.audio_bytes() == b"".join(pieces)
    frames = record.frames()
    assert [f.duration_ms for f in frames] == [CHUNK_MS] * len(pieces)
    span = frames[-1].received_at - frames[0].received_at
    assert span >= (len(frames) - 1) * CHUNK_MS / 1000 - 0.1, "audio arrived faster than real time"


@pytest.mark.parametrize(
    ("legacy", "format_turns"),
    [(True, True), (False, True), (False, False)],
    ids=["legacy-two-message", "inline", "unformatted"],
)
def test_formatting_sequences(server: StreamingServer, legacy: bool, format_turns: bool) -> None:
    server.config.script = script_from_sentences([SONNY], word_ms=100, gap_ms=20, start_ms=100)
    server.config.legacy_formatting = legacy
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params(format_turns=format_turns, max_turn_silence=300))
        client.stream(paced(clip_chunks(1200), CHUNK_MS))  # the turn ends on silence at 980 ms
        client.disconnect(terminate=True)

    turns = log.of("Turn")
    assert {t.turn_order for t in turns} == {0}
    partials = [t for t in turns if not t.end_of_turn]
    ends = [t for t in turns if t.end_of_turn]
    shape = [(t.end_of_turn, t.turn_is_formatted) for t in turns]
    if legacy:
        assert shape == [(False, False)] * 5 + [(True, False), (True, True)]
        assert [t.transcript for t in ends] == ["hi my name is sonny", SONNY]
        assert ends[0].end_of_turn_confidence == ends[1].end_of_turn_confidence
        assert [m["utterance"] for m in server.session().sent("Turn")[-2:]] == [
            "hi my name is sonny",
            "",
        ]
    elif format_turns:
        assert shape == [(False, True)] * 5 + [(True, True)]
        assert [t.transcript for t in partials] == [
            "",
            "Hi,",
            "Hi, my",
            "Hi, my name",
            "Hi, my name is",
        ]
        assert [w.text for w in ends[0].words] == SONNY.split()
        assert ends[0].transcript == SONNY
    else:
        assert shape == [(False, False)] * 5 + [(True, False)]
        assert [t.transcript for t in partials][-1] == "hi my name is"
        assert ends[0].transcript == "hi my name is sonny"
    assert sent_before_control(server, lambda m: m.get("end_of_turn") is True, "Terminate")


def test_speaker_labels_language_and_speaker_revision_before_termination(
    server: StreamingServer,
) -> None:
    server.config.script = script_from_sentences(
        ["hello there", "general kenobi"],
        word_ms=500,  # turns of over a second: below that the service says "UNKNOWN"
        gap_ms=20,
        turn_gap_ms=400,
        start_ms=100,
        speakers=["A", "B"],
    )
    server.config.speaker_revisions = (SpeakerRelabel(turn_order=0, speaker_label="C"),)
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params(speaker_labels=True, language_detection=True, max_turn_silence=300))
        client.stream(paced(clip_chunks(3300), CHUNK_MS))
        client.disconnect(terminate=True)

    turns = log.of("Turn")
    assert [t.speaker_label for t in turns if t.end_of_turn] == ["A", "B"]
    assert turns[0].speaker_label == "UNKNOWN"  # the first partial: under a second heard
    for turn in turns:
        assert all((w.speaker is not None) == w.word_is_final for w in turn.words)
        assert (turn.language_code == "en") == turn.end_of_turn
    names = log.names()
    assert names[-2:] == ["SpeakerRevision", "Termination"]
    (revision,) = log.of("SpeakerRevision")[0].revisions
    assert (revision.turn_order, revision.speaker_label) == (0, "C")
    assert [(w.text, w.speaker) for w in revision.words] == [("hello", "C"), ("there", "C")]


# -- control messages ------------------------------------------------------------------------


def test_force_endpoint_ends_the_turn_with_the_words_heard_so_far(server: StreamingServer) -> None:
    sentence = "one two three four five six"
    server.config.script = script_from_sentences([sentence], word_ms=150, gap_ms=0, start_ms=100)
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params())  # max_turn_silence stays 1280: only ForceEndpoint ends turn 0
        actions = {11: client.force_endpoint}  # after 600 ms: words ending at 250/400/550 heard
        client.stream(with_actions(clip_chunks(1300), actions))
        client.disconnect(terminate=True)

    ends = [t for t in log.of("Turn") if t.end_of_turn]
    assert [(t.turn_order, t.transcript) for t in ends] == [
        (0, "one two three"),
        (1, "four five six"),
    ]
    assert server.session().control_types() == ["ForceEndpoint", "Terminate"]


def test_update_configuration_is_merged_without_a_reply(server: StreamingServer) -> None:
    server.config.script = script_from_sentences(["hello there friend"], word_ms=150, start_ms=100)
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params())
        update = StreamingSessionParameters(max_turn_silence=300, keyterms_prompt=["Sonny"])
        actions = {1: lambda: client.set_params(update), 2: client.keep_alive}
        client.stream(with_actions(clip_chunks(1300), actions))
        client.disconnect(terminate=True)

    record = server.session()
    assert record.control_types() == ["UpdateConfiguration", "KeepAlive", "Terminate"]
    assert record.config_updates() == [{"max_turn_silence": 300, "keyterms_prompt": ["Sonny"]}]
    assert (record.params.max_turn_silence, record.params.keyterms_prompt) == (300, ["Sonny"])
    assert set(record.sent_types()) == {"Begin", "Turn", "Termination"}
    # The words end at 550 ms: with 300 ms the turn ends at 850 ms, before the audio runs out.
    assert sent_before_control(server, lambda m: m.get("end_of_turn") is True, "Terminate")
    assert [t.transcript for t in log.of("Turn") if t.end_of_turn] == ["hello there friend"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "Invalid JSON: not json"),
        ("[]", "Invalid Message: []"),
        ('{"terminate_session": true}', 'Invalid Message: {"terminate_session": true}'),
        ('{"type": "Bogus"}', "Invalid Message Type: Bogus"),
        ("x" * 200, "Invalid JSON: " + "x" * 200),
    ],
    ids=["not-json", "not-object", "v2-message", "unknown-type", "long-reason"],
)
def test_invalid_text_frames_close_with_3006(
    server: StreamingServer, text: str, expected: str
) -> None:
    with raw_socket(server) as ws:
        assert recv_json(ws)["type"] == "Begin"
        ws.send(text)
        assert recv_json(ws) == {"type": "Error", "error_code": 3006, "error": expected}
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=3)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 3006
    reason = expected if len(expected.encode()) <= 123 else "See Error message for details"
    assert closed.value.rcvd.reason == reason


# -- audio limits ----------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_ms", [20, 1200])
def test_chunk_outside_50_to_1000_ms_is_rejected_with_3007(
    server: StreamingServer, chunk_ms: int
) -> None:
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params())
        client.stream(clip_chunks(chunk_ms, chunk_ms)[0])
        assert log.wait_for("Error")
    (error,) = log.of("Error")
    message = f"Input duration violation: {chunk_ms} ms. Expected between 50 and 1000 ms"
    assert (error.code, str(error)) == (3007, message)
    assert server.session().close == (3007, message)


def test_audio_faster_than_real_time_is_rejected_with_3007(server: StreamingServer) -> None:
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params())
        client.stream(clip_chunks(3000))  # 60 chunks at once
        assert log.wait_for("Error")
    (error,) = log.of("Error")
    assert error.code == 3007
    match = re.fullmatch(
        r"Audio Transmission Rate Exceeded: Received ([\d.]+) sec\. audio in ([\d.]+) sec",
        str(error),
    )
    assert match is not None, str(error)
    received, elapsed = float(match[1]), float(match[2])
    assert received > elapsed + server.config.rate_slack_seconds - 0.1
    assert server.session().audio_ms() < 3000  # refused before the whole burst


# -- authentication and tokens ----------------------------------------------------------------


@pytest.mark.parametrize("mode", list(AuthFailure))
def test_bad_key_reaches_on_error_in_both_auth_failure_modes(
    server: StreamingServer, mode: AuthFailure
) -> None:
    server.config.auth_failure = mode
    log = EventLog()
    with sdk_client(server, log, api_key="wrong-key") as client:
        client.connect(params())
        assert log.wait_for("Error")
    (error,) = log.of("Error")
    assert "Begin" not in log.names()
    if mode is AuthFailure.HTTP_401:
        assert (error.code, str(error)) == (401, "WebSocket handshake rejected (HTTP 401)")
        assert server.rejected_handshakes()[0].headers["authorization"] == "wrong-key"
        assert server.sessions() == []
    else:
        assert (error.code, str(error)) == (
            1008,
            "Unauthorized Connection: Invalid API key or token",
        )
        assert server.session().close == (1008, str(error))


def get_token(
    server: StreamingServer, query: str, key: str | None = TEST_API_KEY
) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": key} if key else {}
    request = urllib.request.Request(f"{server.http_url}/v3/token?{query}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return response.status, json.load(response)
    except HTTPError as error:
        with error:
            return error.code, json.load(error)


@pytest.mark.parametrize(
    ("query", "key", "status"),
    [
        ("expires_in_seconds=60", TEST_API_KEY, 200),
        ("expires_in_seconds=1&max_session_duration_seconds=60", TEST_API_KEY, 200),
        ("expires_in_seconds=600&max_session_duration_seconds=10800", TEST_API_KEY, 200),
        ("expires_in_seconds=0", TEST_API_KEY, 400),
        ("expires_in_seconds=601", TEST_API_KEY, 400),
        ("expires_in_seconds=ten", TEST_API_KEY, 400),
        ("", TEST_API_KEY, 400),
        ("expires_in_seconds=60&max_session_duration_seconds=59", TEST_API_KEY, 400),
        ("expires_in_seconds=60&max_session_duration_seconds=10801", TEST_API_KEY, 400),
        ("expires_in_seconds=60", "wrong-key", 401),
        ("expires_in_seconds=60", None, 401),
    ],
)
def test_token_endpoint_validation(
    server: StreamingServer, query: str, key: str | None, status: int
) -> None:
    code, body = get_token(server, query, key)
    assert code == status
    if status == 200:
        assert isinstance(body["token"], str) and body["token"]
        assert body["expires_in_seconds"] == int(query.split("&", maxsplit=1)[0].split("=")[1])
    else:
        assert isinstance(body["error"], str)


def test_tokens_are_single_use_and_cap_the_session(server: StreamingServer) -> None:
    _, body = get_token(server, "expires_in_seconds=60&max_session_duration_seconds=120")
    token = str(body["token"])
    log = EventLog()
    with sdk_client(server, log, api_key=None, token=token) as client:
        client.connect(params())
        assert log.wait_for("Begin")
        client.disconnect(terminate=True)
    expires_in = (log.of("Begin")[0].expires_at - datetime.now(UTC)).total_seconds()
    assert 115 < expires_in <= 121
    assert server.session().headers["authorization"] == token

    reuse = EventLog()
    with sdk_client(server, reuse, api_key=None, token=token) as client:
        client.connect(params())
        assert reuse.wait_for("Error")
    assert reuse.of("Error")[0].code == 401

    # Browsers and the JS SDK pass the token as a query parameter instead.
    _, body = get_token(server, "expires_in_seconds=60")
    with ws_connect(f"{server.url}/v3/ws?sample_rate=16000&token={body['token']}") as ws:
        assert recv_json(ws)["type"] == "Begin"


# -- session limits and faults ---------------------------------------------------------------


def test_session_expiry_sends_3008(server: StreamingServer) -> None:
    server.config.max_session_seconds = 1.0
    log = EventLog()
    with sdk_client(server, log) as client:
        started = time.monotonic()
        client.connect(params())
        assert log.wait_for("Error", timeout=4)
        waited = time.monotonic() - started
    assert log.of("Error")[0].code == 3008
    assert 0.9 <= waited < 3


def test_inactivity_timeout_is_reset_by_keep_alive(server: StreamingServer) -> None:
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params(inactivity_timeout=1))
        started = time.monotonic()
        for _ in range(2):
            time.sleep(0.6)  # the stimulus: activity every 0.6 s, under the 1 s timeout
            client.keep_alive()  # type: ignore[no-untyped-call]  # untyped in SDK 1.8.2
        assert log.wait_for("Error", timeout=4)
        waited = time.monotonic() - started
    (error,) = log.of("Error")
    assert (error.code, str(error)) == (4031, "Session idle for too long")
    assert waited >= 2.1


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        (Fault.SERVER_ERROR, 3005, "Session Cancelled: An error occurred"),
        # Without an Error frame the SDK shows its own table text, not the close reason.
        (Fault.SERVER_ERROR_CLOSE_ONLY, 3005, StreamingErrorCodes[3005]),
        (Fault.EXPIRE, 3008, "Session Expired: Maximum session duration exceeded"),
        (Fault.CONCURRENCY_3009, 3009, "Unauthorized Connection: Too many concurrent sessions"),
        (Fault.CONCURRENCY_1008, 1008, "Unauthorized connection: Too many concurrent sessions"),
        (Fault.DROP, 1006, "Connection closed (code=1006)"),
        (Fault.BARE_ERROR, None, "Something went wrong"),
    ],
    ids=lambda v: v.name if isinstance(v, Fault) else None,
)
def test_injected_fatal_faults_reach_on_error_once(
    server: StreamingServer, fault: Fault, code: int | None, message: str
) -> None:
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params())
        assert log.wait_for("Begin")
        server.inject(None, fault)
        assert log.wait_for("Error")
    errors = log.of("Error")
    assert [(e.code, str(e)) for e in errors] == [(code, message)]
    if fault is Fault.DROP:
        assert server.session().close == (1006, "connection dropped by the server")


def test_non_fatal_messages_reach_the_sdk_and_the_session_goes_on(server: StreamingServer) -> None:
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params())
        assert log.wait_for("Begin")
        for fault in (Fault.WARNING, Fault.HEARTBEAT, Fault.UNKNOWN_TYPE):
            server.inject(None, fault)
        assert log.wait_for("Heartbeat")
        client.disconnect(terminate=True)
    assert log.names() == ["Begin", "Warning", "Heartbeat", "Termination"]
    assert log.of("Warning")[0].warning_code == 1234
    assert server.session().sent_types()[3] == "FutureEvent"


def test_session_heartbeat_parameter_turns_on_periodic_heartbeats(server: StreamingServer) -> None:
    server.config.heartbeat_interval_seconds = 0.2
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params(session_heartbeat=True))
        assert log.wait_for("Heartbeat", count=2, timeout=3)
        client.disconnect(terminate=True)
    assert all(h.total_duration_ms >= 0 for h in log.of("Heartbeat"))


def test_scheduled_faults_fire_at_audio_time_and_after_turns(server: StreamingServer) -> None:
    server.config.script = script_from_sentences(
        ["first turn", "second turn"], word_ms=100, gap_ms=0, turn_gap_ms=400, start_ms=300
    )
    server.config.faults = (
        FaultTrigger(Fault.WARNING, at_audio_ms=200),
        FaultTrigger(Fault.SERVER_ERROR, after_turns=1),
    )
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params(max_turn_silence=300))
        client.stream(paced(clip_chunks(1500), CHUNK_MS))
        assert log.wait_for("Error")
    names = log.names()
    assert names == ["Begin", "Warning", "Turn", "Turn", "Turn", "Error"]
    assert [t.transcript for t in log.of("Turn") if t.end_of_turn] == ["first turn"]
    assert log.of("Error")[0].code == 3005


def test_malformed_turn_silently_kills_the_sdk_read_thread(
    server: StreamingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashes: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    server.config.script = script_from_sentences([SONNY], word_ms=100, gap_ms=20, start_ms=100)
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(params(max_turn_silence=300))
        assert log.wait_for("Begin")
        server.inject(None, Fault.MALFORMED_TURN)
        client.stream(paced(clip_chunks(1200), CHUNK_MS))
        # The server answered the malformed Turn and then the whole scripted turn.
        assert server.session().wait_for_sent("Turn", count=1 + 6, timeout=3)
        client.disconnect(terminate=True)

    # No Turn, no Error, no Termination reached the handlers. (With the read thread dead,
    # disconnect(terminate=True) sets stop at once, so the write thread may even drop the last
    # queued audio and the Terminate itself: SDK 1.8.2 behaviour, not asserted here.)
    assert log.names() == ["Begin"]
    assert [c.exc_type for c in crashes] == [pydantic.ValidationError]


def test_concurrency_limit_refuses_the_extra_session(server: StreamingServer) -> None:
    server.config.max_concurrent_sessions = 1
    with raw_socket(server) as first:
        assert recv_json(first)["type"] == "Begin"
        with raw_socket(server) as second:
            assert recv_json(second) == {
                "type": "Error",
                "error_code": 3009,
                "error": "Unauthorized Connection: Too many concurrent sessions",
            }
            with pytest.raises(ConnectionClosed) as closed:
                second.recv(timeout=3)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 3009


def test_missing_key_in_close_mode_names_the_missing_header(server: StreamingServer) -> None:
    server.config.auth_failure = AuthFailure.CLOSE_1008
    with ws_connect(f"{server.url}/v3/ws?sample_rate=16000") as ws:
        error = recv_json(ws)
    assert error == {
        "type": "Error",
        "error_code": 1008,
        "error": "Unauthorized Connection: Missing Authorization header",
    }


# -- pure helpers ------------------------------------------------------------------------------


def test_query_parsing_follows_the_wire_rules() -> None:
    parsed, raw = parse_query(
        "format_turns=TRUE&speaker_labels=false&keyterms_prompt=%5B%22Sonny+Bono%22%5D"
        "&min_end_of_turn_silence_when_confident=100&mystery=1&inactivity_timeout=30"
    )
    assert (parsed.format_turns, parsed.speaker_labels) == (True, False)
    assert parsed.keyterms_prompt == ["Sonny Bono"]
    assert parsed.min_turn_silence == 100
    assert parsed.inactivity_timeout == 30
    assert parsed.other == {"mystery": "1"}
    assert raw["keyterms_prompt"] == ["Sonny Bono"]
    assert parse_query("keyterms_prompt=a&keyterms_prompt=b+c")[0].keyterms_prompt == ["a", "b c"]
    with pytest.raises(ParamError):
        parse_query("format_turns=maybe")


def test_script_helpers_place_words_on_the_audio_timeline() -> None:
    (turn,) = script_from_sentences(["hi my name is sonny"], word_ms=100, gap_ms=20, start_ms=100)
    assert turn.text == "hi my name is sonny"
    assert turn.formatted_text == "Hi my name is sonny."
    assert [(w.start_ms, w.end_ms) for w in turn.words][:2] == [(100, 200), (220, 320)]
    (kept,) = script_from_sentences([SONNY])
    assert (kept.text, kept.formatted_text) == ("hi my name is sonny", SONNY)

    turns = script_from_reference(CLIP.reference, CLIP.duration_ms, turns=2, turn_gap_ms=300)
    assert " ".join(t.text for t in turns) == CLIP.reference
    assert turns[0].words[0].start_ms == 150
    assert turns[-1].end_ms == CLIP.duration_ms - 150
    assert turns[1].words[0].start_ms - turns[0].end_ms == 300


def test_universal_3_pro_sequence(server: StreamingServer) -> None:
    """Protocol doc 5.4: SpeechStarted first, one early partial (all words non-final, the
    whole text so far ending in an em dash), then a formatted end of turn with confidence 1,
    whatever ``format_turns`` says."""
    server.config.script = script_from_sentences([SONNY], word_ms=200, gap_ms=20, start_ms=100)
    log = EventLog()
    with sdk_client(server, log) as client:
        client.connect(
            params(speech_model=SpeechModel.u3_rt_pro, format_turns=False, max_turn_silence=300)
        )
        client.stream(paced(clip_chunks(1600), CHUNK_MS))  # the turn ends on silence at 1480 ms
        client.disconnect(terminate=True)

    assert log.of("Begin")[0].configuration.mode == "balanced"
    names = [n for n in log.names() if n in ("SpeechStarted", "Turn")]
    assert names == ["SpeechStarted", "Turn", "Turn"]
    assert log.of("SpeechStarted")[0].timestamp == 100
    partial, end = log.of("Turn")
    assert (partial.end_of_turn, partial.turn_is_formatted) == (False, False)
    assert partial.end_of_turn_confidence == 0
    assert partial.transcript == "hi my name is—"
    assert not any(w.word_is_final for w in partial.words)
    assert (end.end_of_turn, end.turn_is_formatted, end.end_of_turn_confidence) == (True, True, 1)
    assert end.transcript == SONNY and all(w.word_is_final for w in end.words)
    assert server.session().sent("Turn")[-1]["utterance"] == SONNY


def test_universal_3_pro_sends_one_partial_per_pause_inside_a_turn() -> None:
    session = SessionParams(speech_model="u3-rt-pro")
    script = script_from_sentences(["one two three four five six"], word_ms=200, gap_ms=400)
    recognizer = recognizer_for(script, lambda: session, legacy_formatting=True)
    messages = recognizer.advance(script[-1].end_ms + session.max_turn_silence)
    assert [m["type"] for m in messages] == ["SpeechStarted"] + ["Turn"] * 5
    turns = messages[1:]
    # The early partial once 750 ms of speech are heard, then one per pause; no legacy repeat.
    assert [m["transcript"] for m in turns] == [
        "one two—",
        "one two three—",
        "one two three four—",
        "one two three four five—",
        "One two three four five six.",
    ]
    assert [m["end_of_turn"] for m in turns] == [False] * 4 + [True]


def test_recognizer_ends_a_turn_when_the_next_one_starts_and_can_loop_the_script() -> None:
    session = SessionParams()  # max_turn_silence 1280 ms, longer than the 300 ms turn gap
    script = script_from_sentences(["a b", "c d"], word_ms=100, gap_ms=0, turn_gap_ms=300)
    recognizer = ScriptedRecognizer(script, lambda: session, legacy_formatting=False)
    messages = recognizer.advance(script[1].words[0].end_ms)
    assert [(m["turn_order"], m["end_of_turn"], m["transcript"]) for m in messages] == [
        (0, False, ""),
        (0, False, "a"),
        (0, True, "a b"),
        (1, False, ""),
    ]

    looping = ScriptedRecognizer(script, lambda: session, legacy_formatting=False, loop_script=True)
    ends = [m["transcript"] for m in looping.advance(20_000) if m["end_of_turn"]]
    assert len(ends) > len(script)
    assert ends[:4] == ["a b", "c d", "a b", "c d"]
