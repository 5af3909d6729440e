"""Real capture: PortAudio -> PulseAudio null-sink monitors fed with real speech by paplay."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from caption_app.core.audio.capture import open_device_source
from caption_app.core.audio.devices import InputDevice, list_devices
from caption_app.core.audio.silence import SilenceWatch
from caption_app.core.audio.source import AudioChunk, AudioSource, AudioSourceError
from tests.audio.rig import PulseRig, read_wav
from tests.audio.signal_tools import aligned_correlation, pcm_of

pytestmark = pytest.mark.pulse


def device_for(sink: str) -> InputDevice:
    matches = [d for d in list_devices() if d.key == f"{sink}.monitor"]
    assert len(matches) == 1, [d.key for d in list_devices()]
    return matches[0]


def capture_playback(
    rig: PulseRig, source: AudioSource, wav: Path, sink: str, tail_s: float = 0.4
) -> tuple[list[AudioChunk], float]:
    """Read chunks while paplay plays `wav` into `sink`, plus tail_s after it ends."""
    chunks: list[AudioChunk] = []
    player = rig.server.play(wav, sink)
    started = time.monotonic()
    ended_at: float | None = None
    deadline = started + 20.0
    try:
        while time.monotonic() < deadline:
            chunk = source.read(timeout=0.5)
            if chunk is not None:
                chunks.append(chunk)
            if ended_at is None and player.poll() is not None:
                ended_at = time.monotonic()
            if ended_at is not None and time.monotonic() - ended_at > tail_s:
                break
    finally:
        if player.poll() is None:
            player.terminate()
        player.wait(timeout=5)
    assert player.returncode == 0, player.stderr.read() if player.stderr else ""
    return chunks, time.monotonic() - started


def assert_regular(chunks: list[AudioChunk], chunk_ms: int) -> None:
    assert chunks
    assert {len(c.pcm) for c in chunks} == {16 * chunk_ms * 2}
    starts = [c.start_ms for c in chunks]
    assert starts == list(range(starts[0], starts[0] + chunk_ms * len(chunks), chunk_ms))


def test_16k_capture_is_bit_identical_to_the_file(pulse: PulseRig, clips_dir: Path) -> None:
    clip = clips_dir / "goforward.wav"
    reference, _ = read_wav(clip)
    source = open_device_source(device_for(pulse.sink16), chunk_ms=50)
    source.start()
    try:
        assert source.rate == 16_000
        chunks, elapsed = capture_playback(pulse, source, clip, pulse.sink16)
    finally:
        source.stop()
    assert_regular(chunks, 50)
    captured = pcm_of(chunks)
    first_c, first_r = int(np.flatnonzero(captured)[0]), int(np.flatnonzero(reference)[0])
    segment = captured[first_c - first_r : first_c - first_r + reference.size]
    assert np.array_equal(segment, reference)
    # Real-time pace: the audio captured matches the wall-clock time spent capturing.
    assert len(chunks) * 0.05 == pytest.approx(elapsed, rel=0.15)
    assert source.overflow_count == 0


def test_48k_capture_resampled_correlates_with_the_original(
    pulse: PulseRig, clips_dir: Path
) -> None:
    clip = clips_dir / "librivox-austen-0880.wav"
    reference, _ = read_wav(clip)
    device = device_for(pulse.sink48)
    assert (device.default_rate, device.channels) == (48_000, 2)
    source = open_device_source(device, chunk_ms=100)
    source.start()
    try:
        assert source.rate == 48_000
        chunks, _ = capture_playback(pulse, source, clip, pulse.sink48)
    finally:
        source.stop()
    assert_regular(chunks, 100)
    corr, _lag = aligned_correlation(pcm_of(chunks), reference)
    assert corr > 0.99, corr


def test_monitor_source_is_listed_as_system_audio(pulse: PulseRig) -> None:
    devices = list_devices()
    by_key = {d.key: d for d in devices}
    monitor = by_key[f"{pulse.sink16}.monitor"]
    assert monitor.is_monitor
    assert monitor.label == f"System audio — {pulse.description16}"
    assert monitor.host_api == "PulseAudio"
    assert monitor.device_id == f"PulseAudio:{pulse.sink16}.monitor"
    assert (monitor.default_rate, monitor.channels, monitor.is_default) == (16_000, 1, True)
    other = by_key[f"{pulse.sink48}.monitor"]
    assert (other.is_default, other.label) == (False, f"System audio — {pulse.description48}")


def test_unplugging_mid_capture_raises_after_the_captured_audio(
    pulse: PulseRig, clips_dir: Path
) -> None:
    module = pulse.server.load_null_sink("captestunplug", 16_000, 1, "Unplug Me")
    unloaded = False
    try:
        source = open_device_source(device_for("captestunplug"), chunk_ms=50)
        source.start()
        player = pulse.server.play(clips_dir / "librivox-austen-0870.wav", "captestunplug")
        chunks: list[AudioChunk] = []
        try:
            deadline = time.monotonic() + 10
            while len(chunks) < 20 and time.monotonic() < deadline:  # one second of audio
                chunk = source.read(timeout=0.5)
                if chunk is not None:
                    chunks.append(chunk)
            assert len(chunks) == 20
            pulse.server.unload_module(module)
            unloaded, unplugged_at = True, time.monotonic()
            with pytest.raises(AudioSourceError) as raised:
                while time.monotonic() < unplugged_at + 5:
                    chunk = source.read(timeout=0.5)
                    if chunk is not None:
                        chunks.append(chunk)
            noticed_after = time.monotonic() - unplugged_at
            with pytest.raises(AudioSourceError):  # it stays failed
                source.read(timeout=0.1)
        finally:
            source.stop()
            player.terminate()
            player.wait(timeout=5)
    finally:
        if not unloaded:
            pulse.server.unload_module(module)
    message = str(raised.value)
    assert "System audio — Unplug Me" in message
    # What happened, said once; the window and the command line each add what to do.
    assert "disconnected" in message and "pick another input" not in message.lower()
    assert noticed_after < 1.0
    assert max(c.peak_dbfs for c in chunks[:20]) > -30  # real speech was captured first
    # The session goes on: another device opens and delivers.
    other = open_device_source(device_for(pulse.sink16), chunk_ms=50)
    other.start()
    try:
        assert other.read(timeout=2.0) is not None
    finally:
        other.stop()


def test_a_reader_that_falls_behind_loses_the_oldest_chunks_counted(pulse: PulseRig) -> None:
    source = open_device_source(device_for(pulse.sink16), chunk_ms=50, queue_ms=200)
    source.start()
    try:
        deadline = time.monotonic() + 5
        while source.overflow_count < 10 and time.monotonic() < deadline:
            time.sleep(0.05)  # deliberately not reading
        overflows = source.overflow_count
        assert overflows >= 10
        kept: list[AudioChunk] = []
        while (chunk := source.read(timeout=0)) is not None and len(kept) < 50:
            kept.append(chunk)
    finally:
        source.stop()
    assert 4 <= len(kept) <= 6  # the bound (4) plus what arrived while draining
    assert kept[0].start_ms >= overflows * 50  # the dropped chunks left a gap on the clock
    assert_regular(kept, 50)


def test_a_silent_source_gets_a_notice(pulse: PulseRig) -> None:
    source = open_device_source(device_for(pulse.sink48), chunk_ms=50)
    watch = SilenceWatch(source.description, silence_s=1.0)
    notices: list[tuple[str, int]] = []
    source.start()
    try:
        deadline = time.monotonic() + 5
        while not notices and time.monotonic() < deadline:
            chunk = source.read(timeout=0.5)
            if chunk is not None and (notice := watch.feed(chunk, 50)) is not None:
                notices.append((notice, chunk.start_ms))
    finally:
        source.stop()
    assert notices == [(f"No sound from System audio — {pulse.description48} — is it muted?", 950)]


def test_stop_from_another_thread_unblocks_read(pulse: PulseRig) -> None:
    import threading

    source = open_device_source(device_for(pulse.sink16), chunk_ms=50)
    source.start()
    stopper = threading.Timer(0.3, source.stop)
    stopper.start()
    started = time.monotonic()
    try:
        while time.monotonic() - started < 5:
            if source.read(timeout=5.0) is None:
                break
    finally:
        stopper.join()
        source.stop()  # idempotent
    assert time.monotonic() - started < 1.5


NO_DEVICES_SCRIPT = """
from caption_app.core.audio.capture import open_device_source
from caption_app.core.audio.devices import InputDevice, find_device, list_devices, resolve_device
from caption_app.core.audio.source import AudioSourceError
print("devices", len(list_devices()))
for attempt in (lambda: resolve_device(""), lambda: find_device("usb")):
    try:
        attempt()
    except AudioSourceError as exc:
        print("error", exc)
