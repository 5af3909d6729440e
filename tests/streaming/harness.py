"""Runs a real ``LiveSession`` (real SDK, real media decoding) against the local server."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from caption_app.core.audio.media import open_media_source
from caption_app.core.audio.source import AudioSource
from caption_app.core.engines.assemblyai.engine import AssemblyAIEngine
from caption_app.core.model.gaps import Gap
from caption_app.core.model.problems import Problem
from caption_app.core.model.session import (
    Notice,
    SessionEnded,
    SessionEvent,
    SessionListener,
    SessionState,
    StateChanged,
    StreamBegan,
)
from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind
from caption_app.core.secrets.credentials import Credentials, CredentialSource
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import BuiltSession, build_live_session
from caption_app.core.streaming.session import Timing
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.support.paths import AUDIO_DIR

FAST = Timing(
    backoff_first_s=0.2,
    backoff_max_s=1.0,
    rate_limit_backoff_s=0.5,
    terminate_timeout_s=3.0,
)


@dataclass
class Collector:
    """Everything the session reported, with the time each state was entered."""

    states: list[tuple[SessionState, float]] = field(default_factory=list)
    """Each state the session entered, with when."""
    updates: list[TurnUpdate] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[tuple[str, float]] = field(default_factory=list)
    began: list[tuple[int, str]] = field(default_factory=list)
    summary: SessionEnded | None = None
    live_event: threading.Event = field(default_factory=threading.Event)

    def __call__(self, event: SessionEvent) -> None:
        if isinstance(event, StateChanged):
            self.states.append((event.state, time.monotonic()))
            if event.state is SessionState.LIVE:
                self.live_event.set()
        elif isinstance(event, StreamBegan):
            self.began.append((event.stream, event.session_id))
        elif isinstance(event, TurnUpdate):
            self.updates.append(event)
        elif isinstance(event, Gap):
            self.gaps.append(event)
        elif isinstance(event, Problem):
            self.problems.append(event)
        elif isinstance(event, Notice):
            self.notices.append((event.text, time.monotonic()))
        elif isinstance(event, SessionEnded):
            self.summary = event

    def finished_turns(self) -> dict[tuple[int, int], Turn]:
        """The final form of every finished turn (replacements applied), in order."""
        final: dict[tuple[int, int], Turn] = {}
        for update in self.updates:
            if update.kind is not UpdateKind.LIVE:
                final[update.turn.key] = update.turn
        return final

    def state_names(self) -> list[str]:
        return [s.value for s, _ in self.states]


def key_auth(key: str = TEST_API_KEY) -> Credentials:
    return Credentials(CredentialSource.ENVIRONMENT, api_key=key)


def build(
    url: str,
    clip: str,
    tmp_path: Path,
    *,
    timing: Timing = FAST,
    key: str = TEST_API_KEY,
    collector: Collector | None = None,
    **settings: object,
) -> tuple[BuiltSession, Collector]:
    collector = Collector() if collector is None else collector
    streaming = StreamingSettings(api_host=url, **settings).validate()  # type: ignore[arg-type]
    source = open_media_source(AUDIO_DIR / clip, streaming.chunk_ms, realtime=True)
    built = cloud_session(streaming, source, collector, tmp_path, timing=timing, key=key)
    return built, collector


def cloud_session(
    settings: StreamingSettings,
    source: AudioSource,
    listener: SessionListener,
    transcripts: Path,
    *,
    timing: Timing = FAST,
    key: str = TEST_API_KEY,
) -> BuiltSession:
    """A real ``LiveSession`` on the real SDK engine (the test server's key) over ``source``."""
    auth = key_auth(key)
    return build_live_session(
        settings,
        source,
        lambda: auth,
        listener,
        engine=AssemblyAIEngine(lambda: auth, terminate_timeout_s=timing.terminate_timeout_s),
        timing=timing,
        transcripts=transcripts,
    )


class Running:
    """The session's run() on a thread of its own, joined (bounded) by ``finish``."""

    def __init__(self, built: BuiltSession) -> None:
        self.built = built
        self.result: SessionEnded | None = None
        self.thread = threading.Thread(target=self._run, name="test-session")
        self.thread.start()

    def _run(self) -> None:
        self.result = self.built.session.run()

    def finish(self, timeout: float) -> SessionEnded:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "session did not end in time"
        assert self.result is not None
        return self.result

    def stop(self, timeout: float) -> float:
        """Request stop; returns how long run() took to return."""
        asked = time.monotonic()
        self.built.session.request_stop()
        self.finish(timeout)
        return time.monotonic() - asked


def run_to_end(built: BuiltSession, timeout: float = 30.0) -> SessionEnded:
    return Running(built).finish(timeout)
