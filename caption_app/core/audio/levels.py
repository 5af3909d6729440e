"""Level meter maths: RMS and peak in dBFS of 16-bit samples (full scale = 0 dBFS)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FLOOR_DBFS = -100.0
"""What digital silence reads as; keeps -inf out of the UI and out of comparisons."""
_FULL_SCALE = 32768.0


def _to_dbfs(amplitude: float) -> float:
    if amplitude <= 0.0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 20.0 * math.log10(amplitude / _FULL_SCALE))


def rms_dbfs(samples: npt.NDArray[np.int16]) -> float:
    if samples.size == 0:
        return FLOOR_DBFS
    as_float = samples.astype(np.float64)  # every chunk: one copy and a dot product
    return _to_dbfs(math.sqrt(float(np.dot(as_float, as_float)) / samples.size))


def peak_dbfs(samples: npt.NDArray[np.int16]) -> float:
    if samples.size == 0:
        return FLOOR_DBFS
    return _to_dbfs(float(max(int(samples.max()), -int(samples.min()))))


def levels(samples: npt.NDArray[np.int16]) -> tuple[float, float]:
    """(RMS dBFS, peak dBFS) of one block."""
    return rms_dbfs(samples), peak_dbfs(samples)
