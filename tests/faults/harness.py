"""Shared by the fault tests: long real-speech recordings, a looping scripted service, and a real
session (the unmodified SDK, real media decoding, the journal) with the production backoff."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path

from caption_app.core.audio.media import open_media_source
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import BuiltSession
from caption_app.core.streaming.session import Timing
from tests.failover.harness import FailoverCollector
from tests.streaming.harness import cloud_session
from tests.streaming_server.clips import load_clip
from tests.streaming_server.config import ServerConfig
from tests.streaming_server.fixtures import TEST_API_KEY

CLIP = "librivox-austen-0870.wav"  # 7.1 s of real speech
TIMING = Timing(terminate_timeout_s=3.0)
"""Production backoff (0.5 s doubling) and watchdog (5 s): the times measured are the app's."""


def looping_config() -> ServerConfig:
    """The clip's words, three turns, repeated for as long as audio comes."""
    return ServerConfig(
        api_keys={TEST_API_KEY}, script=load_clip(CLIP).script(turns=3), loop_script=True
    )


def long_recording(folder: Path, seconds: float) -> Path:
    """The clip repeated to at least ``seconds`` of audio, as one WAV file."""
    clip = load_clip(CLIP)
    repeats = max(1, int(seconds * 1000 // clip.duration_ms) + 1)
    path = folder / f"speech-{repeats}x.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(clip.sample_rate)
        wav.writeframes(clip.pcm * repeats)
    return path


def session(
    api_host: str, recording: Path, transcripts: Path, *, timing: Timing = TIMING
) -> tuple[BuiltSession, FailoverCollector]:
    """A GUI-style session (engine = assemblyai) reading ``recording`` at real-time pace."""
    collector = FailoverCollector()
    settings = StreamingSettings(api_host=api_host).validate()
    source = open_media_source(recording, settings.chunk_ms, realtime=True)
    return cloud_session(settings, source, collector, transcripts, timing=timing), collector


class Running:
    """``run()`` on its own thread; ``stop`` asks it to end and joins it (bounded)."""

    def __init__(self, built: BuiltSession) -> None:
        self.built = built
        self.thread = threading.Thread(target=built.session.run, name="fault-session")
        self.thread.start()

    def stop(self, timeout: float = 15.0) -> float:
        asked = time.monotonic()
        self.built.session.request_stop()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the session did not stop"
        return time.monotonic() - asked


def wait_for(predicate: object, timeout: float, what: str) -> None:
    """Poll ``predicate`` every 20 ms until true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def words_after(seen: FailoverCollector, stream: int) -> float | None:
    """Monotonic time of the first update showing words on ``stream`` (or a later one)."""
    times = [at for s, at in seen.words_at if s >= stream]
    return seen.started_at + times[0] if times else None
