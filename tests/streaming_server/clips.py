"""Real-speech clips from shared/audio, cut into chunks and paced like a live microphone."""

from __future__ import annotations

import csv
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.streaming_server.script import Script, script_from_reference
from tests.support.paths import AUDIO_DIR


@dataclass(frozen=True, slots=True)
class Clip:
    name: str
    pcm: bytes
    """Mono 16-bit little-endian samples."""
    sample_rate: int
    reference: str

    @property
    def duration_ms(self) -> int:
        return len(self.pcm) * 1000 // (self.sample_rate * 2)

    def script(self, *, turns: int = 1, turn_gap_ms: int = 0) -> Script:
        """The reference spread evenly over the clip."""
        return script_from_reference(
            self.reference, self.duration_ms, turns=turns, turn_gap_ms=turn_gap_ms
        )


def load_clip(name: str, audio_dir: Path = AUDIO_DIR) -> Clip:
    with wave.open(str(audio_dir / name), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise ValueError(f"{name}: expected mono 16-bit PCM")
        pcm = wav.readframes(wav.getnframes())
        rate = wav.getframerate()
    with (audio_dir / "references.tsv").open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        references = {row["file"]: row["reference"] for row in rows}
    return Clip(name, pcm, rate, references[name])


def chunks(pcm: bytes, sample_rate: int, chunk_ms: int = 50) -> list[bytes]:
    """Fixed-size chunks; a short last chunk is padded with silence to stay within 50-1000 ms."""
    size = sample_rate * 2 * chunk_ms // 1000
    pieces = [pcm[i : i + size] for i in range(0, len(pcm), size)]
    if pieces and len(pieces[-1]) < size:
        pieces[-1] = pieces[-1] + b"\x00" * (size - len(pieces[-1]))
    return pieces


def paced(pieces: list[bytes], chunk_ms: int, speed: float = 1.0) -> Iterator[bytes]:
    """Yield chunks on a real-time schedule (``speed`` > 1 sends faster than real time).

    Each chunk is released when the audio before it has "played", so a capture device's timing
    is reproduced without drift from sleep overshoot.
    """
    start = time.monotonic()
    for index, piece in enumerate(pieces):
        due = start + index * chunk_ms / 1000 / speed
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield piece