try:
    open_device_source(InputDevice("USB Mic", "ALSA", 48000, 1, key="USB Mic")).start()
except AudioSourceError as exc:
    print("error", exc)
"""


def test_no_input_devices_at_all_gives_clear_messages(tmp_path: Path) -> None:
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env["PULSE_SERVER"] = f"unix:{tmp_path}/nothing-here"
    done = subprocess.run(
        [sys.executable, "-c", NO_DEVICES_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "devices 0"
    assert (
        lines[1]
        == lines[2]
        == "error "
        + (
            "No audio input devices were found. Connect a microphone (or start the sound server), "
            "then choose Refresh in the Input menu."
        )
    )
    assert lines[3].startswith("error The input “USB Mic” was disconnected")
    assert "Traceback" not in done.stderr


def _captures_of_this_process(pulse: PulseRig) -> list[str]:
    """The source each capture stream of this process reads, by source name."""
    import json
    import os

    names = {
        int(s["index"]): str(s["name"])
        for s in json.loads(pulse.server.pactl("-f", "json", "list", "sources"))
    }
    return [
        names.get(int(out["source"]), "?")
        for out in json.loads(pulse.server.pactl("-f", "json", "list", "source-outputs"))
        if str(out.get("properties", {}).get("application.process.id")) == str(os.getpid())
    ]


def test_the_default_source_coming_back_does_not_take_the_capture(pulse: PulseRig) -> None:
    """Twelfth walk: the headset (the default source) unplugged, the USB microphone captured;
    plugged back in, the headset took the capture (the server moves a capture opened through
    ALSA's plugin to the default source), while the window named the USB microphone."""
    monitor = f"{pulse.sink16}.monitor"
    headset = pulse.server.load_microphone("defaultheadset", monitor, "Headset")
    usb = pulse.server.load_microphone("otherusb", monitor, "USB")
    pulse.server.set_default_source("defaultheadset")
    pulse.server.unload_module(headset)  # unplugged
    source = open_device_source(InputDevice("USB", "PulseAudio", 16_000, 1, key="otherusb"), 50)
    source.start()
    back = None
    try:
        assert source.read(timeout=2.0) is not None
        assert _captures_of_this_process(pulse) == ["otherusb"]
        back = pulse.server.load_microphone("defaultheadset", monitor, "Headset")  # plugged in
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:  # the server's move, and ours back, take a moment
            time.sleep(0.2)
            if _captures_of_this_process(pulse) == ["otherusb"] and time.monotonic() > deadline - 2:
                break
        assert _captures_of_this_process(pulse) == ["otherusb"]
        assert source.read(timeout=2.0) is not None  # and it still delivers
    finally:
        source.stop()
        pulse.server.unload_module(usb)
        if back is not None:
            pulse.server.unload_module(back)
        pulse.server.set_default_source(monitor)
