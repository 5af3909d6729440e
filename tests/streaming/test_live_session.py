"""The live session, end to end: real SDK, real media decoding, the local protocol server."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from caption_app.core.engines.assemblyai.engine import REALTIME_LEAD_S
from caption_app.core.model.problems import Recovery
from caption_app.core.model.session import SessionEnded, SessionState
from caption_app.core.model.turns import UpdateKind
from caption_app.core.streaming.builder import BuiltSession
from caption_app.core.transcript.journal import read_journal
from tests.local_engine.speech import normalise
from tests.streaming.harness import FAST, Collector, Running, build, run_to_end
from tests.streaming_server.clips import load_clip
from tests.streaming_server.config import AuthFailure, Fault, FaultTrigger
from tests.streaming_server.heard import HeardAudio
from tests.streaming_server.server import StreamingServer

CLIP = "librivox-austen-0880.wav"  # 3 s: "he was not an ill disposed young man"
LONG_CLIP = "librivox-austen-0870.wav"  # 7.1 s


def _once(server: StreamingServer, built: BuiltSession, *faults: FaultTrigger) -> SessionEnded:
    """Run with ``faults`` scheduled in the first connection only (triggers fire per session)."""
    server.config.faults = faults
    running = Running(built)
    server.wait_for_sessions(1, timeout=10)
    server.config.faults = ()
    return running.finish(timeout=40)


def _assert_every_word_once(seen: Collector, expected: list[str]) -> None:
    """Every word of the recording the service heard is in our transcript, once, in order:
    judged against the recording's words, not the service's own (a service cannot report
    speech it never heard, nor tell that it heard it twice)."""
    ours = " ".join(t.text for t in seen.finished_turns().values())
    assert normalise(ours) == normalise(" ".join(expected))


def _hear(server: StreamingServer, clip: str, turns: int) -> list[str]:
    """The server hears the clip's reference where its audio carries it, whichever connection
    got that audio; returns the formatted turn texts."""
    loaded = load_clip(clip)
    script = loaded.script(turns=turns)
    server.config.heard = HeardAudio.of(loaded.pcm, script)
    return [t.formatted_text for t in script]


def _script(server: StreamingServer, clip: str, turns: int) -> list[str]:
    """Script the server with the clip's reference; returns the formatted turn texts."""
    script = load_clip(clip).script(turns=turns)
    server.config.script = script
    return [t.formatted_text for t in script]


