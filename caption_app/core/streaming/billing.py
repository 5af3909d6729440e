"""The session's audio account: what the engines acknowledged hearing, and what the cloud
bills (nothing captioned on this computer is billed).

AssemblyAI bills a connection for how long it was open, which its Termination message states
(``session_duration_seconds``). A connection that ended without one (the network dropped it,
or its close timed out) was billed all the same: it counts from its Begin to the moment the
session learnt it had ended, an estimate within a second or two of the service's own.
"""

from __future__ import annotations

from caption_app.core.engines.base import Began, ConnectionFailed, Engine, EngineEvent, Terminated


class AudioAccount:
    def __init__(self) -> None:
        self.acknowledged_s = 0.0
        self.billed_s = 0.0
        self._billed_streams: set[int] = set()
        self._open_since: dict[int, float] = {}
        """Billed streams that began and have not been counted yet: when each began."""

    def opened(self, stream: int, engine: Engine) -> None:
        """A connection is being opened for ``stream`` on ``engine``."""
        if not engine.on_device:
            self._billed_streams.add(stream)

    def heard(self, event: EngineEvent, now: float) -> None:
        """Count what an engine's event says; ``now`` is the session's clock."""
        stream = event.stream
        if isinstance(event, Began) and stream in self._billed_streams:
            self._open_since.setdefault(stream, now)
        elif isinstance(event, Terminated):
            self.acknowledged_s += float(event.audio_duration_s or 0)
            began = self._open_since.pop(stream, None)
            if stream in self._billed_streams:
                stated = event.session_duration_s or event.audio_duration_s
                if stated is not None:
                    self.billed_s += float(stated)
                elif began is not None:  # its close timed out: no Termination came
                    self.billed_s += now - began
        elif isinstance(event, ConnectionFailed):
            began = self._open_since.pop(stream, None)
            if began is not None:  # dropped: no Termination will say how long it was open
                self.billed_s += now - began
