"""Which engine serves the next connection: the cloud, or the local engine standing in for it.

With the engine setting on auto, a cloud that cannot be reached at Start hands the session to
the local engine at once, and a cloud connection lost mid-session does so after
``after_s`` (the cloud usually comes back within seconds). While local, the cloud is probed
now and then (a plain TCP connect, nothing billed); once it answers, the supervisor returns to
it at the next turn boundary. With the cloud asked for explicitly there is no fallback: the
session reports and retries.

Pure and clocked by the injected clock; the probe runs through ``run_in_background``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from caption_app.core.engines.base import Engine
from caption_app.core.model.problems import Problem, ProblemKind
from caption_app.core.settings import FailoverSettings, StreamingSettings

STANDS_IN_FOR = (ProblemKind.UNREACHABLE, ProblemKind.NETWORK, ProblemKind.RATE_LIMIT)
"""Cloud problems the local engine covers for; a rejected key or an empty account it does
not (the person has something to fix)."""


def _in_a_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="cloud-probe", daemon=True).start()


class EngineSelector:
    def __init__(
        self,
        primary: Engine,
        fallback: Engine | None = None,
        *,
        options: FailoverSettings | None = None,
        probe: Callable[[], bool] | None = None,
        clock: Callable[[], float],
        run_in_background: Callable[[Callable[[], None]], None] = _in_a_thread,
    ) -> None:
        self.primary = primary
        self._fallback = fallback
        self.options = options or FailoverSettings()
        self._probe = probe
        self._clock = clock
        self._run_in_background = run_in_background
        self.on_fallback = False
        self._primary_was_live = False
        self._primary_down_since: float | None = None
        self._returning = False
        self._reachable = threading.Event()
        self._probing = threading.Event()
        self._next_probe_at = 0.0

    def next_engine(self) -> Engine:
        if self.on_fallback and self._fallback is not None:
            return self._fallback
        return self.primary

    def began(self) -> None:
        """The engine just opened said Began."""
        if not self.on_fallback:
            self._primary_was_live = True
            self._primary_down_since = None
            self._returning = False
            if self._fallback is not None:
                self._fallback.release()  # the cloud is back: no worker kept waiting

    def failed(self, problem: Problem) -> bool:
        """The engine in use failed; True when the next connection should be made at once
        (on the other engine), False to back off as usual."""
        if self._fallback is None:
            return False
        if self.on_fallback:
            if problem.kind is ProblemKind.ENGINE_SETUP:
                # The local engine cannot run here: go back to retrying the cloud for good.
                self._fallback, self.on_fallback = None, False
                return True
            return False
        if problem.kind not in STANDS_IN_FOR:
            return False
        now = self._clock()
        if self._primary_down_since is None:
            self._primary_down_since = now
        if self._returning or not self._primary_was_live:
            # Never reached at Start, or not back after all: no waiting for it.
            self._switch_to_fallback()
            return True
        return False

    def prepare_fallback(self, settings: StreamingSettings) -> None:
        """The cloud just failed: have the local engine ready in case it stays away."""
        if self._fallback is not None and not self.on_fallback:
            self._fallback.prepare(settings)

    def release(self) -> None:
        for engine in (self.primary, self._fallback):
            if engine is not None:
                engine.release()

    def failover_due(self) -> bool:
        """While backing off from a lost cloud connection: has it been gone long enough?"""
        since = self._primary_down_since
        if self.on_fallback or self._fallback is None or since is None:
            return False
        if self._clock() - since < self.options.after_s:
            return False
        self._switch_to_fallback()
        return True

    def return_due(self) -> bool:
        """While local: probe the cloud now and then; True once it answered (the supervisor
        then switches at the next turn boundary)."""
        if not self.on_fallback or not self.options.return_to_cloud or self._probe is None:
            return False
        if self._reachable.is_set():
            return True
        now = self._clock()
        if not self._probing.is_set() and now >= self._next_probe_at:
            self._next_probe_at = now + self.options.probe_every_s
            self._probing.set()
            self._run_in_background(self._ask)
        return self._reachable.is_set()  # a probe may answer at once

    def returned(self) -> None:
        """The supervisor is opening a cloud connection again."""
        self.on_fallback = False
        self._returning = True
        self._reachable.clear()

    def _switch_to_fallback(self) -> None:
        self.on_fallback = True
        self._returning = False
        self._reachable.clear()
        self._next_probe_at = self._clock() + self.options.probe_every_s

    def _ask(self) -> None:
        probe = self._probe
        try:
            if probe is not None and probe():
                self._reachable.set()
        finally:
            self._probing.clear()
