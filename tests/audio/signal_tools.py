"""Comparing captured audio with the recording that was played."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from caption_app.core.audio.source import AudioChunk


def pcm_of(chunks: list[AudioChunk]) -> npt.NDArray[np.int16]:
    return np.frombuffer(b"".join(c.pcm for c in chunks), dtype="<i2").astype(np.int16)


def best_lag(captured: npt.NDArray[np.int16], reference: npt.NDArray[np.int16]) -> int:
    """Offset of `reference` inside `captured` that maximises their cross-correlation (FFT)."""
    a = captured.astype(np.float64)
    b = reference.astype(np.float64)
    size = 1 << int(np.ceil(np.log2(a.size + b.size)))
    xcorr = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    lag = int(np.argmax(xcorr))
    return lag if lag <= a.size else lag - size


def aligned_correlation(
    captured: npt.NDArray[np.int16], reference: npt.NDArray[np.int16]
) -> tuple[float, int]:
    """(Pearson correlation of the overlapping part after alignment, lag in samples)."""
    lag = best_lag(captured, reference)
    if lag >= 0:
        a, b = captured[lag : lag + reference.size], reference[: captured.size - lag]
    else:
        a, b = captured[: reference.size + lag], reference[-lag : -lag + captured.size]
    n = min(a.size, b.size)
    corr = float(np.corrcoef(a[:n].astype(np.float64), b[:n].astype(np.float64))[0, 1])
    return corr, lag
