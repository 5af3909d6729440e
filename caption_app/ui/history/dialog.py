"""The History window: past sessions to open, export, rename or delete.

Everything it does goes through ``caption_app.core.transcript.history``, which never deletes
a file that is not a Caption App journal nor one being recorded. Unreadable journals are
listed in a notice and left alone; a failed action shows inline, never as an exception or a
blocking error box. The three questions the window asks (where to save, what title, are you
sure) are injected callables, so tests drive the window without modal dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from caption_app.core.transcript.errors import TranscriptFileError
from caption_app.core.transcript.export import (
    ExportOptions,
    export_document,
    format_for_path,
    suggested_file_name,
)
from caption_app.core.transcript.history import (
    HistoryError,
    SessionSummary,
    delete_session,
    list_sessions,
    open_session,
    rename_session,
)
from caption_app.core.transcript.journal import JournalError
from caption_app.ui import prompts
from caption_app.ui.buttons import dialog_button
from caption_app.ui.history.model import SessionTableModel, session_details
from caption_app.ui.history.table import SessionTable

AskSavePath = Callable[[str, str], str | None]
"""(suggested path, ";;"-joined file filters) -> the chosen path, or None when cancelled."""
AskText = Callable[[str, str], str | None]
"""(prompt, prefilled text) -> the text entered, or None when cancelled."""
Confirm = Callable[[str], bool]
"""(question) -> True to go ahead."""

ACTIVE_TIP = "This session is still being recorded; stop it first."

# Errors an action can meet; each is shown inline and nothing else changes.
_ACTION_ERRORS = (HistoryError, TranscriptFileError, OSError, ValueError)


def _message_label(name: str, style: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    if style:
        label.setStyleSheet(style)
    label.hide()
    return label


class HistoryDialog(QDialog):
    """Lists past sessions (newest first) and opens, exports, renames or deletes them."""

    sessionDeleted = Signal(object)
    """The ``Path`` of a session's transcript just deleted."""

    def __init__(
        self,
        directory: Path,
        parent: QWidget | None = None,
        *,
        ask_save_path: AskSavePath | None = None,
        ask_text: AskText | None = None,
        confirm: Confirm | None = None,
    ) -> None:
        super().__init__(parent)
        self._directory = directory
        self._ask_save_path = ask_save_path or (
            lambda suggested, _filters: prompts.ask_export_path(self, suggested)
        )
        self._ask_text = ask_text or (
            lambda prompt, current: prompts.ask_text(self, "Rename session", prompt, current)
        )
        self._confirm = confirm or (lambda question: prompts.confirm(self, question))
        self._export_dir = Path.home()
        self._problems: list[JournalError] = []
        self._opened: SessionSummary | None = None
        self.setWindowTitle("History — Caption App")
        self.setAccessibleName("Session history")
        self.resize(900, 620)
        self._build()
        self._lay_out()
        self._connect()
        self.refresh()

    # construction

    def _build(self) -> None:
        self.problems_label = _message_label(
            "Unreadable session files", "QLabel { color: palette(text); font-style: italic; }"
        )
        self.model = SessionTableModel(self)
        self.table = SessionTable(self.model)

        self.open_button = dialog_button("&Open", "Open the selected session")
        self.export_button = dialog_button("&Export…", "Export the selected session")
        self.rename_button = dialog_button("&Rename…", "Rename the selected session")
        self.delete_button = dialog_button("&Delete", "Delete the selected session")
        self.refresh_button = dialog_button("Re&fresh", "Refresh the list of sessions")
        self.close_button = dialog_button("&Close", "Close the history")

        self.error_label = _message_label("History error", "QLabel { color: #b00020; }")
        self.status_label = _message_label("History status")
        # Its line is kept when hidden, so a message never moves the buttons under the
        # pointer (the sixth walk: "Renamed to…" pushed Open 20 px, the next click missed).
        kept = self.status_label.sizePolicy()
        kept.setRetainSizeWhenHidden(True)
        self.status_label.setSizePolicy(kept)

        self.viewer_title = QLabel("Select a session and choose Open to read it here.")
        self.viewer_title.setWordWrap(True)
        self.viewer_title.setTextFormat(Qt.TextFormat.PlainText)
        self.viewer_title.setAccessibleName("Opened session")
        self.viewer = QPlainTextEdit()
        self.viewer.setReadOnly(True)
        self.viewer.setUndoRedoEnabled(False)
        self.viewer.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.viewer.setAccessibleName("Transcript of the opened session")
        self.viewer_title.setBuddy(self.viewer)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        for button in (
            self.open_button,
            self.export_button,
            self.rename_button,
            self.delete_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.problems_label)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.error_label)
        top_layout.addWidget(self.status_label)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.viewer_title)
        bottom_layout.addWidget(self.viewer, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setAccessibleName("Sessions and transcript")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        QVBoxLayout(self).addWidget(self.splitter)

        order = [
            self.table,
            self.open_button,
            self.export_button,
            self.rename_button,
            self.delete_button,
            self.refresh_button,
            self.close_button,
            self.viewer,
        ]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.table.activated.connect(self._on_activated)
        self.table.openRequested.connect(self.open_selected)
        self.table.deleteRequested.connect(self.delete_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.open_button.clicked.connect(self.open_selected)
        self.export_button.clicked.connect(self.export_selected)
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.close)

    # the list

    @property
    def problems(self) -> list[JournalError]:
        """Journals the last refresh could not read (left untouched on disk)."""
        return list(self._problems)

    @Slot()
    def refresh(self) -> None:
        """Read the folder again; the selection stays on the same session if it still exists."""
        keep = self.selected_session()
        self._clear_messages()
        problems: list[JournalError] = []
        try:
            sessions = list_sessions(self._directory, problems=problems)
        except OSError as exc:
            sessions = []
            self._show_error(f"Cannot read the history folder {self._directory}: {exc}")
        self._problems = problems
        self.model.set_sessions(sessions)
        self._show_problems()
        row = self.model.row_of(keep.id) if keep is not None else None
        self.select_row(row if row is not None else 0)
        self._update_buttons()

    def select_row(self, row: int) -> None:
        self.table.select_row(row)

    def selected_session(self) -> SessionSummary | None:
        return self.table.selected_session()

    def _show_problems(self) -> None:
        if not self._problems:
            self.problems_label.hide()
            self.problems_label.clear()
            return
        lines = [f"• {p.path.name}: {p.reason}" for p in self._problems]
        count = len(self._problems)
        heading = (
            "1 file in the history folder cannot be read; it is left as it is:"
            if count == 1
            else f"{count} files in the history folder cannot be read; they are left as they are:"
        )
        text = "\n".join([heading, *lines])
        self.problems_label.setText(text)
        self.problems_label.setAccessibleDescription(text)
        self.problems_label.show()

    @Slot()
    def _update_buttons(self) -> None:
        summary = self.selected_session()
        chosen = summary is not None
        active = summary is not None and summary.active
        self.open_button.setEnabled(chosen)
        self.export_button.setEnabled(chosen)
        for button, tip in (
            (self.rename_button, "Give the selected session a title"),
            (self.delete_button, "Delete the selected session's transcript file"),
        ):
            button.setEnabled(chosen and not active)
            button.setToolTip(ACTIVE_TIP if active else tip)
            button.setAccessibleDescription(ACTIVE_TIP if active else "")

    @Slot(QModelIndex)
    def _on_activated(self, _index: QModelIndex) -> None:
        self.open_selected()  # double-click; SessionTable takes Enter before this fires

    # actions

    @Slot()
    def open_selected(self) -> None:
        summary = self.selected_session()
        if summary is None:
            return
        try:
            session = open_session(summary.path)
            text = export_document(session.document, "txt", ExportOptions(timestamps=True))
        except _ACTION_ERRORS as exc:
            self._show_error(f"Cannot open {summary.title}: {exc}")
            return
        date = summary.started_local
        notes = [summary.title if date in summary.title else f"{summary.title} — {date}"]
        if summary.active:
            notes.append("still recording: this is what is saved so far")
        if session.skipped_lines:
            notes.append(f"{session.skipped_lines} damaged line(s) were skipped")
        notes.append(session_details(session.document))
        self._opened = summary
        self.viewer_title.setText(" · ".join(notes))
        self.viewer.setPlainText(text)
        self._clear_messages()

    @Slot()
    def export_selected(self) -> None:
        summary = self.selected_session()
        if summary is None:
            return
        suggested = str(self._export_dir / suggested_file_name(summary.title, summary.id))
        chosen = self._ask_save_path(suggested, ";;".join(prompts.EXPORT_FILTERS.values()))
        if not chosen:
            return
        path = Path(chosen)
        try:
            fmt = format_for_path(path)
            document = open_session(summary.path).document
            if not prompts.export_asking(document, path, self._confirm, fmt):
                self._show_status(f"Not exported; {path.name} was left as it was.")
                return
        except _ACTION_ERRORS as exc:
            self._show_error(f"Could not export {summary.title}: {exc}")
            return
        self._export_dir = path.parent
        self._show_status(f"Exported {summary.title} to {path}.")

    @Slot()
    def rename_selected(self) -> None:
        summary = self.selected_session()
        if summary is None:
            return
        if summary.active:
            self._show_error(f"Cannot rename {summary.title}: {ACTIVE_TIP}")
            return
        title = self._ask_text("New title for this session:", summary.title)
        if title is None or title.strip() == summary.title:
            return
        try:
            rename_session(summary.path, title)
        except _ACTION_ERRORS as exc:
            self._show_error(f"Could not rename {summary.title}: {exc}")
            return
        self.refresh()
        if self._opened is not None and self._opened.path == summary.path:
            self.open_selected()  # its header names the new title (the sixth walk)
        self._show_status(f"Renamed to {title.strip() or 'its date'}.")

    @Slot()
    def delete_selected(self) -> None:
        summary = self.selected_session()
        if summary is None:
            return
        if summary.active:
            self._show_error(f"Cannot delete {summary.title}: {ACTIVE_TIP}")
            return
        question = (
            f"Delete the session “{summary.title}” of {summary.started_local}?\n"
            "Its transcript file is removed; this cannot be undone."
        )
        if not self._confirm(question):
            return
        row = self.table.selected_row() or 0
        try:
            delete_session(self._directory, summary.path)
        except _ACTION_ERRORS as exc:
            self._show_error(f"Could not delete {summary.title}: {exc}")
            return
        if self._opened is not None and self._opened.id == summary.id:
            self._opened = None
            self.viewer.clear()
            self.viewer_title.setText("The opened session was deleted.")
        self.sessionDeleted.emit(summary.path)
        self.refresh()
        self.select_row(min(row, self.model.rowCount() - 1))  # the next row, as in a file list
        self._show_status(f"Deleted {summary.title}.")
        self.table.setFocus()

    # inline messages

    def _show_error(self, text: str) -> None:
        self.status_label.hide()
        self.error_label.setText(text)
        self.error_label.setAccessibleDescription(text)
        self.error_label.show()

    def _show_status(self, text: str) -> None:
        self.error_label.hide()
        self.status_label.setText(text)
        self.status_label.setAccessibleDescription(text)
        self.status_label.show()

    def _clear_messages(self) -> None:
        self.error_label.hide()
        self.status_label.hide()
