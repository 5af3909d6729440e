"""The shared real-speech clips joined into one recording, with where each one's speech ends,
streamed at real-time pace through the live session and the local engine (the GUI's path)."""

from __future__ import annotations

import csv
import re
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from caption_app.core.audio.media import open_media_source
from caption_app.core.engines.local.engine import LocalEngine, LocalEngineOptions
from caption_app.core.model.session import SessionEnded, SessionEvent, StreamOpened
from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import build_live_session
from tests.streaming.harness import FAST, Collector
from tests.support.paths import AUDIO_DIR

RATE = 16_000
GAP_S = 1.5
_NUMBERS = {"10": "ten"}


def references() -> dict[str, str]:
    with (AUDIO_DIR / "references.tsv").open(newline="") as handle:
        return {row["file"]: row["reference"] for row in csv.DictReader(handle, delimiter="\t")}


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.astype(np.int16).tobytes())
    return path


def normalise(text: str) -> str:
    """For word error rate: lower case, no punctuation or hyphens, numbers spelled out."""
    text = re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " "))
    return " ".join(_NUMBERS.get(w, w) for w in text.split())


@dataclass(frozen=True)
class Recording:
    path: Path
    reference: str
    speech_ends_ms: tuple[int, ...]
    """Where each clip's last audible sample is, on the recording's clock."""


def joined_clips(folder: Path) -> Recording:
    refs = references()
    gap = np.zeros(int(RATE * GAP_S), dtype=np.int16)
    parts, ends, position = [], [], 0
    for name in refs:
        clip = read_wav(AUDIO_DIR / name)
        audible = np.nonzero(np.abs(clip.astype(np.int32)) > 300)[0]
        ends.append((position + int(audible[-1])) * 1000 // RATE)
        parts += [clip, gap]
        position += len(clip) + len(gap)
    path = write_wav(folder / "joined.wav", np.concatenate(parts))
    return Recording(path, " ".join(refs.values()), tuple(ends))


@dataclass
class TimedCollector(Collector):
    """A collector that also notes when each update arrived and when audio began to flow."""

    arrived: list[float] = field(default_factory=list)
    audio_started_at: float = 0.0

    def __call__(self, event: SessionEvent) -> None:
        super().__call__(event)
        if isinstance(event, StreamOpened) and event.stream == 0:
            self.audio_started_at = time.monotonic()
        elif isinstance(event, TurnUpdate):
            self.arrived.append(time.monotonic())


def stream_locally(
    media: Path, transcripts: Path, *, model_folder: str = "", **settings: object
) -> tuple[TimedCollector, SessionEnded]:
    collector = TimedCollector()
    streaming = StreamingSettings(**settings).validate()  # type: ignore[arg-type]
    source = open_media_source(media, streaming.chunk_ms, realtime=True)
    engine = LocalEngine(LocalEngineOptions(model_folder=model_folder), streaming)
    built = build_live_session(
        streaming,
        source,
        None,
        collector,
        cli=True,
        engine=engine,
        timing=FAST,
        transcripts=transcripts,
    )
    return collector, built.session.run()


def finished_text(turns: dict[tuple[int, int], Turn]) -> str:
    return " ".join(t.text for t in turns.values())


def live_updates(collector: Collector) -> list[TurnUpdate]:
    return [u for u in collector.updates if u.kind is UpdateKind.LIVE]
