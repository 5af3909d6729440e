"""Microphone + system audio as one source, remembering which of the two was speaking when.

Meetings need both: the person's own voice (microphone) and the other participants (the
output's monitor or loopback). The two are summed into one 16 kHz stream, so one streaming
session (one bill) captions everybody. Each chunk's level on each side is kept for the last
few minutes, so a word the service returns can be attributed to "You" or "Others" by which
side carried the energy while it was spoken, the way the SDK's ``ChannelStreamer`` does it,
but on our own capture path.

The microphone's clock drives the mix. System audio is taken as it comes: when it has nothing
ready the mix carries silence for it, and when it runs ahead (two devices never share a clock)
its oldest chunks are dropped and counted, so its words never lag the microphone's by more
than ``MAX_SYSTEM_BACKLOG`` chunks.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

import numpy as np

from caption_app.core.audio.levels import FLOOR_DBFS, levels
from caption_app.core.audio.source import AudioChunk, AudioSource, AudioSourceError, EndOfStream

YOU, OTHERS = "You", "Others"
MAX_SYSTEM_BACKLOG = 3
"""System chunks held beyond the one mixed now (150 ms at 50 ms chunks)."""
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


class MixedSource:
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
        self._drift_drops = 0
        self._system_ended = False
        self._history: dict[int, _Levels] = {}
        self._history_order: collections.deque[int] = collections.deque()
        self._max_history = max(1, HISTORY_MS // chunk_ms)
        self._lock = threading.Lock()

    # --- AudioSource ---------------------------------------------------------------------

    @property
    def overflow_count(self) -> int:
        return self.microphone.overflow_count + self.system.overflow_count + self._drift_drops

    @property
    def duration_ms(self) -> int | None:
        return None

    @property
    def position_ms(self) -> int | None:
        return None

    def start(self) -> None:
        self.microphone.start()
        try:
            self.system.start()
        except AudioSourceError:
            self.microphone.stop()
            raise

    def stop(self) -> None:
        self.microphone.stop()
        self.system.stop()

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
        """Whatever system audio is ready, never waiting: the microphone sets the pace."""
        try:
            while not self._system_ended and (chunk := self.system.read(0.0)) is not None:
                self._backlog.append(chunk)
        except EndOfStream:
            self._system_ended = True  # a recording played as "system audio" ended: silence
        while len(self._backlog) > MAX_SYSTEM_BACKLOG + 1:
            self._backlog.popleft()
            self._drift_drops += 1
        return self._backlog.popleft() if self._backlog else None

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
