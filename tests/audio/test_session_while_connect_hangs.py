"""While a connect hangs, the audio keeps moving and the session keeps answering.

Defect 4 of issue 23: ``StreamingClient.connect`` ran on the session's pump thread, for the
connect timeout (and any name look-up), at Start and at every retry and try of the cloud: no
audio was read meanwhile (a capture device's queue overflows after 2 s), no request was
handled, and failover was not looked at. Here a real capture device (a PulseAudio null sink
playing real speech) feeds an engine = auto session whose cloud accepts the TCP connection and
never answers; its attempts hang, one after the other, all session long.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from caption_app.core.audio.capture import open_device_source
from caption_app.core.model.session import SessionEvent, SessionState, StateChanged
from tests.audio.rig import PulseRig
from tests.audio.test_capture import device_for
from tests.failover.harness import FailoverCollector, auto_session
from tests.streaming.harness import Running
from tests.support.pulse import PulseServer
from tests.support.silent_listener import silent_listener

pytestmark = [pytest.mark.pulse, pytest.mark.timeout(120)]
CLIP = "librivox-austen-0870.wav"


class Answers(FailoverCollector):
    """Also notes when each status arrived, to time the answers to Pause and Stop."""

    def __init__(self) -> None:
        super().__init__()
        self.timed: list[tuple[StateChanged, float]] = []
        self.changed = threading.Condition()

    def __call__(self, event: SessionEvent) -> None:
        super().__call__(event)
        if isinstance(event, StateChanged):
            with self.changed:
                self.timed.append((event, time.monotonic()))
                self.changed.notify_all()

    def answered(self, asked: float, test: object, timeout: float = 10.0) -> float:
        """Seconds from ``asked`` to the first status since then that passes ``test``."""
        deadline = asked + timeout
        with self.changed:
            while True:
                for status, at in self.timed:
                    if at >= asked and test(status):  # type: ignore[operator]
                        return at - asked
                if not self.changed.wait(max(0.0, deadline - time.monotonic())):
                    raise AssertionError("no answer")


def _wait_for(condition: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.01)


@dataclass(frozen=True)
class HangFigures:
    accepted: int
    first_words_s: float
    paused_in_s: float
    stopped_in_s: float
    overflows: int


def run_while_connects_hang(pulse: PulseServer, clip: Path, folder: Path) -> HangFigures:
    """Caption ``clip`` played into a PulseAudio headset, engine = auto, the cloud hanging:
    pause while its first attempt hangs, stop while a later try hangs."""
    module = pulse.load_null_sink("caphang", 16_000, 1, "Hanging Headset")
    player = None
    try:
        with silent_listener() as listener, contextlib.ExitStack() as stack:
            source = open_device_source(device_for("caphang"), 50)
            seen = Answers()
            built, _ = auto_session(listener.url, source, folder, collector=seen)
            player = pulse.play(clip, "caphang")
            running = Running(built)
            stack.callback(running.built.session.request_stop)
            # 2 s in, the cloud's first attempt is hanging (on the side, past the 1.5 s grace).
            _wait_for(lambda: time.monotonic() - seen.started_at >= 2.0 and listener.accepted)
            asked = time.monotonic()
            built.session.request_pause(True)
            paused_in = seen.answered(asked, lambda s: s.state is SessionState.PAUSED)
            built.session.request_pause(False)
            _wait_for(lambda: bool(seen.words_at))
            first_words = seen.words_at[0][1]
            # The cloud is tried again on the side 3 s on; that try hangs too. Stop during it.
            _wait_for(lambda: listener.accepted >= 2)
            asked = time.monotonic()
            built.session.request_stop()
            stopped_in = seen.answered(asked, lambda s: s.state is SessionState.STOPPING)
            running.finish(timeout=15)
        return HangFigures(
            listener.accepted, first_words, paused_in, stopped_in, source.overflow_count
        )
    finally:
        if player is not None:
            player.terminate()
            player.wait(timeout=5)
        pulse.unload_module(module)


def test_a_hanging_connect_drops_no_audio_and_pause_and_stop_answer_at_once(
    pulse: PulseRig, clips_dir: Path, tmp_path: Path
) -> None:
    figures = run_while_connects_hang(pulse.server, clips_dir / CLIP, tmp_path)
    print(
        f"\nconnects accepted {figures.accepted}, each hanging; first local words "
        f"{figures.first_words_s:.2f} s after Start; Pause answered in "
        f"{figures.paused_in_s * 1000:.0f} ms, Stop in {figures.stopped_in_s * 1000:.0f} ms, "
        f"each while a connect hung; {figures.overflows} chunks dropped"
    )
    assert figures.accepted >= 2
    assert figures.overflows == 0  # the audio never waited on the network
    # The budgets (local captions 3 s, answers 100 ms) are scripts/bench's; here: far from
    # the seconds a connect on the pump cost.
    assert figures.paused_in_s <= 0.5 and figures.stopped_in_s <= 0.5
    assert figures.first_words_s <= 8.0
