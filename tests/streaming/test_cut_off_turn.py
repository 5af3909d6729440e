"""A turn cut off by a dropped connection (issue: it stayed lower-case, below its gap row).

The real SDK against the local server, which aborts the TCP connection in the middle of a
turn: that turn is finished at once as cut off (capital, ellipsis, marked interrupted) and is
reported and journalled first; the audio after its last reported word goes again to the next
connection, which says the rest of the sentence.
"""

from __future__ import annotations

import time
from pathlib import Path

from caption_app.core.model.gaps import Gap
from caption_app.core.model.session import SessionEvent
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.transcript.journal import read_journal
from tests.local_engine.speech import normalise
from tests.streaming.harness import Collector, Running, build
from tests.streaming_server.clips import load_clip
from tests.streaming_server.config import Fault, FaultTrigger
from tests.streaming_server.heard import HeardAudio
from tests.streaming_server.server import StreamingServer

LONG_CLIP = "librivox-austen-0870.wav"  # 7.1 s, one scripted turn


class OrderedCollector(Collector):
    """Also keeps the order in which finished turns and gaps were reported."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[TurnUpdate | Gap] = []

    def __call__(self, event: SessionEvent) -> None:
        super().__call__(event)
        if isinstance(event, Gap) or (
            isinstance(event, TurnUpdate) and event.kind is UpdateKind.FINISHED
        ):
            self.order.append(event)


def test_a_turn_cut_off_by_a_drop_is_finished_and_its_rest_heard_again(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    clip = load_clip(LONG_CLIP)
    script = clip.script(turns=1)
    streaming_server.config.heard = HeardAudio.of(clip.pcm, script)
    seen = OrderedCollector()
    built, _ = build(streaming_server.url, LONG_CLIP, tmp_path, collector=seen)
    streaming_server.config.faults = (FaultTrigger(Fault.DROP, at_audio_ms=3500),)
    running = Running(built)
    streaming_server.wait_for_sessions(1, timeout=10)
    streaming_server.config.faults = ()
    summary = running.finish(timeout=40)
    assert summary.failed is None and summary.connections == 2

    finished = [u.turn for u in seen.order if isinstance(u, TurnUpdate)]
    cut = [t for t in finished if t.stream == 0]
    assert len(cut) == 1, seen.order
    turn = cut[0]
    assert turn.interrupted and turn.finished
    assert turn.text[0].isupper() and turn.text.endswith("…"), turn.text
    # The rest of the sentence, sent again to the next connection, follows it: nothing is
    # missing, nothing said twice, no uncaptioned stretch between them.
    assert finished.index(turn) == 0 and [t.stream for t in finished[1:]] == [1]
    said = " ".join(t.text for t in finished)
    assert normalise(said) == normalise(script[0].formatted_text)
    assert not [e for e in seen.order if isinstance(e, Gap)]

    entries = read_journal(built.recorder.path).document.entries
    assert entries[0] == turn and len(entries) == 2


def test_a_turn_the_person_paused_mid_speech_ends_as_cut_off(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    """Fifth walk W9 (third walk A13): a line cut by a Pause while the speaker talked read as
    a whole one ("…prudently in his"), with no "…"; a drop's cut line had one."""
    clip = load_clip(LONG_CLIP)
    script = clip.script(turns=1)
    streaming_server.config.heard = HeardAudio.of(clip.pcm, script)
    seen = OrderedCollector()
    built, _ = build(streaming_server.url, LONG_CLIP, tmp_path, collector=seen)
    running = Running(built)
    (session,) = streaming_server.wait_for_sessions(1, timeout=10)
    deadline = time.monotonic() + 20
    while session.audio_ms() < 3500 and time.monotonic() < deadline:
        time.sleep(0.02)
    built.session.request_pause(True)  # mid-sentence: the speaker goes on
    deadline = time.monotonic() + 10
    while not [u for u in seen.order if isinstance(u, TurnUpdate)] and time.monotonic() < deadline:
        time.sleep(0.02)
    running.stop(timeout=20)

    (turn,) = [u.turn for u in seen.order if isinstance(u, TurnUpdate)]
    assert turn.interrupted and turn.text.endswith("…"), turn.text
    assert normalise(turn.text) != normalise(script[0].formatted_text)  # it was cut