def test_inline_formatting_and_exact_audio(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    expected = _script(streaming_server, CLIP, turns=1)
    built, seen = build(streaming_server.url, CLIP, tmp_path)
    summary = run_to_end(built)
    assert summary.failed is None
    final = seen.finished_turns()
    assert [t.text for t in final.values()] == expected
    assert all(t.formatted and not t.interrupted for t in final.values())
    assert not [u for u in seen.updates if u.kind is UpdateKind.REPLACED]
    # Words grew live, with a non-final tail, before the turn ended.
    live = [u.turn for u in seen.updates if u.kind is UpdateKind.LIVE]
    assert len(live) >= 3 and any(t.tail for t in live)
    # The server got exactly the file's samples, in 50 ms chunks, at real-time pace: what
    # was read while the connection opened (off the pump) goes first, never more than the
    # engine's lead ahead of real time.
    record = streaming_server.session(0)
    pcm = load_clip(CLIP).pcm
    audio = record.audio_bytes()
    assert audio[: len(pcm)] == pcm and set(audio[len(pcm) :]) <= {0}
    frames = record.frames()
    assert {f.duration_ms for f in frames} == {50.0}
    first = frames[0].received_at
    for index, frame in enumerate(frames):
        assert frame.received_at - first >= (index + 1) * 0.05 - REALTIME_LEAD_S - 0.1
    span = frames[-1].received_at - first
    assert span <= record.audio_ms() / 1000 + 0.15
    assert record.params.format_turns is True and record.params.sample_rate == 16000
    assert record.headers["authorization"] == "test-key"
    assert "Terminate" in record.control_types()
    assert summary.audio_s == pytest.approx(record.audio_ms() / 1000, abs=1.0)
    # The journal on disk holds the same finished turn.
    (journal,) = tmp_path.glob("*.jsonl")
    recovered = read_journal(journal)
    assert recovered.clean_end and [t.text for t in recovered.document.turns] == expected


def test_legacy_formatting_swaps_each_turn_once(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    streaming_server.config.legacy_formatting = True
    expected = _script(streaming_server, LONG_CLIP, turns=2)
    built, seen = build(streaming_server.url, LONG_CLIP, tmp_path)
    assert run_to_end(built).failed is None
    replaced = [u.turn for u in seen.updates if u.kind is UpdateKind.REPLACED]
    finished = [u.turn for u in seen.updates if u.kind is UpdateKind.FINISHED]
    assert [t.text for t in replaced] == expected
    assert [t.formatted for t in finished] == [False, False]
    assert [t.text for t in seen.finished_turns().values()] == expected


def test_format_turns_off_still_finishes_turns(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    _script(streaming_server, CLIP, turns=1)
    built, seen = build(streaming_server.url, CLIP, tmp_path, format_turns=False)
    assert run_to_end(built).failed is None
    (turn,) = seen.finished_turns().values()
    assert turn.text == load_clip(CLIP).reference and not turn.formatted


def test_universal_3_pro_partials_show_once_and_do_not_trip_the_watchdog(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    expected = _script(streaming_server, LONG_CLIP, turns=2)
    # ~2.7 s pass between a turn's early partial and the next message: longer than this
    # watchdog, shorter than the allowance the session gives Universal-3 Pro.
    timing = dataclasses.replace(FAST, watchdog_s=1.5)
    built, seen = build(
        streaming_server.url, LONG_CLIP, tmp_path, timing=timing, speech_model="u3-rt-pro"
    )
    summary = run_to_end(built)
    assert summary.failed is None and summary.connections == 1
    assert [t.text for t in seen.finished_turns().values()] == expected
    live = [u.turn for u in seen.updates if u.kind is UpdateKind.LIVE]
    assert len(live) == 2  # one early partial per turn
    for turn in live:  # the whole text so far, dimmed, once
        assert turn.text == "" and turn.tail.endswith("—")
        assert turn.display_text == turn.tail
    assert not [u for u in seen.updates if u.kind is UpdateKind.REPLACED]


@pytest.mark.parametrize("fault", [Fault.DROP, Fault.SERVER_ERROR, Fault.SERVER_ERROR_CLOSE_ONLY])
def test_connection_faults_reconnect_without_losing_a_finished_turn(
    streaming_server: StreamingServer, tmp_path: Path, fault: Fault
) -> None:
    expected = _hear(streaming_server, LONG_CLIP, turns=3)
    built, seen = build(streaming_server.url, LONG_CLIP, tmp_path)
    summary = _once(streaming_server, built, FaultTrigger(fault, after_turns=1))
    assert summary.failed is None and summary.connections == 2
    assert SessionState.RECONNECTING.value in seen.state_names()
    assert seen.state_names().count(SessionState.LIVE.value) == 2
    assert [p.recovery for p in seen.problems] == [Recovery.RECONNECT]
    # The audio after the last word reported went again to the new connection: no word is
    # lost or said twice, and no stretch is left uncaptioned.
    _assert_every_word_once(seen, expected)
    assert seen.gaps == []
    first = seen.finished_turns()[(0, 0)]
    later = [t for t in seen.finished_turns().values() if t.stream == 1]
    assert later and all(t.start_ms >= first.end_ms for t in later)  # one session clock
    # The journal holds the same turns.
    doc = read_journal(built.recorder.path).document
    assert [t.text for t in doc.turns] == [t.text for t in seen.finished_turns().values()]
    assert list(doc.gaps) == []


def test_rejected_key_asks_for_a_new_key_without_retrying(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    for mode in (AuthFailure.HTTP_401, AuthFailure.CLOSE_1008):
        streaming_server.config.auth_failure = mode
        built, seen = build(streaming_server.url, CLIP, tmp_path, key="wrong-key")
        started = time.monotonic()
        summary = run_to_end(built)
        assert time.monotonic() - started < 3.0
        assert summary.failed is not None and summary.failed.recovery is Recovery.NEW_KEY
        assert summary.connections == 1
        assert seen.state_names()[-1] == SessionState.FAILED.value
    assert len(streaming_server.rejected_handshakes()) == 1
    assert len(streaming_server.sessions()) == 1


def test_concurrency_limit_backs_off_and_resumes(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    _script(streaming_server, LONG_CLIP, turns=2)
    built, seen = build(streaming_server.url, LONG_CLIP, tmp_path)
    summary = _once(streaming_server, built, FaultTrigger(Fault.CONCURRENCY_3009, at_audio_ms=1000))
    assert summary.failed is None and summary.connections == 2
    assert seen.problems[0].recovery is Recovery.RETRY_LATER
    assert "limit" in seen.problems[0].message


def test_audio_rate_violation_reads_as_a_bug_and_recovers(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    _script(streaming_server, CLIP, turns=1)
    streaming_server.config.rate_slack_seconds = -0.5  # every real-time sender looks too fast
    built, seen = build(
        streaming_server.url,
        CLIP,
        tmp_path,
        timing=dataclasses.replace(FAST, give_up_after_failures=2),
    )
    summary = run_to_end(built)
    assert seen.problems and seen.problems[0].code == 3007
    assert "bug" in seen.problems[0].message
    assert summary.failed is not None and summary.connections == 2


def test_rollover_before_expiry_loses_no_turn(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    expected = _hear(streaming_server, LONG_CLIP, turns=3)
    streaming_server.config.max_session_seconds = 4.0
    timing = dataclasses.replace(FAST, rollover_margin_s=1.5, rollover_floor_s=0.5)
    built, seen = build(streaming_server.url, LONG_CLIP, tmp_path, timing=timing)
    summary = run_to_end(built)
    assert summary.failed is None and summary.connections >= 2
    assert not seen.problems and not seen.gaps
    _assert_every_word_once(seen, expected)
    # The old connection was ended politely (Terminate, close 1000), not left to expire.
    first = streaming_server.sessions()[0]
    assert first.control_types()[-2:] == ["ForceEndpoint", "Terminate"]
    assert first.close is not None and first.close[0] == 1000


def test_expiry_without_rollover_reconnects_at_once(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    _script(streaming_server, LONG_CLIP, turns=2)
    built, seen = build(streaming_server.url, LONG_CLIP, tmp_path)
    summary = _once(streaming_server, built, FaultTrigger(Fault.EXPIRE, at_audio_ms=1500))
    assert summary.failed is None and summary.connections == 2
    assert seen.problems[0].recovery is Recovery.RECONNECT_NOW


def test_watchdog_restarts_a_session_that_stopped_answering(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    _script(streaming_server, LONG_CLIP, turns=4)
    built, seen = build(
        streaming_server.url, LONG_CLIP, tmp_path, timing=dataclasses.replace(FAST, watchdog_s=2.0)
    )
    summary = _once(streaming_server, built, FaultTrigger(Fault.GO_SILENT, at_audio_ms=800))
    assert summary.failed is None and summary.connections == 2
    first, second = streaming_server.sessions()[:2]
    last_answer = first.sent_records()[-1].sent_at
    assert second.opened_at - last_answer < 2.0 + 1.5
    assert any("stopped answering" in text for text, _ in seen.notices)
    assert [t for t in seen.finished_turns().values() if t.stream == 1]


def test_force_endpoint_and_settings_reach_the_service(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    _script(streaming_server, LONG_CLIP, turns=1)
    built, seen = build(streaming_server.url, LONG_CLIP, tmp_path)
    running = Running(built)
    assert seen.live_event.wait(5)
    assert streaming_server.session(0).wait_until_audio_ms(1500, timeout=5)
    built.session.request_force_endpoint()
    new = dataclasses.replace(
        built.session._settings,
        max_turn_silence_ms=900,
        keyterms=("Dashwood",),
        speech_model="u3-rt-pro",
    )
    built.session.request_settings(new)
    running.finish(20)
    record = streaming_server.session(0)
    assert "ForceEndpoint" in record.control_types()
    assert record.config_updates()[0]["max_turn_silence"] == 900
    assert record.config_updates()[0]["keyterms_prompt"] == ["Dashwood"]
    # The model cannot change on an open connection: it is kept (reconnects too) and the
    # person is told it applies at the next start.
    assert any("next start" in text for text, _ in seen.notices)
    assert built.session._settings.speech_model == "universal-streaming-english"
    assert built.session._settings.max_turn_silence_ms == 900
    assert len(seen.finished_turns()) >= 2  # the forced end split the one scripted turn


def test_stop_during_connect_returns_in_time(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    streaming_server.config.handshake_delay_seconds = 0.8
    built, _seen = build(streaming_server.url, LONG_CLIP, tmp_path)
    running = Running(built)
    time.sleep(0.2)
    took = running.stop(timeout=15)
    assert took < FAST.terminate_timeout_s + 1.0


def test_stop_during_reconnect_returns_at_once(tmp_path: Path) -> None:
    from tests.streaming_server.fixtures import running_server

    with running_server() as server:
        built, seen = build(server.url, LONG_CLIP, tmp_path)
        running = Running(built)
        assert seen.live_event.wait(5)
    # The server is gone: the session keeps trying to reconnect.
    deadline = time.monotonic() + 5
    while SessionState.RECONNECTING.value not in seen.state_names() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert SessionState.RECONNECTING.value in seen.state_names()
    took = running.stop(timeout=10)
    assert took < FAST.terminate_timeout_s + 1.0


def test_pause_stops_sending_and_resume_continues(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    _script(streaming_server, LONG_CLIP, turns=2)
    built, seen = build(streaming_server.url, LONG_CLIP, tmp_path)
    running = Running(built)
    assert streaming_server.wait_for_sessions(1, timeout=10)
    assert streaming_server.session(0).wait_until_audio_ms(1500, timeout=10)
    built.session.request_pause(True)
    assert streaming_server.session(0).wait_finished(timeout=10)  # closed: nothing is billed
    sent_while_paused = streaming_server.session(0).audio_ms()
    time.sleep(1.0)
    assert streaming_server.session(0).audio_ms() == sent_while_paused
    assert len(streaming_server.sessions()) == 1
    built.session.request_pause(False)
    summary = running.finish(timeout=20)
    assert summary.connections == 2
    assert SessionState.PAUSED.value in seen.state_names()
    # A recording waits while paused, as a player does: every second of it is captioned, the
    # one second spent paused included, and no part of it is marked not captioned.
    assert seen.gaps == []
    heard_ms = sum(record.audio_ms() for record in streaming_server.sessions())
    assert heard_ms >= load_clip(LONG_CLIP).duration_ms - 100, heard_ms
    assert summary.reached_end
