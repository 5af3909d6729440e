"""Live capture from an input device: PortAudio callback -> convert -> bounded chunk queue.

Everything heavy (downmix, soxr, chunking, levels) runs on PortAudio's callback thread, never on
the GUI thread. The queue is bounded: when the reader falls behind, the oldest chunk is dropped
and counted (the chunk clock keeps running, so the drop shows up as a gap, never silently).
A watch thread turns "the device went away" into an error that read() raises after the audio
already captured has been delivered.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
from typing import Any

from caption_app.core.audio import portaudio, pulse_sources
from caption_app.core.audio.devices import PULSE_HOST_API, InputDevice
from caption_app.core.audio.pipeline import Chunker, Converter, int16_interleaved_to_float
from caption_app.core.audio.source import (
    AudioChunk,
    AudioSourceError,
    LiveInput,
    check_chunk_ms,
)

DEFAULT_QUEUE_MS = 2000
STALL_S = 3.0
"""No callback for this long while running means the device stopped delivering."""
_WATCH_PERIOD_S = 0.5
"""How often the watch looks (a stream PortAudio stopped; a stall of STALL_S). A PulseAudio
source's removal is heard at once (``pulse_sources.SourceRemovalWatch``); ten looks a second
cost a captioning meeting measurable CPU for nothing."""
_RATE_CANDIDATES = (48_000, 44_100, 16_000, 32_000, 96_000, 22_050, 8_000)
_PA_INPUT_OVERFLOW = 0x2  # paInputOverflow status flag
CALLBACK_MS = 50
"""PortAudio hands over audio every 50 ms, one chunk's worth: each callback wakes a thread and
takes the interpreter lock, so 20 ms buffers cost two and a half times the wake-ups for no
earlier chunk (a chunk is 50 ms of audio whatever the buffer)."""


class DeviceSource(LiveInput):
    """An AudioSource reading one input device (microphone or system audio)."""

    def __init__(
        self, device: InputDevice, chunk_ms: int = 50, queue_ms: int = DEFAULT_QUEUE_MS
    ) -> None:
        self.device = device
        self.description = device.label
        self.chunk_ms = check_chunk_ms(chunk_ms)
        self._max_chunks = max(1, queue_ms // chunk_ms)
        self._chunks: collections.deque[AudioChunk] = collections.deque()
        self._cond = threading.Condition()
        self._overflows = 0
        self._input_overflows = 0
        self._failure: str | None = None
        self._stopped = False
        self._started = False
        self._pa: Any = None
        self._stream: Any = None
        self._removal_watch: pulse_sources.SourceRemovalWatch | None = None
        self._watch_stop = threading.Event()
        self._watch_thread: threading.Thread | None = None
        self._last_callback = 0.0
        self._converter: Converter | None = None
        self._chunker = Chunker(chunk_ms)
        self._channels = 1
        self.rate = 0

    # --- AudioSource ---------------------------------------------------------------------

    @property
    def overflow_count(self) -> int:
        """Chunks dropped from the queue, and times the device itself lost input (its
        callback was late): audio lost either way, because the computer was too busy."""
        return self._overflows + self._input_overflows

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            self._pa = portaudio.new_portaudio()
            self._open_stream()
            self._last_callback = time.monotonic()
            self._stream.start_stream()
            if self._removal_watch is not None:
                self._removal_watch.find_capture()  # (the server has the stream now)
        except AudioSourceError:
            self.stop()
            raise
        except OSError as exc:
            self.stop()
            raise AudioSourceError(self._open_failure(exc)) from exc
        self._watch_thread = threading.Thread(
            target=self._watch, name=f"capture-watch {self.description}", daemon=True
        )
        self._watch_thread.start()

    def read(self, timeout: float) -> AudioChunk | None:
        with self._cond:
            self._cond.wait_for(
                lambda: bool(self._chunks) or self._failure is not None or self._stopped,
                timeout=max(0.0, timeout),
            )
            if self._chunks:
                return self._chunks.popleft()
            if self._failure is not None:
                raise AudioSourceError(self._failure)
            return None

    def stop(self) -> None:
        with self._cond:
            already = self._stopped
            self._stopped = True
            self._cond.notify_all()
        if already:
            return
        self._watch_stop.set()
        if self._removal_watch is not None:
            self._removal_watch.stop()
        if self._watch_thread is not None and threading.current_thread() is not self._watch_thread:
            self._watch_thread.join(timeout=2.0)
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop_stream()
                stream.close()
            except OSError:
                pass  # the device is already gone; nothing left to release
        pa, self._pa = self._pa, None
        if pa is not None:
            portaudio.terminate(pa)

    # --- opening ---------------------------------------------------------------------------

    def _open_stream(self) -> None:
        if self.device.host_api == PULSE_HOST_API:
            index = self._pulse_device_index()
            rate, self._channels = self.device.default_rate, min(self.device.channels, 2)
            source_name: str | None = self.device.key
            pulse_index = pulse_sources.source_index(self.device.key)
            if pulse_index is None:
                raise AudioSourceError(self._gone_message())
        else:
            index = self._portaudio_device_index()
            self._channels = max(1, min(self.device.channels, 2))
            rate = self._supported_rate(index)
            source_name, pulse_index = None, None
        self.rate = rate
        self._converter = Converter(rate)
        with portaudio.PA_LOCK, portaudio.pulse_source_env(source_name):
            self._stream = self._pa.open(
                rate=rate,
                channels=self._channels,
                format=portaudio.paInt16(),
                input=True,
                input_device_index=index,
                frames_per_buffer=max(64, rate * CALLBACK_MS // 1000),
                stream_callback=self._callback,
                start=False,
            )
        if pulse_index is not None:
            self._removal_watch = pulse_sources.SourceRemovalWatch(
                pulse_index, lambda: self._fail(self._gone_message())
            )

    def _pulse_device_index(self) -> int:
        """PortAudio's ALSA 'pulse' device; PULSE_SOURCE picks the source while opening it."""
        names: dict[str, int] = {}
        for index in range(self._pa.get_device_count()):
            info = self._pa.get_device_info_by_index(index)
            if int(info["maxInputChannels"]) > 0:
                names.setdefault(str(info["name"]), index)
        for candidate in ("pulse", "default"):
            if candidate in names:
                return int(names[candidate])
        raise AudioSourceError(
            f"Cannot open “{self.description}”: PortAudio does not reach the sound server. "
            "Install the ALSA PulseAudio plugin (libasound2-plugins) and start again."
        )

    def _portaudio_device_index(self) -> int:
        for index in range(self._pa.get_device_count()):
            info = self._pa.get_device_info_by_index(index)
            api = portaudio.host_api_name(self._pa, int(info["hostApi"]))
            if (
                str(info["name"]) == self.device.key
                and api == self.device.host_api
                and int(info["maxInputChannels"]) > 0
            ):
                return index
        raise AudioSourceError(self._gone_message())

    def _supported_rate(self, index: int) -> int:
        for rate in (self.device.default_rate, *_RATE_CANDIDATES):
            try:
                if self._pa.is_format_supported(
                    rate,
                    input_device=index,
                    input_channels=self._channels,
                    input_format=portaudio.paInt16(),
                ):
                    return rate
            except ValueError:
                continue
        raise AudioSourceError(
            f"“{self.description}” supports none of the usual sample rates "
            f"({', '.join(str(r) for r in _RATE_CANDIDATES)} Hz). Pick another input."
        )

    # --- the capture path (PortAudio's thread) -------------------------------------------

    def _callback(self, in_data: bytes | None, frames: int, _time: Any, status: int) -> Any:
        self._last_callback = time.monotonic()
        if self._stopped or self._failure is not None:
            return (None, portaudio.pa_complete())
        if status & _PA_INPUT_OVERFLOW:
            self._input_overflows += 1
        try:
            assert self._converter is not None
            samples = self._converter.convert(
                int16_interleaved_to_float(in_data or b"", self._channels)
            )
            for chunk in self._chunker.push(samples):
                self._offer(chunk)
        except Exception as exc:  # a bug here must surface, not kill PortAudio's thread  # noqa: BLE001
            self._fail(f"Capturing from “{self.description}” failed: {exc}")
            return (None, portaudio.pa_complete())
        return (None, portaudio.pa_continue())

    def _offer(self, chunk: AudioChunk) -> None:
        with self._cond:
            if len(self._chunks) >= self._max_chunks:
                self._chunks.popleft()  # keep the freshest audio: captions are live
                self._overflows += 1
            self._chunks.append(chunk)
            self._cond.notify()

    def _fail(self, message: str) -> None:
        with self._cond:
            if self._failure is None and not self._stopped:
                self._failure = message
            self._cond.notify_all()

    def _watch(self) -> None:
        """Notice a stream PortAudio gave up on, or one that silently stopped calling back."""
        while not self._watch_stop.wait(_WATCH_PERIOD_S):
            stream = self._stream
            if stream is None:
                return
            try:
                active = bool(stream.is_active())
            except OSError:
                active = False
            stalled = time.monotonic() - self._last_callback > STALL_S
            if not active or stalled:
                self._fail(self._gone_message())
                return

    # --- messages ------------------------------------------------------------------------

    def _gone_message(self) -> str:
        # What to do (pick another input) is each front end's to say, in its own terms.
        return (
            f"The input “{self.description}” was disconnected or stopped delivering audio; "
            "the captions so far are kept."
        )

    def _open_failure(self, exc: OSError) -> str:
        code = portaudio.error_code(exc)
        if code == portaudio.PA_DEVICE_UNAVAILABLE:
            return (
                f"The input “{self.description}” is busy or unavailable; another program may be "
                "using it. Close that program or pick another input."
            )
        if code == portaudio.PA_INVALID_DEVICE:
            return self._gone_message()
        text = f"Could not open the input “{self.description}”: {exc}."
        if sys.platform == "darwin":
            text += (
                " If macOS asked for microphone access, allow it in System Settings > "
                "Privacy & Security > Microphone and start again."
            )
        return text + " Pick another input or try again."


def open_device_source(
    device: InputDevice, chunk_ms: int = 50, queue_ms: int = DEFAULT_QUEUE_MS
) -> DeviceSource:
    """Not started yet: start() opens the device (and raises AudioSourceError if it cannot)."""
    return DeviceSource(device, chunk_ms=chunk_ms, queue_ms=queue_ms)
