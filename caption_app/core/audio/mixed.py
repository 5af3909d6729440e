"""Microphone + system audio as one source, remembering which of the two was speaking when.

Meetings need both: the person's own voice (microphone) and the other participants (the
output's monitor or loopback). The two are summed into one 16 kHz stream, so one streaming
session (one bill) captions everybody. Each chunk's level on each side is kept for the last
few minutes, so a word the service returns can be attributed to "You" or "Others" by which
side carried the energy while it was spoken, the way the SDK's ``ChannelStreamer`` does it,
but on our own capture path.

The microphone's clock drives the mix: one system chunk is mixed into each microphone chunk.
When system audio has nothing ready the mix carries silence for it. Two devices never share a
clock, so system audio slowly runs ahead or behind; a backlog that stays above
``MAX_SYSTEM_BACKLOG`` for a whole ``DRIFT_WINDOW_CHUNKS`` is drift, and its oldest chunks are
dropped and counted. A burst is not drift: after a stall (a reconnect) both sides deliver their
queued audio together and the backlog drains as the microphone's queue does.

When system audio fails (the headset whose output it monitors is unplugged) the microphone goes
on alone and ``take_notice`` says so once; when the microphone fails, the input has failed.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

import numpy as np

from caption_app.core.audio.levels import FLOOR_DBFS, levels
from caption_app.core.audio.source import (
    AudioChunk,
    AudioSource,
    AudioSourceError,
    EndOfStream,
    LiveInput,
)

YOU, OTHERS = "You", "Others"
MAX_SYSTEM_BACKLOG = 3
"""System chunks that may stay queued beyond the one mixed now (150 ms at 50 ms chunks)."""
DRIFT_WINDOW_CHUNKS = 40
"""How long (in microphone chunks: 2 s at 50 ms) a backlog must persist to count as drift."""
BACKLOG_CAP_MS = 3000
"""Never hold more system audio than this (a microphone that stopped delivering)."""
ACTIVE_DBFS = -50.0
"""A side quieter than this in a chunk is not speaking (room tone, fan, hiss)."""
DOMINANCE = 2.0
"""A side must carry this many times the other's energy to be named for a word."""
HISTORY_MS = 10 * 60 * 1000
"""Levels are kept this long: far longer than any word takes to come back from the service."""


@dataclass(frozen=True, slots=True)
class _Levels:
    mic: float
    system: float
    """Linear RMS (0..1) of each side, 0 when below ``ACTIVE_DBFS``."""


def _linear(dbfs: float) -> float:
    return 0.0 if dbfs < ACTIVE_DBFS else float(10.0 ** (dbfs / 20.0))


class MixedSource(LiveInput):
    """An AudioSource summing a microphone and system audio, with per-word attribution."""

    def __init__(
        self,
        microphone: AudioSource,
        system: AudioSource,
        chunk_ms: int,
        labels: tuple[str, str] = (YOU, OTHERS),
    ) -> None:
        self.microphone = microphone
        self.system = system
        self.chunk_ms = chunk_ms
        self.labels = labels
        self.description = f"{microphone.description} + {system.description}"
        self._backlog: collections.deque[AudioChunk] = collections.deque()
        self._backlog_cap = max(1, BACKLOG_CAP_MS // chunk_ms)
        self._low_water: int | None = None
        self._window = 0
        self._drift_drops = 0
        self._system_done = False
        self._notice: str | None = None
        self._history: dict[int, _Levels] = {}
        self._history_order: collections.deque[int] = collections.deque()
        self._max_history = max(1, HISTORY_MS // chunk_ms)
        self._lock = threading.Lock()

    # --- AudioSource ---------------------------------------------------------------------

    @property
    def overflow_count(self) -> int:
        return self.microphone.overflow_count + self.system.overflow_count + self._drift_drops

    def start(self) -> None:
        self.microphone.start()
        try:
            self.system.start()
        except AudioSourceError:
            self.microphone.stop()
            raise

    def stop(self) -> None:
        try:
            self.microphone.stop()
        finally:
            self.system.stop()

    def take_notice(self) -> str | None:
        """Something the person should know about one side of the input, once."""
        notice, self._notice = self._notice, None
        return notice

    def read(self, timeout: float) -> AudioChunk | None:
        mic = self.microphone.read(timeout)
        if mic is None:
            return None
        system = self._next_system_chunk()
        mic_pcm = np.frombuffer(mic.pcm, dtype="<i2")
        if system is None:
            mixed, system_dbfs = mic_pcm, FLOOR_DBFS
        else:
            total = mic_pcm.astype(np.int32) + np.frombuffer(system.pcm, dtype="<i2")
            mixed, system_dbfs = np.clip(total, -32768, 32767).astype("<i2"), system.rms_dbfs
        self._remember(mic.start_ms, _Levels(_linear(mic.rms_dbfs), _linear(system_dbfs)))
        rms, peak = (mic.rms_dbfs, mic.peak_dbfs) if system is None else levels(mixed)
        return AudioChunk(mixed.tobytes(), mic.start_ms, rms, peak)

    def _next_system_chunk(self) -> AudioChunk | None:
        """The next system chunk, never waiting for one: the microphone sets the pace."""
        if not self._system_done:
            try:
                while (chunk := self.system.read(0.0)) is not None:
                    self._backlog.append(chunk)
            except EndOfStream:
                self._system_done = True  # a recording played as "system audio" ended
            except AudioSourceError:
                self._system_done = True
                self._notice = (
                    f"System audio from “{self.system.description}” stopped, so the others are "
                    f"no longer captioned; captioning continues from {self.microphone.description}"
                    " alone. Choose it again in the Input menu once it is back."
                )
                self.system.stop()
        while len(self._backlog) > self._backlog_cap:
            self._backlog.popleft()
            self._drift_drops += 1
        chunk = self._backlog.popleft() if self._backlog else None
        self._trim_drift()
        return chunk

    def _trim_drift(self) -> None:
        depth = len(self._backlog)
        self._low_water = depth if self._low_water is None else min(self._low_water, depth)
        self._window += 1
        if self._window < DRIFT_WINDOW_CHUNKS:
            return
        for _ in range(self._low_water - MAX_SYSTEM_BACKLOG):
            self._backlog.popleft()
            self._drift_drops += 1
        self._low_water, self._window = None, 0

    # --- attribution ---------------------------------------------------------------------

    def _remember(self, start_ms: int, level: _Levels) -> None:
        slot = start_ms // self.chunk_ms
        with self._lock:
            self._history[slot] = level
            self._history_order.append(slot)
            while len(self._history_order) > self._max_history:
                self._history.pop(self._history_order.popleft(), None)

    def channel_of(self, start_ms: int, end_ms: int) -> str | None:
        """Who was speaking from ``start_ms`` to ``end_ms`` (this source's clock), or None
        when neither side clearly was (silence, both at once, or too long ago)."""
        first, last = start_ms // self.chunk_ms, max(start_ms, end_ms - 1) // self.chunk_ms
        mic = system = 0.0
        with self._lock:
            for slot in range(first, last + 1):
                level = self._history.get(slot)
                if level is not None:
                    mic += level.mic
                    system += level.system
        if mic >= DOMINANCE * system and mic > 0:
            return self.labels[0]
        if system >= DOMINANCE * mic and system > 0:
            return self.labels[1]
        return None
