"""What every audio source hands the streaming session: fixed 16 kHz mono s16le chunks.

Devices, system audio and media files all look the same from here on, so the session (and the
tests) never care where the sound came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

SAMPLE_RATE = 16_000
"""AssemblyAI streaming input: 16 kHz, mono, 16-bit little-endian PCM."""
SAMPLE_WIDTH = 2
MIN_CHUNK_MS, MAX_CHUNK_MS = 50, 200
"""Our range; AssemblyAI itself accepts 50-1000 ms per message."""


@dataclass(frozen=True, slots=True)
class AudioChunk:
    pcm: bytes
    """16 kHz mono s16le, exactly chunk_ms of audio (a file's last chunk is padded with silence)."""
    start_ms: int
    """Position of the first sample on the source's clock, so drops and pauses keep one clock."""
    rms_dbfs: float
    peak_dbfs: float


class AudioSourceError(Exception):
    """A sentence a person understands: which device or file, what went wrong, what to do."""


class EndOfStream(Exception):
    """A media file has delivered all of its audio."""


@runtime_checkable
class AudioSource(Protocol):
    description: str

    def start(self) -> None: ...

    def read(self, timeout: float) -> AudioChunk | None: ...

    def stop(self) -> None: ...

    @property
    def overflow_count(self) -> int:
        """Chunks the input had to drop because nobody read them in time."""
        ...

    @property
    def duration_ms(self) -> int | None:
        """A media file's length (for progress); None for live inputs."""
        ...


class LiveInput:
    """What a live input (a device; a microphone with system audio) says of its length and
    position: nothing, unlike a media file."""

    @property
    def duration_ms(self) -> int | None:
        return None

    @property
    def position_ms(self) -> int | None:
        return None


@runtime_checkable
class AttributingSource(Protocol):
    """A source that can tell who was speaking when (microphone + system audio)."""

    def channel_of(self, start_ms: int, end_ms: int) -> str | None: ...

    def take_notice(self) -> str | None:
        """A message about one of its sides (system audio stopped), handed out once."""
        ...


@runtime_checkable
class PacedSource(Protocol):
    """A source whose next chunk is due at a known time (a file played in real time)."""

    def due_in(self) -> float | None:
        """Seconds until the next chunk can be read without waiting; None when unknown."""
        ...


def check_chunk_ms(chunk_ms: int) -> int:
    if not MIN_CHUNK_MS <= chunk_ms <= MAX_CHUNK_MS:
        raise ValueError(f"chunk_ms must be {MIN_CHUNK_MS}-{MAX_CHUNK_MS}, not {chunk_ms}")
    return chunk_ms
