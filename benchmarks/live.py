"""The pieces the captioning benchmarks share: the local server's process and a media file."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.env import PYTHON, ROOT, child_env
from benchmarks.probes.server import BENCH_KEY

SAMPLE_RATE = 16_000


def noise_wav(path: Path, seconds: float, *, speech_like: bool = False) -> Path:
    """Quiet noise, 16 kHz mono: every 50 ms chunk differs, so frames can be told apart.

    ``speech_like``: its loudness changes every 100 ms (by up to 26 dB, as syllables and
    pauses do), so the level meter moves as it does for a voice, not for a steady hum."""
    import numpy as np

    rng = np.random.default_rng(16)
    count = round(seconds * SAMPLE_RATE)
    samples = rng.integers(-3000, 3000, count).astype(np.float64)
    if speech_like:
        steps = rng.uniform(0.05, 1.0, count // 1600 + 1)  # one loudness per 100 ms
        samples *= np.repeat(steps, 1600)[:count]
    frames = samples.astype("<i2").tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(frames)
    return path


@contextmanager
def local_server(home: Path, updates_per_s: float, frames: Path) -> Iterator[str]:
    """The server in its own process (127.0.0.1 only); yields its URL. On exit it writes the
    arrival time of every audio frame to ``frames``."""
    server = subprocess.Popen(
        [PYTHON, "-m", "benchmarks.probes.server", str(updates_per_s), str(frames)],
        cwd=ROOT,
        env=child_env(home),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("ws://127.0.0.1:"):
            raise RuntimeError(f"the local server did not start: {url!r}")
        yield url
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def app_env(home: Path, platform: str = "offscreen") -> dict[str, str]:
    """The app's environment: the local server's test key, for this process only."""
    return {**child_env(home, platform=platform), "ASSEMBLYAI_API_KEY": BENCH_KEY}


MICROPHONE = "Bench Microphone"


@contextmanager
def speaking_microphone(home: Path, speech: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio whose microphone (``MICROPHONE``, a source on a 48 kHz stereo null
    sink's monitor, as a USB headset's) hears ``speech`` played into that sink in real time;
    yields the environment that points an app at it."""
    from tests.support.pulse import PulseServer

    server = PulseServer(home / "pulse")
    server.start()
    player = None
    try:
        server.load_null_sink("bench_room", 48_000, 2, "Bench room")
        server.load_microphone("bench_mic", "bench_room.monitor", MICROPHONE)
        player = server.play(speech, "bench_room")
        yield dict(server.env)
    finally:
        if player is not None:
            player.terminate()
            player.wait(timeout=10)
        server.stop()


@contextmanager
def captioning_app(
    home: Path,
    seconds: float,
    updates_per_s: float,
    frames: Path,
    *,
    speech_like: bool = False,
    microphone: dict[str, str] | None = None,
) -> Iterator[int]:
    """``caption-app --start`` (window and overlay, offscreen) captioning from the local
    server for about ``seconds`` a noise file, or with ``microphone`` (the environment of
    ``speaking_microphone``) that microphone; yields its pid, and ends it (bounded) after."""
    if microphone is None:
        wav = noise_wav(home / "speech.wav", seconds + 15, speech_like=speech_like)
        audio_input = ["--source", str(wav)]
    else:
        audio_input = ["--device", MICROPHONE]
    with local_server(home, updates_per_s, frames) as url:
        argv = ["--api-host", url, *audio_input, "--engine", "assemblyai", "--start"]
        app = subprocess.Popen(
            [PYTHON, "-m", "caption_app", *argv],
            cwd=ROOT,
            env={**app_env(home), **(microphone or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield app.pid
            if app.poll() is not None:
                raise RuntimeError(f"caption-app exited early ({app.returncode})")
        finally:
            app.terminate()
            try:
                app.wait(timeout=20)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()
