"""Media files: every supported format decoded, converted and chunked; bad files explained."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest

from caption_app.core.audio.media import MediaSource, open_media_source, probe_media
from caption_app.core.audio.source import AudioChunk, AudioSourceError, EndOfStream
from tests.audio.media_files import FORMATS, Format, encode
from tests.audio.rig import read_wav, write_wav
from tests.audio.signal_tools import aligned_correlation, pcm_of


def read_all(source: MediaSource, limit_s: float = 30.0) -> list[AudioChunk]:
    chunks: list[AudioChunk] = []
    deadline = time.monotonic() + limit_s
    with pytest.raises(EndOfStream):
        while time.monotonic() < deadline:
            chunk = source.read(timeout=1.0)
            if chunk is not None:
                chunks.append(chunk)
    return chunks


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS.keys())
def test_each_format_decodes_to_16k_mono_chunks(
    fmt: Format, clips_dir: Path, tmp_path: Path
) -> None:
    reference, _ = read_wav(clips_dir / "librivox-austen-0880.wav")
    path = encode(reference, fmt, tmp_path / f"clip.{fmt.suffix}")
    source = open_media_source(path, chunk_ms=50, realtime=False)
    source.start()
    try:
        chunks = read_all(source)
    finally:
        source.stop()
    assert {len(c.pcm) for c in chunks} == {1600}
    assert [c.start_ms for c in chunks] == [50 * i for i in range(len(chunks))]
    duration_ms = reference.size // 16
    assert source.duration_ms == pytest.approx(duration_ms, abs=20)
    assert probe_media(path) == source.duration_ms
    decoded = pcm_of(chunks)
    # All the audio and at most one padded chunk (plus an encoder frame) more.
    assert duration_ms <= decoded.size // 16 <= duration_ms + 50 + 30
    if fmt.lossless:
        assert np.array_equal(decoded[: reference.size], reference)
        assert not decoded[reference.size :].any()  # the padding is silence
    else:
        corr, lag = aligned_correlation(decoded, reference)
        assert corr > 0.98, corr
        assert abs(lag) <= 16  # within a millisecond: no drift, no encoder delay left in
    assert source.position_ms == len(chunks) * 50


def test_a_10_s_file_takes_10_s_at_real_time_pace(clips_dir: Path, tmp_path: Path) -> None:
    parts = [
        read_wav(clips_dir / name)[0]
        for name in ("librivox-austen-0870.wav", "librivox-austen-0880.wav")
    ]
    path = write_wav(tmp_path / "ten-seconds.wav", np.concatenate(parts))
    source = open_media_source(path, chunk_ms=100, realtime=True)
    progress = []
    late_or_early = []
    source.start()
    started = time.monotonic()
    try:
        chunks: list[AudioChunk] = []
        with pytest.raises(EndOfStream):
            while time.monotonic() - started < 20:
                chunk = source.read(timeout=0.25)
                if chunk is None:
                    continue
                now = time.monotonic() - started
                chunks.append(chunk)
                late_or_early.append(now - (chunk.start_ms + 100) / 1000)
                progress.append((source.position_ms, source.duration_ms))
        elapsed = time.monotonic() - started
    finally:
        source.stop()
    audio_s = len(chunks) * 0.1
    assert audio_s == pytest.approx(10.1, abs=0.1)
    assert elapsed == pytest.approx(audio_s, rel=0.05)
    assert min(late_or_early) >= -0.002  # never ahead of real time
    assert np.median(late_or_early) < 0.02
    assert {len(c.pcm) for c in chunks} == {3200}
    assert progress[0] == (100, 10_090) and progress[-1] == (len(chunks) * 100, 10_090)


def test_stop_from_another_thread_unblocks_a_waiting_read(clips_dir: Path) -> None:
    source = open_media_source(clips_dir / "librivox-austen-0870.wav", realtime=True)
    source.start()
    assert source.read(timeout=1.0) is not None  # first chunk is due after 50 ms
    stopper = threading.Timer(0.2, source.stop)
    stopper.start()
    started = time.monotonic()
    try:
        results = [source.read(timeout=5.0) for _ in range(200)]
    finally:
        stopper.join()
    assert time.monotonic() - started < 1.0
    assert results[-1] is None


def test_a_corrupt_file_is_named_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "meeting.mp3"
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(AudioSourceError) as raised:
        open_media_source(path).start()
    assert str(raised.value).startswith("Cannot caption “meeting.mp3”: ")
    assert "Caption App reads WAV, FLAC, MP3" in str(raised.value)
    with pytest.raises(AudioSourceError, match=re.escape("“meeting.mp3”")):
        probe_media(path)


def test_a_text_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("minutes of the meeting\n" * 50)
    # FFmpeg reads text as a "tty" video: what it lacks, for us, is sound.
    expected = "Cannot caption “notes.txt”: it has no audio track"
    with pytest.raises(AudioSourceError, match=re.escape(expected)):
        open_media_source(path).start()


def test_a_video_without_sound_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "silent-film.mp4"
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        for index in range(5):
            picture = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            picture.pts = index
            out.mux(video.encode(picture))
        out.mux(video.encode(None))
    with pytest.raises(
        AudioSourceError, match=re.escape("“silent-film.mp4”: it has no audio track")
    ):
        open_media_source(path).start()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(AudioSourceError, match=re.escape("“gone.wav”: the file does not exist")):
        open_media_source(tmp_path / "gone.wav").start()


def test_a_truncated_file_fails_after_the_audio_it_holds(clips_dir: Path, tmp_path: Path) -> None:
    reference, _ = read_wav(clips_dir / "librivox-austen-0870.wav")
    whole = encode(reference, FORMATS["flac"], tmp_path / "whole.flac").read_bytes()
    path = tmp_path / "cut.flac"
    path.write_bytes(whole[: len(whole) // 3])
    source = open_media_source(path, realtime=False)
    source.start()
    chunks: list[AudioChunk] = []
    try:
        with pytest.raises(AudioSourceError) as raised:
            for _ in range(1000):
                chunk = source.read(timeout=1.0)
                if chunk is not None:
                    chunks.append(chunk)
    finally:
        source.stop()
    decoded = pcm_of(chunks)
    assert decoded.size > 16_000  # more than a second was delivered first
    assert np.array_equal(decoded, reference[: decoded.size])
    assert str(raised.value).startswith("Cannot caption “cut.flac”: decoding failed at ")
