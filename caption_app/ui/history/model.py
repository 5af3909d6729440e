"""The table model behind the History window: one row per past session, nothing read lazily.

The model only holds the ``SessionSummary`` list that ``list_sessions`` returned and the
display strings made from it once, so painting and scrolling hundreds of rows never touches
the disk or formats a date twice.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from caption_app.core.engines.base import LOCAL_SESSION_PREFIX
from caption_app.core.transcript.history import SessionSummary
from caption_app.core.transcript.model import TranscriptDocument, whole_seconds

_Index = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    DATE = 0
    TITLE = 1
    DURATION = 2
    WORDS = 3
    SOURCE = 4
    STATUS = 5


HEADERS = {
    Column.DATE: "Date",
    Column.TITLE: "Title",
    Column.DURATION: "Duration",
    Column.WORDS: "Words",
    Column.SOURCE: "Source",
    Column.STATUS: "Status",
}

STATUS_RECORDING = "recording"
STATUS_RECOVERED = "recovered"
STATUS_UNFINISHED = "did not end cleanly"
STATUS_COMPLETE = "complete"


def format_duration(ms: int) -> str:
    """``h:mm:ss``; hours keep growing past 9 rather than wrap. Rounded as the transcript's
    own "Length" is, so one session has one length everywhere."""
    seconds = whole_seconds(ms)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def session_details(document: TranscriptDocument) -> str:
    """Length, the cloud time billed and AssemblyAI's session ids: what support and billing
    ask for (the local engine's own ids mean nothing to anyone: the fifth walk)."""
    parts = [f"Length {format_duration(document.duration_ms)}"]
    if document.billed_audio_s is not None:
        parts.append(f"billed cloud time {document.billed_audio_s:.0f} s")
    ids = [s.session_id for s in document.streams if s.session_id]
    ids = [i for i in ids if not i.startswith(LOCAL_SESSION_PREFIX)]
    if ids:
        plural = "s" if len(ids) > 1 else ""
        parts.append(f"AssemblyAI session id{plural} (for support): {', '.join(ids)}")
    return " · ".join(parts)


def status_text(summary: SessionSummary) -> str:
    if summary.active:
        return STATUS_RECORDING
    if summary.recovered:
        return STATUS_RECOVERED
    if not summary.clean_end:
        return STATUS_UNFINISHED
    return STATUS_COMPLETE


def _row_texts(summary: SessionSummary) -> tuple[str, ...]:
    return (
        summary.started_local,
        summary.title,
        format_duration(summary.duration_ms),
        f"{summary.words:,}",
        summary.source,
        status_text(summary),
    )


# Sorting uses the raw values, so "10:00" sorts after "9:00" and dates sort by instant.
_SORT_KEYS: dict[Column, Callable[[SessionSummary], Any]] = {
    Column.DATE: lambda s: s.started_at,
    Column.TITLE: lambda s: s.title.casefold(),
    Column.DURATION: lambda s: s.duration_ms,
    Column.WORDS: lambda s: s.words,
    Column.SOURCE: lambda s: s.source.casefold(),
    Column.STATUS: status_text,
}

_NUMERIC = {Column.DURATION, Column.WORDS}


class SessionTableModel(QAbstractTableModel):
    """Past sessions, newest first unless the person sorts by another column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sessions: list[SessionSummary] = []
        self._texts: list[tuple[str, ...]] = []
        self._sort: tuple[Column, Qt.SortOrder] = (Column.DATE, Qt.SortOrder.DescendingOrder)

    # the data

    def set_sessions(self, sessions: Sequence[SessionSummary]) -> None:
        self.beginResetModel()
        self._sessions = list(sessions)
        self._sort_in_place()
        self.endResetModel()

    def session_at(self, row: int) -> SessionSummary | None:
        return self._sessions[row] if 0 <= row < len(self._sessions) else None

    def row_of(self, summary_id: str) -> int | None:
        for row, summary in enumerate(self._sessions):
            if summary.id == summary_id:
                return row
        return None

    def sessions(self) -> list[SessionSummary]:
        return list(self._sessions)

    # QAbstractTableModel

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._sessions)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(Column)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._sessions):
            return None
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._texts[index.row()][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(self._sessions[index.row()], column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return HEADERS[Column(section)]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self.layoutAboutToBeChanged.emit()
        # Keep the selection and current row on the same sessions, wherever they move.
        before = self.persistentIndexList()
        keys = [(self._sessions[i.row()].id, i.column()) for i in before]
        self._sort = (Column(column), order)
        self._sort_in_place()
        rows = {s.id: row for row, s in enumerate(self._sessions)}
        after = [self.index(rows[key], col) for key, col in keys]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    # helpers

    def _sort_in_place(self) -> None:
        column, order = self._sort
        key = _SORT_KEYS[column]
        descending = order == Qt.SortOrder.DescendingOrder
        # Ties fall back to newest first, whatever the column.
        self._sessions.sort(key=lambda s: s.started_at, reverse=True)
        self._sessions.sort(key=key, reverse=descending)
        self._texts = [_row_texts(s) for s in self._sessions]

    @staticmethod
    def _tooltip(summary: SessionSummary, column: Column) -> str | None:
        if column == Column.STATUS:
            status = status_text(summary)
            if status == STATUS_RECORDING:
                return "This session is still being recorded."
            if status == STATUS_RECOVERED:
                return "The app stopped during this session; its transcript was recovered."
            if status == STATUS_UNFINISHED:
                return "The app stopped during this session; everything saved is kept."
            return None
        if column == Column.TITLE:
            return f"{summary.title}\n{summary.path}"
        return None
