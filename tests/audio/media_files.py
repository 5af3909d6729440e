"""Make media files in a test from a 16 kHz clip, with PyAV itself (nothing is committed)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Format:
    suffix: str
    codec: str
    rate: int
    layout: str
    lossless: bool
    with_video: bool = False


FORMATS = {
    "wav": Format("wav", "pcm_s16le", 16_000, "mono", lossless=True),
    "flac": Format("flac", "flac", 16_000, "mono", lossless=True),
    "mp3": Format("mp3", "libmp3lame", 44_100, "stereo", lossless=False),
    "m4a": Format("m4a", "aac", 44_100, "stereo", lossless=False),
    "webm": Format("webm", "libopus", 48_000, "stereo", lossless=False),
    "mp4": Format("mp4", "aac", 48_000, "stereo", lossless=False, with_video=True),
}


def encode(samples: npt.NDArray[np.int16], fmt: Format, path: Path) -> Path:
    """Encode 16 kHz mono samples into `path`; an MP4 also gets a video track first."""
    with av.open(str(path), "w") as out:
        video = None
        if fmt.with_video:
            video = out.add_stream("mpeg4", rate=10)
            assert isinstance(video, av.VideoStream)
            video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream(fmt.codec, rate=fmt.rate, layout=fmt.layout)
        assert isinstance(audio, av.AudioStream)
        formats = audio.codec_context.codec.audio_formats
        assert formats
        resampler = av.AudioResampler(
            format=formats[0].name,
            layout=fmt.layout,
            rate=fmt.rate,
            frame_size=audio.codec_context.frame_size or 1024,
        )
        source = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        source.sample_rate = 16_000
        source.pts, source.time_base = 0, Fraction(1, 16_000)
        for frame in [*resampler.resample(source), *resampler.resample(None)]:
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
        if video is not None:
            seconds = samples.size / 16_000
            for index in range(int(seconds * 10)):
                picture = av.VideoFrame.from_ndarray(
                    np.full((48, 64, 3), index * 3 % 256, dtype=np.uint8), format="rgb24"
                )
                picture.pts = index
                out.mux(video.encode(picture))
            out.mux(video.encode(None))
    return path
