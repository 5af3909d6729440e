"""The session's audio account: what the engines acknowledged hearing, and the part of it the
cloud bills (nothing captioned on this computer is billed)."""

from __future__ import annotations

from caption_app.core.engines.base import Engine


class AudioAccount:
    def __init__(self) -> None:
        self.acknowledged_s = 0.0
        self.billed_s = 0.0
        self._billed_streams: set[int] = set()

    def opened(self, stream: int, engine: Engine) -> None:
        """A connection is being opened for ``stream`` on ``engine``."""
        if not engine.on_device:
            self._billed_streams.add(stream)

    def terminated(self, stream: int, audio_s: float | None) -> None:
        """``stream``'s engine said how much audio it heard (its Terminated message)."""
        heard = float(audio_s or 0)
        self.acknowledged_s += heard
        if stream in self._billed_streams:
            self.billed_s += heard
