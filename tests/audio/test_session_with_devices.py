"""A live session on real capture devices: unplug mid-session, pick another, carry on; CLI."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from caption_app.core.audio.capture import open_device_source
from caption_app.core.model.session import SessionState
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import build_live_session
from tests.audio.rig import PulseRig
from tests.audio.test_capture import device_for
from tests.streaming.harness import FAST, Collector, Running, key_auth
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import running_server

CLIP = "librivox-austen-0870.wav"


def test_unplugged_device_keeps_the_session_and_another_continues_it(
    pulse: PulseRig, clips_dir: Path, tmp_path: Path
) -> None:
    module = pulse.server.load_null_sink("capsessionunplug", 16_000, 1, "Headset")
    unloaded = False
    player = None
    stack = contextlib.ExitStack()  # stops the session whatever fails, before the server goes
    try:
        with running_server() as server, stack:
            server.config.script = load_clip(CLIP).script(turns=3)
            settings = StreamingSettings(api_host=server.url)
            seen = Collector()
            source = open_device_source(device_for("capsessionunplug"), settings.chunk_ms)
            auth = key_auth()
            built = build_live_session(
                settings, source, lambda: auth, seen, timing=FAST, transcripts=tmp_path
            )
            running = Running(built)
            stack.callback(running.built.session.request_stop)
            assert seen.live_event.wait(10)
            player = pulse.server.play(clips_dir / CLIP, "capsessionunplug")
            assert server.session(0).wait_until_audio_ms(2000, timeout=10)
            pulse.server.unload_module(module)
            unloaded = True
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not (
                seen.problems and seen.states[-1][0] is SessionState.NO_INPUT
            ):
                time.sleep(0.05)
            (problem,) = seen.problems
            assert problem.audio and "Headset" in problem.message
            assert seen.states[-1][0] is SessionState.NO_INPUT
            assert running.thread.is_alive(), "the session must be kept"
            # The person picks another input; captions continue in the same session.
            built.session.request_source(open_device_source(device_for(pulse.sink16), 50))
            assert server.wait_for_sessions(2, timeout=10)
            assert server.session(1).wait_until_audio_ms(500, timeout=10)
            took = running.stop(timeout=15)
            assert took < FAST.terminate_timeout_s + 1.0
    finally:
        if player is not None:
            player.terminate()
            player.wait(timeout=5)
        if not unloaded:
            pulse.server.unload_module(module)
    summary = running.result
    assert summary is not None and summary.failed is None and summary.connections == 2
    (gap,) = seen.gaps
    assert gap.reason == "input-lost" and gap.end_ms > gap.start_ms  # unplugged, not changed
    assert any("continues" in text for text, _ in seen.notices)


def test_cli_lists_and_captures_a_device(pulse: PulseRig, clips_dir: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ASSEMBLYAI_API_KEY": "test-key",
        "CAPTION_APP_DATA_DIR": str(tmp_path / "data"),
    }
    listed = subprocess.run(
        [sys.executable, "-m", "caption_app", "transcribe", "--list-devices"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert f"System audio — {pulse.description16}" in listed.stdout
    clip = load_clip("goforward.wav")
    with running_server() as server:
        server.config.script = clip.script(turns=1)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "caption_app",
                "transcribe",
                "--device",
                pulse.description16.lower(),
                "--api-host",
                server.url,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert server.wait_for_sessions(1, timeout=20)
            player = pulse.server.play(clips_dir / "goforward.wav", pulse.sink16)
            player.wait(timeout=15)
            assert server.session(0).wait_until_audio_ms(clip.duration_ms, timeout=10)
            proc.send_signal(2)  # Ctrl+C
            stdout, stderr = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr
    assert stdout.strip() == clip.script(turns=1)[0].formatted_text
    # The monitor delivered the played samples to the service, byte for byte. Checked in 100 ms
    # windows: a PulseAudio rewind can touch a few samples of one window, never of most.
    received = server.session(0).audio_bytes()
    windows = [clip.pcm[start : start + 3200] for start in range(3200, 48000, 3200)]
    audible = [w for w in windows if np.abs(np.frombuffer(w, "<i2")).max() > 1000]
    assert len(audible) >= 6  # speech, not silence that any stretch of zeros would match
    delivered = [window in received for window in audible]
    assert sum(delivered) >= len(audible) - 1, delivered
