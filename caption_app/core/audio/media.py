"""Caption a recording: decode with PyAV, convert like live capture, pace to real time.

AssemblyAI rejects audio sent faster than real time, so read() holds each chunk back until its
wall-clock due time, measured from start() with a monotonic clock (deadlines, not sleeps that
add up, so a long file does not drift).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from caption_app.core.audio.pipeline import Chunker, Converter, FloatArray
from caption_app.core.audio.source import AudioChunk, AudioSourceError, EndOfStream, check_chunk_ms

SUPPORTED_HINT = "Caption App reads WAV, FLAC, MP3, M4A/AAC, Opus/WebM and the audio of MP4 files."
LATE_RESYNC_S = 1.0
DECODE_AHEAD_MS = 1000
"""Decode this much at a time: the decoder and the conversions then run once a second, with
their code and data warm, instead of twenty times a second each from a cold start (measured:
about half a percent of a core while captioning, most of the session thread's work)."""
EARLY_OK_S = 0.001
"""A chunk asked for this close to its due time is handed out at once: a wait that short
costs a thread wake-up and changes nothing the service can measure."""
_INT_SCALE = {"u8": 128.0, "s16": 32768.0, "s32": 2147483648.0, "s64": 9223372036854775808.0}


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).rstrip(".")


def _open(path: Path) -> tuple[Any, Any]:
    """(container, first audio stream) or AudioSourceError naming the file and the reason."""
    if not path.is_file():
        raise AudioSourceError(f"Cannot caption “{path.name}”: the file does not exist.")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise AudioSourceError(
            f"Cannot caption “{path.name}”: {_reason(exc)}. {SUPPORTED_HINT}"
        ) from exc
    if not container.streams.audio:
        container.close()
        raise AudioSourceError(
            f"Cannot caption “{path.name}”: it has no audio track. {SUPPORTED_HINT}"
        )
    return container, container.streams.audio[0]


def _duration_ms(container: Any, stream: Any) -> int | None:
    if stream.duration is not None and stream.time_base is not None:
        return int(stream.duration * stream.time_base * 1000)
    if container.duration is not None:
        return int(container.duration // 1000)  # microseconds (AV_TIME_BASE)
    return None


def probe_media(path: str | Path) -> int | None:
    """The file's duration in ms (None when the container does not say); raises if unreadable."""
    container, stream = _open(Path(path))
    try:
        return _duration_ms(container, stream)
    finally:
        container.close()


def frame_to_float(frame: Any) -> FloatArray:
    """Any PyAV audio frame -> float32 (samples, channels) in [-1, 1]."""
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    fmt = frame.format.name.rstrip("p")
    data = data.T if frame.format.is_planar else data.reshape(-1, channels)
    if fmt in ("flt", "dbl"):
        result: FloatArray = np.asarray(data, dtype=np.float32)
        return result
    # 32- and 64-bit integers need float64 to keep their low bits; 8 and 16 do not.
    wide = np.float64 if fmt in ("s32", "s64") else np.float32
    values: npt.NDArray[np.floating[Any]] = np.asarray(data, dtype=wide)
    if fmt == "u8":
        values -= 128.0
    values *= 1.0 / _INT_SCALE[fmt]
    result = values.astype(np.float32, copy=False)
    return result


class MediaSource:
    """An AudioSource reading a media file, optionally paced to real time."""

    def __init__(
        self,
        path: str | Path,
        chunk_ms: int = 50,
        realtime: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.description = self.path.name
        self.chunk_ms = check_chunk_ms(chunk_ms)
        self.realtime = realtime
        self._clock = clock
        self._chunker = Chunker(chunk_ms)
        self._ready: deque[AudioChunk] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._container: Any = None
        self._frames: Iterator[Any] | None = None
        self._converter: Converter | None = None
        self._duration: int | None = None
        self._delivered_ms = 0
        self._t0 = 0.0
        self._decoded_all = False
        self._failure: AudioSourceError | None = None
        """A decoding error met while reading ahead: raised once the audio before it is out."""

    @property
    def overflow_count(self) -> int:
        return 0  # decoding waits for the reader: nothing is ever dropped

    @property
    def duration_ms(self) -> int | None:
        return self._duration

    @property
    def position_ms(self) -> int | None:
        return self._delivered_ms

    def start(self) -> None:
        with self._lock:
            if self._container is not None:
                return
            self._container, stream = _open(self.path)
            self._duration = _duration_ms(self._container, stream)
            self._frames = self._container.decode(stream)
            self._t0 = self._clock()

    def due_in(self) -> float | None:
        """Seconds until the next chunk is due, so the reader can sleep until then in one
        wait (on whatever else it waits for) instead of two."""
        if not self.realtime or self._container is None:
            return None
        return max(0.0, self._t0 + (self._delivered_ms + self.chunk_ms) / 1000 - self._clock())

    def read(self, timeout: float) -> AudioChunk | None:
        with self._lock:
            if self._stopping.is_set() or self._container is None:
                return None
            chunk = self._next_chunk()
        if self.realtime:
            wait = self._t0 + (chunk.start_ms + self.chunk_ms) / 1000 - self._clock()
            if wait < -LATE_RESYNC_S:
                # The reader fell behind: re-anchor rather than burst faster than real time.
                self._t0 -= wait
                wait = 0.0
            if wait > timeout:
                with self._lock:
                    self._ready.appendleft(chunk)  # not due yet: hand it out on a later call
                self._stopping.wait(max(0.0, timeout))
                return None
            if wait > EARLY_OK_S and self._stopping.wait(wait):
                return None
        self._delivered_ms = chunk.start_ms + self.chunk_ms
        return chunk

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._container is not None:
                self._container.close()
                self._container = None
                self._frames = None

    def _next_chunk(self) -> AudioChunk:
        if not self._ready and self._failure is None and not self._decoded_all:
            self._decode_ahead()
        if self._ready:
            return self._ready.popleft()
        if self._failure is not None:
            raise self._failure  # only once the audio before it is out
        raise EndOfStream(self.description)

    def _decode_ahead(self) -> None:
        wanted = max(1, DECODE_AHEAD_MS // self.chunk_ms)
        try:
            while len(self._ready) < wanted and not self._decoded_all:
                self._decode_some()
        except AudioSourceError as exc:
            self._failure = exc

    def _decode_some(self) -> None:
        assert self._frames is not None
        try:
            frame = next(self._frames, None)
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise AudioSourceError(
                f"Cannot caption “{self.description}”: decoding failed at "
                f"{self._chunker.position_ms / 1000:.1f} s ({_reason(exc)})."
            ) from exc
        if frame is None:
            self._decoded_all = True
            if self._converter is not None:
                self._ready.extend(self._chunker.push(self._converter.flush()))
            self._ready.extend(self._chunker.flush())
            return
        if self._converter is None or self._converter.in_rate != frame.sample_rate:
            if self._converter is not None:
                self._ready.extend(self._chunker.push(self._converter.flush()))
            self._converter = Converter(int(frame.sample_rate))
        self._ready.extend(self._chunker.push(self._converter.convert(frame_to_float(frame))))


def open_media_source(path: str | Path, chunk_ms: int = 50, realtime: bool = True) -> MediaSource:
    """Not started yet, but checked: a missing, unreadable or non-media file raises
    ``AudioSourceError`` here, before anything connects to a service."""
    probe_media(path)
    return MediaSource(path, chunk_ms=chunk_ms, realtime=realtime)
