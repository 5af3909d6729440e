"""Sixty seconds with no speech in it, made here: silence, white and pink noise at several
levels, steady tones and a little synthesised music. Whisper invents words on all of these."""

from __future__ import annotations

import numpy as np

RATE = 16_000


def _seconds(s: float) -> int:
    return int(RATE * s)


def _at_dbfs(signal: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(signal**2))) or 1.0
    return signal * (10 ** (dbfs / 20) / rms)


def white(seconds: float, dbfs: float, rng: np.random.Generator) -> np.ndarray:
    return _at_dbfs(rng.standard_normal(_seconds(seconds)), dbfs)


def pink(seconds: float, dbfs: float, rng: np.random.Generator) -> np.ndarray:
    n = _seconds(seconds)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    return _at_dbfs(np.fft.irfft(spectrum, n), dbfs)


def tones(seconds: float, dbfs: float) -> np.ndarray:
    t = np.arange(_seconds(seconds)) / RATE
    half = len(t) // 2
    beep = np.sin(2 * np.pi * 440 * t[:half])
    chord = sum(np.sin(2 * np.pi * f * t[half:]) for f in (261.6, 329.6, 392.0))
    return _at_dbfs(np.concatenate([beep, chord]), dbfs)


def music(seconds: float, dbfs: float) -> np.ndarray:
    """A plucked melody with harmonics over a bass note, four notes a second."""
    melody = [262, 294, 330, 349, 392, 440, 494, 523, 494, 440, 392, 349]
    note = _seconds(0.25)
    t = np.arange(note) / RATE
    envelope = np.exp(-6 * t)
    notes = []
    for i in range(int(seconds * 4)):
        f = melody[i % len(melody)]
        tone = sum(np.sin(2 * np.pi * f * k * t) / k for k in (1, 2, 3, 4))
        bass = 0.5 * np.sin(2 * np.pi * (f / 4) * t)
        notes.append((tone + bass) * envelope)
    return _at_dbfs(np.concatenate(notes), dbfs)


def no_speech_minute(seed: int = 7) -> np.ndarray:
    """60 s of int16 audio with no speech in it."""
    rng = np.random.default_rng(seed)
    parts = [
        np.zeros(_seconds(8)),
        white(6, -45, rng),
        white(6, -30, rng),
        white(6, -18, rng),
        pink(6, -40, rng),
        pink(6, -25, rng),
        pink(6, -15, rng),
        tones(6, -20),
        music(10, -20),
    ]
    audio = np.concatenate(parts)
    assert len(audio) == _seconds(60)
    samples: np.ndarray = np.clip(audio * 32768, -32768, 32767).astype(np.int16)
    return samples
