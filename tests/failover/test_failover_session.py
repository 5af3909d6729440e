"""engine = auto when the cloud cannot be reached: honest messages, and the local engine goes on.

Real parts throughout: the unmodified SDK against the local streaming server (a process of its
own, killed with SIGKILL), a refused port, a name that cannot resolve, the real local engine on
real speech, the real journal. Times are measured and printed (see the closing notes); the
assertions are about what a person sees and what the transcript keeps.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import jiwer
import pytest

from caption_app.core.audio.media import open_media_source
from caption_app.core.model.gaps import Marker
from caption_app.core.model.turns import Turn
from caption_app.core.settings import FailoverSettings
from caption_app.core.streaming.reports import COVERED
from caption_app.core.transcript.journal import read_journal
from tests.failover.harness import ServerProcess, auto_session, cloud_script, free_port
from tests.local_engine.speech import joined_clips, normalise, references
from tests.support.paths import AUDIO_DIR
from tests.support.said import untimed

pytestmark = pytest.mark.timeout(150)
CLIP = "librivox-austen-0890.wav"


def _run_to_end(built: object) -> None:
    thread = threading.Thread(target=built.session.run, name="test-session")  # type: ignore[attr-defined]
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the session did not end"


def _finished_text(turns: list[Turn]) -> str:
    return " ".join(t.text for t in turns)


@pytest.mark.parametrize(
    ("host", "cause"),
    [
        ("refused", "the connection was refused"),
        ("wss://caption-app-test.invalid", "its name does not resolve (is this computer offline?)"),
    ],
    ids=["refused-port", "invalid-name"],
)
def test_a_cloud_unreachable_at_start_is_named_and_captions_run_locally(
    tmp_path: Path, host: str, cause: str
) -> None:
    if host == "refused":
        host = f"ws://127.0.0.1:{free_port()}"  # nothing listens there
    source = open_media_source(AUDIO_DIR / CLIP, 50, realtime=True)
    built, seen = auto_session(host, source, tmp_path)
    _run_to_end(built)

    # Said once, within seconds, as news: captions go on, there is nothing to act on.
    where = host.split("://", 1)[-1]
    assert seen.problems == []
    (said,) = [(text, at) for text, at in seen.notices if text.startswith("Cannot reach")]
    assert untimed(said[0]) == f"Cannot reach {where}: {cause}. {COVERED}"
    assert said[1] - seen.started_at < 5.0
    states = [state for state, _, _ in seen.details]
    assert "reconnecting" not in states and "unreachable" not in states  # it went local
    live = next(at for state, detail, at in seen.details if state == "live")
    words = seen.words_at[0][1]
    print(f"\n{host}: live on this computer {live:.2f} s, first words {words:.2f} s after Start")
    # An engine is named once its connection has begun: the cloud never did, this computer did.
    assert [(e.on_device, e.standing_in) for e, _ in seen.engines] == [(True, True)]
    assert seen.gaps == []
    turns = list(seen.finished_turns().values())
    error = jiwer.wer(normalise(references()[CLIP]), normalise(_finished_text(turns)))
    assert error <= 0.2, _finished_text(turns)
    document = read_journal(built.recorder.path).document
    assert isinstance(document.entries[0], Marker)
    assert "continue on this computer" in document.entries[0].text
    assert [e for e in document.entries if isinstance(e, Turn)] == turns


def test_a_killed_server_is_covered_locally_then_the_cloud_is_used_again(
    tmp_path: Path,
) -> None:
    recording = joined_clips(tmp_path)
    script, spans = cloud_script(tmp_path)
    server = ServerProcess(free_port(), script)
    server.start()
    source = open_media_source(recording.path, 50, realtime=True)
    failover = FailoverSettings(after_s=5.0, probe_every_s=3.0)
    built, seen = auto_session(server.url, source, tmp_path / "transcripts", failover=failover)
    thread = threading.Thread(target=built.session.run, name="test-session")
    thread.start()
    try:
        # Kill it once the cloud has finished its first turn, mid-way through the second.
        deadline = time.monotonic() + 30
        while not seen.finished_at and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen.finished_at, "the cloud never finished a turn"
        time.sleep(1.0)
        server.kill()
        killed_at = time.monotonic() - seen.started_at
        time.sleep(8.0)
        server.start()  # the same port: the cloud is back
        back_at = time.monotonic() - seen.started_at
        thread.join(timeout=90)
        assert not thread.is_alive()
    finally:
        server.kill()

    local = [(e, at) for e, at in seen.engines if e.on_device]
    cloud_again = [at for e, at in seen.engines[1:] if not e.on_device]
    assert local and cloud_again, seen.engines
    local_live = next(
        at for state, detail, at in seen.details if "on this computer" in detail and at > killed_at
    )
    local_words = next(at for stream, at in seen.words_at if at > local_live)
    print(
        f"\nkilled at {killed_at:.1f} s; local live {local_live - killed_at:.1f} s later, "
        f"words {local_words - killed_at:.1f} s later; "
        f"cloud restarted at {back_at:.1f} s, used again {cloud_again[0] - back_at:.1f} s later"
    )
    assert local_live > killed_at
    assert [m.text.split(":")[0] for m in seen.markers] == [
        "Captions continue on this computer",
        "Captions are back on AssemblyAI Universal-Streaming.",
    ]
    turns = list(seen.finished_turns().values())
    streams = [t.stream for t in turns]
    assert streams == sorted(streams)  # cloud, then local, then cloud: one after the other
    document = read_journal(built.recorder.path).document
    journaled = [e for e in document.entries if isinstance(e, Turn)]
    assert journaled == turns  # every finished turn of both engines, in order
    assert [e for e in document.entries if isinstance(e, Marker)] == seen.markers
    # Words across the first switch: the clips heard before the cloud came back.
    back_ms = seen.markers[1].at_ms
    # (Every local turn ends before the switch back, which waits for a pause; the returning
    # cloud's first turn may start a little before the marker, in the audio caught up while
    # it connected.)
    before = [t for t in turns if t.end_ms <= back_ms]
    spoken = [ref for (start, end), ref in zip(spans, references().values(), strict=True)]
    heard = [ref for (start, end), ref in zip(spans, spoken, strict=True) if end < back_ms]
    measures = jiwer.process_words(normalise(" ".join(heard)), normalise(_finished_text(before)))
    print(
        f"across the switch: {measures.deletions} words lost, {measures.insertions} extra, "
        f"WER {measures.wer:.1%} over {len(normalise(' '.join(heard)).split())} words"
    )
    for turn in before:
        print(f"  stream {turn.stream} {turn.start_ms}-{turn.end_ms} ms: {turn.text}")
    print(f"  markers: {seen.markers}")
    assert measures.deletions <= 2 and measures.wer <= 0.2, _finished_text(before)
