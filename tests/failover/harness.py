"""A real session with engine = auto: the real SDK against a local server (or nothing at all),
the real local engine standing in, real speech; everything it reported, with times."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from caption_app.core.engines.assemblyai.engine import AssemblyAIEngine
from caption_app.core.engines.local.engine import LocalEngine, LocalEngineOptions
from caption_app.core.model.gaps import Marker
from caption_app.core.model.session import EngineInUse, SessionEvent, StateChanged
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.settings import FailoverSettings, StreamingSettings
from caption_app.core.streaming.builder import BuiltSession, build_live_session
from caption_app.core.streaming.session import Timing
from tests.local_engine.speech import RATE, read_wav, references
from tests.streaming.harness import Collector, key_auth
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.support.paths import AUDIO_DIR

TIMING = Timing(terminate_timeout_s=3.0)  # production backoff: the failover timing is real


@dataclass
class FailoverCollector(Collector):
    started_at: float = field(default_factory=time.monotonic)
    details: list[tuple[str, str, float]] = field(default_factory=list)
    """(state, detail, seconds after the start) for every state change."""
    markers: list[Marker] = field(default_factory=list)
    engines: list[tuple[EngineInUse, float]] = field(default_factory=list)
    finished_at: list[tuple[int, float]] = field(default_factory=list)
    """(stream, seconds after the start) of every finished turn."""
    words_at: list[tuple[int, float]] = field(default_factory=list)
    """(stream, seconds after the start) of every update that shows words."""

    def __call__(self, event: SessionEvent) -> None:
        super().__call__(event)
        now = time.monotonic() - self.started_at
        if isinstance(event, StateChanged):
            self.details.append((event.state.value, event.detail, now))
        elif isinstance(event, Marker):
            self.markers.append(event)
        elif isinstance(event, EngineInUse):
            self.engines.append((event, now))
        elif isinstance(event, TurnUpdate):
            if event.turn.display_text:
                self.words_at.append((event.turn.stream, now))
            if event.kind is UpdateKind.FINISHED:
                self.finished_at.append((event.turn.stream, now))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def auto_session(
    api_host: str,
    source: object,
    transcripts: Path,
    *,
    failover: FailoverSettings | None = None,
    collector: FailoverCollector | None = None,
) -> tuple[BuiltSession, FailoverCollector]:
    """A CLI-style session (no waiting for another input) on the cloud, the local engine
    standing in, as ``caption-app transcribe`` builds it with a key and engine = auto."""
    collector = FailoverCollector() if collector is None else collector
    settings = StreamingSettings(api_host=api_host).validate()
    auth = key_auth(TEST_API_KEY)
    built = build_live_session(
        settings,
        source,  # type: ignore[arg-type]
        lambda: auth,
        collector,
        engine=AssemblyAIEngine(lambda: auth, terminate_timeout_s=3.0),
        stand_in=LocalEngine(LocalEngineOptions()),
        failover=failover,
        timing=TIMING,
        transcripts=transcripts,
    )
    return built, collector


class ServerProcess:
    """The local streaming server as a process of its own, so it can be killed (SIGKILL)."""

    def __init__(self, port: int, script: Path | None = None) -> None:
        self.port = port
        self._script = script
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "tests.streaming_server", "--port", str(self.port)]
        command += ["--key", TEST_API_KEY]
        if self._script is not None:
            command += ["--script", str(self._script), "--no-loop"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the streaming server process did not start listening")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # SIGKILL: no close frames, no goodbye
            self.process.wait(timeout=10)


def cloud_script(folder: Path) -> tuple[Path, list[tuple[int, int]]]:
    """A script for the joined clips: each clip's reference words spread over its speech, one
    turn per clip (so the scripted cloud says what is really being said, about when)."""
    turns, spans, position = [], [], 0
    for name, reference in references().items():
        samples = read_wav(AUDIO_DIR / name)
        start_ms, end_ms = position * 1000 // RATE + 150, (position + len(samples)) * 1000 // RATE
        words = reference.split()
        step = (end_ms - 150 - start_ms) / len(words)
        turns.append(
            {
                "words": [
                    {
                        "text": w.lower().strip(".,;!?"),
                        "formatted": w,
                        "start": round(start_ms + i * step),
                        "end": round(start_ms + (i + 0.8) * step),
                    }
                    for i, w in enumerate(words)
                ]
            }
        )
        spans.append((start_ms, end_ms))
        position += len(samples) + int(RATE * 1.5)
    path = folder / "script.json"
    path.write_text(json.dumps(turns))
    return path, spans


def heard_script(folder: Path) -> Path:
    """A script for the joined clips in which the cloud says what Whisper tiny.en hears in
    each clip, at the times it hears it (one turn per clip). Two engines that agree on when
    each word was said, as two good recognisers do, so a word said twice across a switch is
    the app's doing, not a script's guess at the timing."""
    from faster_whisper import WhisperModel

    from caption_app.core.engines.local.models import find_model

    model = WhisperModel(str(find_model().path), device="cpu", compute_type="int8")
    turns, position = [], 0
    for name in references():
        samples = read_wav(AUDIO_DIR / name)
        offset_ms = position * 1000 // RATE
        segments, _info = model.transcribe(
            samples.astype("float32") / 32768, language="en", beam_size=1, word_timestamps=True
        )
        words = [w for segment in segments for w in segment.words or ()]
        turns.append(
            {
                "words": [
                    {
                        "text": w.word.strip().lower().strip(".,;!?"),
                        "formatted": w.word.strip(),
                        "start": offset_ms + round(w.start * 1000),
                        "end": offset_ms + round(w.end * 1000),
                    }
                    for w in words
                ]
            }
        )
        position += len(samples) + int(RATE * 1.5)
    path = folder / "heard.json"
    path.write_text(json.dumps(turns))
    return path
