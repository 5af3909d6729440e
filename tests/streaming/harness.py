"""Runs a real ``LiveSession`` (real SDK, real media decoding) against the local server."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from caption_app.core.audio.media import open_media_source
from caption_app.core.engines.assemblyai import AssemblyAIEngine
from caption_app.core.secrets.credentials import Credentials, CredentialSource
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import BuiltSession, build_live_session
from caption_app.core.streaming.errors import Problem
from caption_app.core.streaming.reports import SessionEnded, SessionListener, SessionState
from caption_app.core.streaming.session import Timing
from caption_app.core.streaming.turns import Turn, TurnUpdate, UpdateKind
from caption_app.core.transcript.model import Gap
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.support.paths import AUDIO_DIR

FAST = Timing(
    backoff_first_s=0.2,
    backoff_max_s=1.0,
    rate_limit_backoff_s=0.5,
    terminate_timeout_s=3.0,
)


@dataclass
class Collector(SessionListener):
    """Everything the session reported, with the time each state was entered."""

    states: list[tuple[SessionState, float]] = field(default_factory=list)
    updates: list[TurnUpdate] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[tuple[str, float]] = field(default_factory=list)
    began: list[tuple[int, str]] = field(default_factory=list)
    summary: SessionEnded | None = None
    live_event: threading.Event = field(default_factory=threading.Event)

    def state_changed(self, state: SessionState, detail: str) -> None:
        self.states.append((state, time.monotonic()))
        if state is SessionState.LIVE:
            self.live_event.set()

    def stream_began(self, stream: int, session_id: str, expires_at: datetime | None) -> None:
        self.began.append((stream, session_id))

    def turn_updated(self, update: TurnUpdate) -> None:
        self.updates.append(update)

    def gap_marked(self, gap: Gap) -> None:
        self.gaps.append(gap)

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem)

    def notice(self, text: str) -> None:
        self.notices.append((text, time.monotonic()))

    def ended(self, summary: SessionEnded) -> None:
        self.summary = summary

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
    **settings: object,
) -> tuple[BuiltSession, Collector]:
    collector = Collector()
    streaming = StreamingSettings(api_host=url, **settings).validate()  # type: ignore[arg-type]
    source = open_media_source(AUDIO_DIR / clip, streaming.chunk_ms, realtime=True)
    auth = key_auth(key)
    built = build_live_session(
        streaming,
        source,
        lambda: auth,
        collector,
        engine=AssemblyAIEngine(lambda: auth, terminate_timeout_s=timing.terminate_timeout_s),
        timing=timing,
        transcripts=tmp_path,
    )
    return built, collector


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
