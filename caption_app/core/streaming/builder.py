"""Builds a live session from settings, a source choice and credentials — for GUI and CLI alike.

Keeping this in the core means the window and ``caption-app transcribe`` run the very same
session, recorder and journal code; only what listens to the session differs.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from caption_app.core.audio.devices import (
    MixedChoice,
    MixedInput,
    find_device,
    resolve_device,
    resolve_mixed,
)
from caption_app.core.audio.source import AudioSource
from caption_app.core.engines.base import Engine
from caption_app.core.model.session import SessionListener
from caption_app.core.secrets.token_service import url_origin
from caption_app.core.settings import FailoverSettings, StreamingSettings
from caption_app.core.streaming.failover import EngineSelector
from caption_app.core.streaming.recording import RecordingListener
from caption_app.core.streaming.session import LiveSession, Timing
from caption_app.core.transcript.model import SessionInfo, new_session_id
from caption_app.core.transcript.paths import transcripts_dir
from caption_app.core.transcript.recorder import TranscriptRecorder

if TYPE_CHECKING:
    from caption_app.core.engines.assemblyai.engine import AuthProvider

CLI_GIVE_UP_AFTER = 5
"""A script should fail rather than retry for ever; the GUI keeps trying (the user sees it)."""


@dataclass(frozen=True, slots=True)
class SourceChoice:
    media_path: str | None = None
    device_query: str | None = None
    """``--device NAME``: a case-insensitive match on the device's name."""
    device_id: str | None = None
    """The remembered device's stable id (GUI); falls back to the default with a notice."""
    device_label: str = ""
    """The remembered device's name, for that notice."""
    with_system_audio: bool = False
    """Mix the chosen (or default) microphone with system audio, words labelled You / Others."""


@dataclass(frozen=True, slots=True)
class OpenedSource:
    source: AudioSource
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class BuiltSession:
    session: LiveSession
    recorder: TranscriptRecorder


def open_source(choice: SourceChoice, chunk_ms: int) -> OpenedSource:
    """Pick the source (not yet started); raises ``AudioSourceError`` with a clear message.

    The audio stack (PyAudio, PyAV, numpy, soxr) loads here, at the first Start, not with the
    window."""
    from caption_app.core.audio.capture import open_device_source
    from caption_app.core.audio.media import open_media_source

    if choice.media_path:
        return OpenedSource(open_media_source(choice.media_path, chunk_ms, realtime=True))
    if choice.device_query:
        device = find_device(choice.device_query)
        if not choice.with_system_audio:
            return OpenedSource(open_device_source(device, chunk_ms))
        return _open_mixed(resolve_mixed(MixedInput(device.device_id)), chunk_ms)
    device_id = choice.device_id or ""
    mixed = MixedInput.parse(device_id)
    if choice.with_system_audio and mixed is None:
        mixed = MixedInput(device_id)
    if mixed is not None:
        return _open_mixed(resolve_mixed(mixed), chunk_ms)
    picked = resolve_device(device_id, label=choice.device_label)
    return OpenedSource(open_device_source(picked.device, chunk_ms), picked.notice)


def _open_mixed(choice: MixedChoice, chunk_ms: int) -> OpenedSource:
    from caption_app.core.audio.capture import open_device_source
    from caption_app.core.audio.mixed import MixedSource

    microphone = open_device_source(choice.microphone, chunk_ms)
    system = open_device_source(choice.system, chunk_ms)
    return OpenedSource(MixedSource(microphone, system, chunk_ms), choice.notice)


def settings_snapshot(settings: StreamingSettings) -> dict[str, object]:
    """The settings a transcript records; a token service URL keeps only its origin."""
    snapshot = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings).items()}
    if settings.token_url:
        snapshot["token_url"] = url_origin(settings.token_url)
    return snapshot


def build_live_session(
    settings: StreamingSettings,
    source: AudioSource,
    auth: AuthProvider | None,
    listener: SessionListener,
    *,
    cli: bool = False,
    engine: Engine | None = None,
    stand_in: Engine | None = None,
    failover: FailoverSettings | None = None,
    timing: Timing | None = None,
    transcripts: Path | None = None,
) -> BuiltSession:
    """``stand_in``: the local engine covering for the cloud ``engine`` when it cannot be
    reached (engine = auto); None means no failover (the cloud was asked for)."""
    if engine is None:
        from caption_app.core.engines.assemblyai.engine import AssemblyAIEngine

        assert auth is not None, "the cloud engine needs credentials"
        engine = AssemblyAIEngine(auth)
    started = datetime.now(UTC)
    info = SessionInfo(
        id=new_session_id(started),
        started_at=started,
        engine=engine.name,
        source=source.description,
        settings=settings_snapshot(settings),
    )
    recorder = TranscriptRecorder(transcripts or transcripts_dir(), info)
    if timing is None:
        timing = Timing(give_up_after_failures=CLI_GIVE_UP_AFTER if cli else None)
    engines = EngineSelector(engine, stand_in, options=failover, clock=time.monotonic)
    session = LiveSession(
        engine,
        source,
        settings,
        RecordingListener(recorder, listener),
        timing=timing,
        wait_for_new_source=not cli,  # a person can pick another input; a script cannot
        engines=engines,
    )
    return BuiltSession(session, recorder)
