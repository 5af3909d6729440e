"""The shared conversion path: any rate and channel count -> 16 kHz mono s16le chunks.

Devices and media files both go through here, so a file and a live capture are converted the
same way: downmix by averaging, resample with soxr (a real band-limited resampler), then cut
into fixed chunks carrying their position on the source's clock and their level.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr

from caption_app.core.audio.levels import levels
from caption_app.core.audio.source import SAMPLE_RATE, AudioChunk, check_chunk_ms

FloatArray = npt.NDArray[np.float32]
Int16Array = npt.NDArray[np.int16]


def int16_interleaved_to_float(data: bytes, channels: int) -> FloatArray:
    """Raw s16le frames from PortAudio -> float32 array shaped (frames, channels)."""
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels)


class Converter:
    """Downmix to mono and resample to 16 kHz; keeps resampler state across calls."""

    def __init__(self, in_rate: int) -> None:
        self.in_rate = in_rate
        # Equal rates skip soxr entirely so 16 kHz input stays bit-identical.
        self._stream = (
            None
            if in_rate == SAMPLE_RATE
            else soxr.ResampleStream(in_rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")
        )

    def convert(self, frames: FloatArray, *, last: bool = False) -> Int16Array:
        """frames: float32 in [-1, 1], shaped (n, channels). Returns 16 kHz mono int16."""
        mono = frames.mean(axis=1, dtype=np.float32) if frames.shape[1] > 1 else frames[:, 0]
        mono = np.ascontiguousarray(mono, dtype=np.float32)
        if self._stream is not None:
            mono = self._stream.resample_chunk(mono, last=last)
        return _to_int16(mono)

    def flush(self) -> Int16Array:
        """What the resampler still holds (end of input)."""
        if self._stream is None:
            return np.zeros(0, dtype=np.int16)
        return _to_int16(self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))


def _to_int16(samples: FloatArray) -> Int16Array:
    # float32 is exact here: scaling by a power of two and rounding to 16 bits lose nothing
    # (no float64 copy of every chunk).
    scaled = np.rint(np.multiply(samples, np.float32(32768.0), dtype=np.float32))
    np.clip(scaled, -32768, 32767, out=scaled)
    return scaled.astype(np.int16)


class Chunker:
    """Cuts a 16 kHz mono stream into fixed chunk_ms pieces stamped with their position."""

    def __init__(self, chunk_ms: int) -> None:
        self.chunk_ms = check_chunk_ms(chunk_ms)
        self.chunk_samples = SAMPLE_RATE * chunk_ms // 1000
        self._pending = np.zeros(0, dtype=np.int16)
        self._samples_out = 0

    @property
    def position_ms(self) -> int:
        return self._samples_out * 1000 // SAMPLE_RATE

    def push(self, samples: Int16Array) -> list[AudioChunk]:
        self._pending = np.concatenate((self._pending, samples))
        chunks = []
        while self._pending.size >= self.chunk_samples:
            chunks.append(self._emit(self._pending[: self.chunk_samples]))
            self._pending = self._pending[self.chunk_samples :]
        return chunks

    def flush(self) -> list[AudioChunk]:
        """The remainder padded with silence to a whole chunk (end of a file)."""
        if self._pending.size == 0:
            return []
        padded = np.zeros(self.chunk_samples, dtype=np.int16)
        padded[: self._pending.size] = self._pending
        self._pending = np.zeros(0, dtype=np.int16)
        return [self._emit(padded)]

    def _emit(self, block: Int16Array) -> AudioChunk:
        start_ms = self.position_ms
        self._samples_out += block.size
        rms, peak = levels(block)
        return AudioChunk(block.astype("<i2", copy=False).tobytes(), start_ms, rms, peak)
