"""Shared by the audio tests: WAV helpers and the PulseAudio rig the `pulse` fixture yields."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tests.support.pulse import PulseServer


def read_wav(path: Path) -> tuple[npt.NDArray[np.int16], int]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        frames = wav.readframes(wav.getnframes())
        return np.frombuffer(frames, dtype="<i2").astype(np.int16), wav.getframerate()


def write_wav(path: Path, samples: npt.NDArray[np.int16], rate: int = 16_000) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.astype("<i2").tobytes())
    return path


@dataclass
class PulseRig:
    server: PulseServer
    sink16: str = "captest16"
    """16 kHz mono null sink: its monitor delivers bit-identical samples."""
    sink48: str = "captest48"
    """48 kHz stereo null sink: capture at a rate other than 16 kHz."""
    description16: str = "Caption Test Speakers 16k"
    description48: str = "Caption Test Speakers 48k"
