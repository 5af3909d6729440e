"""Level maths, the silence notice, and the shared convert-and-chunk path (no devices needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from caption_app.core.audio.levels import FLOOR_DBFS, levels
from caption_app.core.audio.pipeline import Chunker, Converter
from caption_app.core.audio.silence import SilenceWatch
from caption_app.core.audio.source import AudioChunk
from tests.audio.rig import read_wav
from tests.audio.signal_tools import aligned_correlation


def test_levels_of_known_signals() -> None:
    full_square = np.array([32767, -32768] * 400, dtype=np.int16)
    assert levels(full_square) == pytest.approx((0.0, 0.0), abs=0.01)
    t = np.arange(16_000) / 16_000
    sine = np.round(0.5 * 32768 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    rms, peak = levels(sine)
    assert rms == pytest.approx(-6.02 - 3.01, abs=0.02)
    assert peak == pytest.approx(-6.02, abs=0.01)
    assert levels(np.zeros(800, dtype=np.int16)) == (FLOOR_DBFS, FLOOR_DBFS)


def test_chunker_cuts_exact_chunks_and_pads_only_the_last() -> None:
    chunker = Chunker(200)
    samples = np.arange(1, 8001, dtype=np.int16)  # 0.5 s
    chunks = chunker.push(samples[:3000]) + chunker.push(samples[3000:]) + chunker.flush()
    assert [len(c.pcm) for c in chunks] == [6400, 6400, 6400]
    assert [c.start_ms for c in chunks] == [0, 200, 400]
    joined = np.frombuffer(b"".join(c.pcm for c in chunks), dtype="<i2")
    assert np.array_equal(joined[:8000], samples) and not joined[8000:].any()
    assert chunker.flush() == []


@pytest.mark.parametrize("chunk_ms", [49, 201, 1000])
def test_chunk_size_outside_the_range_is_refused(chunk_ms: int) -> None:
    with pytest.raises(ValueError, match="chunk_ms must be 50-200"):
        Chunker(chunk_ms)


def test_16k_mono_passes_through_unchanged(clips_dir: Path) -> None:
    reference, _ = read_wav(clips_dir / "goforward.wav")
    frames = (reference.astype(np.float32) / 32768.0).reshape(-1, 1)
    assert np.array_equal(Converter(16_000).convert(frames), reference)


def test_44k1_stereo_is_downmixed_and_resampled_with_soxr(clips_dir: Path) -> None:
    import soxr

    reference, _ = read_wav(clips_dir / "librivox-austen-0880.wav")
    high = soxr.resample(reference.astype(np.float32) / 32768.0, 16_000, 44_100)
    stereo = np.stack([high * 0.9, high * 1.1], axis=1).astype(np.float32)  # mean = high
    converter = Converter(44_100)
    blocks = [converter.convert(stereo[i : i + 441]) for i in range(0, len(stereo), 441)]
    out = np.concatenate([*blocks, converter.flush()])
    assert abs(out.size - reference.size) <= 2
    corr, lag = aligned_correlation(out, reference)
    assert corr > 0.999 and lag == 0


def silent(start_ms: int, peak: float = FLOOR_DBFS) -> AudioChunk:
    return AudioChunk(bytes(1600), start_ms, peak, peak)


def test_silence_notice_after_ten_seconds_once_and_again_after_sound() -> None:
    watch = SilenceWatch("Desk Mic")
    notices = [(ms, watch.feed(silent(ms), 50)) for ms in range(0, 12_000, 50)]
    fired = [(ms, text) for ms, text in notices if text is not None]
    assert fired == [(9_950, "No sound from Desk Mic — is it muted?")]
    assert watch.silent
    assert watch.feed(silent(12_000, peak=-20.0), 50) is None
    assert not watch.silent
    later = [watch.feed(silent(ms), 50) for ms in range(12_050, 22_050, 50)]
    assert later[-1] == "No sound from Desk Mic — is it muted?"
    assert later[:-1] == [None] * (len(later) - 1)


def test_faint_hiss_counts_as_silence_but_speech_does_not() -> None:
    watch = SilenceWatch("Desk Mic", silence_s=1.0)
    assert [watch.feed(silent(ms, peak=-70.0), 50) for ms in range(0, 1000, 50)][-1] is not None
    speech = SilenceWatch("Desk Mic", silence_s=1.0)
    assert all(speech.feed(silent(ms, peak=-40.0), 50) is None for ms in range(0, 5000, 50))
