"""Past sessions: list, open, rename, delete, retention, and crash recovery at start-up.

Listing reads only a journal's first line (the header) and its last 64 KiB, where a cleanly
ended journal keeps its ``end`` record with the summary (length, words, title) and any later
renames; so hundreds of sessions list in milliseconds with no separate index that could drift
from the files. Only a journal without an end record (crashed or still recording, rare) is
read in full for its counts.

Nothing here deletes a file that is not a Caption App journal in the given directory, nor
one being recorded; damaged or newer files are reported, never removed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from caption_app.core.model.gaps import inputs_fact
from caption_app.core.transcript import locks
from caption_app.core.transcript.journal import (
    JOURNAL_FORMAT,
    JOURNAL_SUFFIX,
    JournalError,
    RecoveredSession,
    append_to_closed_journal,
    end_record,
    parse_header,
    read_journal,
)
from caption_app.core.transcript.model import SessionInfo

TAIL_BYTES = 64 * 1024
MAX_HEADER_BYTES = 1024 * 1024


class HistoryError(Exception):
    """A history action was refused; the message says why. Nothing was changed."""


@dataclass(frozen=True, slots=True)
class SessionSummary:
    id: str
    title: str
    """The display title (a dated default when never named)."""
    started_at: datetime
    duration_ms: int
    words: int
    source: str
    engine: str
    clean_end: bool
    """An end record exists: the session ended normally, or was closed by recovery."""
    recovered: bool
    active: bool
    """A live writer (this or another instance) is still recording it."""
    path: Path

    @property
    def started_local(self) -> str:
        """The start in local time, as a person reads a list of meetings."""
        return self.started_at.astimezone().strftime("%Y-%m-%d %H:%M")


def list_sessions(
    directory: Path, *, problems: list[JournalError] | None = None
) -> list[SessionSummary]:
    """Sessions newest first; unreadable journals go to ``problems`` (when given), not raised."""
    summaries = []
    for path in _journal_paths(directory):
        try:
            summaries.append(summarize(path))
        except JournalError as exc:
            if problems is not None:
                problems.append(exc)
    summaries.sort(key=lambda s: s.started_at, reverse=True)
    return summaries


def summarize(path: Path) -> SessionSummary:
    info, tail = _read_head_and_tail(path)
    end, title = _scan_tail(tail)
    if end is not None:
        return SessionSummary(
            id=info.id,
            title=_display(info, title),
            started_at=info.started_at,
            duration_ms=_as_int(end.get("duration_ms")),
            words=_as_int(end.get("words")),
            source=_inputs(end, info.source),
            engine=info.engine,
            clean_end=True,
            recovered=bool(end.get("recovered", False)),
            active=False,
            path=path,
        )
    session = read_journal(path)
    doc = session.document
    return SessionSummary(
        id=info.id,
        title=doc.info.display_title,
        started_at=info.started_at,
        duration_ms=doc.duration_ms,
        words=doc.word_count,
        source=inputs_fact(doc.inputs),
        engine=info.engine,
        clean_end=session.clean_end,
        recovered=session.recovered,
        active=locks.in_use(path),
        path=path,
    )


def open_session(path: Path) -> RecoveredSession:
    return read_journal(path)


def unfinished_sessions(directory: Path) -> list[SessionSummary]:
    """Sessions whose app died before ending them: offer these for recovery at start-up."""
    return [s for s in list_sessions(directory) if not s.clean_end and not s.active]


def mark_recovered(path: Path) -> RecoveredSession:
    """Close a crashed session's journal with an end record so it is offered only once."""
    if locks.in_use(path):
        raise HistoryError(f"{path.name} is still being recorded")
    session = read_journal(path)
    if not session.clean_end:
        doc = session.document
        record = end_record(
            title=doc.info.title,
            duration_ms=doc.duration_ms,
            words=doc.word_count,
            turns=sum(1 for _ in doc.turns),
            recovered=True,
            inputs=doc.inputs,
        )
        append_to_closed_journal(path, [record])
    return read_journal(path)


def rename_session(path: Path, title: str) -> None:
    """Rename a past session (appends a title record; the journal is never rewritten)."""
    _check_ours(path)
    if locks.in_use(path):
        raise HistoryError(f"{path.name} is being recorded; rename it in the running session")
    append_to_closed_journal(path, [{"type": "title", "title": title.strip()}])


def delete_session(directory: Path, path: Path) -> None:
    """Delete one journal; only a Caption App journal directly inside ``directory``."""
    if path.resolve().parent != directory.resolve() or path.suffix != JOURNAL_SUFFIX:
        raise HistoryError(f"{path} is not a session file of Caption App in {directory}")
    _check_ours(path)
    if locks.in_use(path):
        raise HistoryError(f"{path.name} is still being recorded")
    path.unlink()


def apply_retention(
    directory: Path, keep_days: int | None, *, now: datetime | None = None
) -> list[Path]:
    """Delete sessions that started more than ``keep_days`` ago (None or 0: keep all).

    Sessions not yet offered for recovery, still recording, or unreadable are kept.
    """
    if not keep_days:
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    deleted = []
    for summary in list_sessions(directory):
        if summary.started_at < cutoff and summary.clean_end and not summary.active:
            delete_session(directory, summary.path)
            deleted.append(summary.path)
    return deleted


def _journal_paths(directory: Path) -> list[Path]:
    """Journals in ``directory``; none when it does not exist. An unreadable folder raises
    ``OSError`` (callers say so rather than show an empty history)."""
    try:
        return [p for p in directory.iterdir() if p.suffix == JOURNAL_SUFFIX and p.is_file()]
    except FileNotFoundError:
        return []


def _check_ours(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            first = handle.readline(MAX_HEADER_BYTES)
        header = json.loads(first)
    except (OSError, ValueError) as exc:
        raise HistoryError(f"{path} is not a readable Caption App session ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != JOURNAL_FORMAT:
        raise HistoryError(f"{path} is not a Caption App session file")


def _read_head_and_tail(path: Path) -> tuple[SessionInfo, bytes]:
    try:
        with path.open("rb") as handle:
            first = handle.readline(MAX_HEADER_BYTES)
            size = os.fstat(handle.fileno()).st_size
            start = max(handle.tell(), size - TAIL_BYTES)
            handle.seek(start)
            tail = handle.read()
    except OSError as exc:
        raise JournalError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not first:
        raise JournalError(path, "it is empty")
    info = parse_header(path, first.rstrip(b"\n"))
    if start > len(first):
        tail = tail.partition(b"\n")[2]  # drop the line the window cut into
    return info, tail


def _scan_tail(tail: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The last end record, and the latest title set at or after it (end or title record)."""
    end: dict[str, Any] | None = None
    title: str | None = None
    for line in reversed(tail.split(b"\n")):
        record = _loads(line)
        if record is None:
            continue
        kind = record.get("type")
        if kind == "title" and title is None and isinstance(record.get("title"), str):
            title = record["title"]
        elif kind == "end":
            end = record
            if title is None and isinstance(record.get("title"), str):
                title = record["title"]
            break
    return end, title


def _loads(line: bytes) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _display(info: SessionInfo, title: str | None) -> str:
    if title is None:
        return info.display_title
    return SessionInfo(info.id, info.started_at, info.engine, info.source, {}, title).display_title


def _inputs(end: dict[str, Any], source: str) -> str:
    """Every input the session captioned, from its end record (a junk list: the first)."""
    inputs = end.get("inputs")
    if isinstance(inputs, list) and inputs and all(isinstance(i, str) for i in inputs):
        return inputs_fact(inputs)
    return source


def _as_int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
