"""The session transcript: model, crash-safe journal, history and exports (Qt-free)."""

from __future__ import annotations

from caption_app.core.model.gaps import Gap, GapReason
from caption_app.core.transcript.atomic import TargetExistsError, atomic_write_text
from caption_app.core.transcript.cues import Cue, CueRules, build_cues
from caption_app.core.transcript.errors import TranscriptFileError
from caption_app.core.transcript.export import (
    FORMATS,
    ExportOptions,
    export_document,
    format_for_path,
    load_json_export,
    write_export,
)
from caption_app.core.transcript.history import (
    HistoryError,
    SessionSummary,
    apply_retention,
    delete_session,
    list_sessions,
    mark_recovered,
    open_session,
    rename_session,
    unfinished_sessions,
)
from caption_app.core.transcript.journal import (
    JournalError,
    JournalWriter,
    RecoveredSession,
    read_journal,
)
from caption_app.core.transcript.model import (
    Entry,
    SessionInfo,
    SessionTranscript,
    StreamInfo,
    TranscriptDocument,
    new_session_id,
    speaker_name,
)
from caption_app.core.transcript.paths import transcripts_dir
from caption_app.core.transcript.recorder import TranscriptRecorder

__all__ = [
    "FORMATS",
    "Cue",
    "CueRules",
    "Entry",
    "ExportOptions",
    "Gap",
    "GapReason",
    "HistoryError",
    "JournalError",
    "JournalWriter",
    "RecoveredSession",
    "SessionInfo",
    "SessionSummary",
    "SessionTranscript",
    "StreamInfo",
    "TargetExistsError",
    "TranscriptDocument",
    "TranscriptFileError",
    "TranscriptRecorder",
    "apply_retention",
    "atomic_write_text",
    "build_cues",
    "delete_session",
    "export_document",
    "format_for_path",
    "list_sessions",
    "load_json_export",
    "mark_recovered",
    "new_session_id",
    "open_session",
    "read_journal",
    "rename_session",
    "speaker_name",
    "transcripts_dir",
    "unfinished_sessions",
    "write_export",
]
