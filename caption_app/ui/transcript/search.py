"""Find in the transcript: the find bar, the next/previous match, and capped highlights."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from caption_app.ui.labels import show_text
from caption_app.ui.transcript.find_bar import FindBar

MAX_HIGHLIGHTS = 500  # search highlights are capped: a one-letter search stays instant


class TranscriptSearch(QObject):
    def __init__(
        self, editor: QPlainTextEdit, find_bar: FindBar, match_format: QTextCharFormat
    ) -> None:
        super().__init__(editor)
        self.editor = editor
        self.find_bar = find_bar
        self._match_format = match_format
        find_bar.searched.connect(self._search_as_typed)
        find_bar.nextRequested.connect(self.find_next)
        find_bar.previousRequested.connect(self.find_previous)
        find_bar.closed.connect(self.hide_bar)

    @property
    def _doc(self) -> QTextDocument:
        return self.editor.document()

    @Slot()
    def show_bar(self) -> None:
        self.find_bar.show()
        self.find_bar.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_bar.field.selectAll()

    @Slot()
    def hide_bar(self) -> None:
        self.find_bar.hide()
        self.editor.setExtraSelections([])
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def find_next(self) -> bool:
        return self.find(self.find_bar.field.text())

    @Slot()
    def find_previous(self) -> bool:
        return self.find(self.find_bar.field.text(), backward=True)

    def find(self, text: str, *, backward: bool = False) -> bool:
        """Select the next (or previous) match after the selection, wrapping around."""
        if not text:
            self.editor.setExtraSelections([])
            self.find_bar.result_label.clear()
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self._doc.find(text, self.editor.textCursor(), flags)
        if found.isNull():
            start = QTextCursor(self._doc)
            if backward:
                start.movePosition(QTextCursor.MoveOperation.End)
            found = self._doc.find(text, start, flags)
        self._highlight(text)
        if found.isNull():
            show_text(self.find_bar.result_label, "Not found")
            return False
        self.editor.setTextCursor(found)  # selects it and scrolls it into view
        return True

    @Slot(str)
    def _search_as_typed(self, text: str) -> None:
        cursor = self.editor.textCursor()
        cursor.setPosition(cursor.selectionStart())  # let the current match grow as one types
        self.editor.setTextCursor(cursor)
        self.find(text)

    def _highlight(self, text: str) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        cursor = self._doc.find(text, 0)
        while not cursor.isNull() and len(selections) < MAX_HIGHLIGHTS:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = self._match_format
            selections.append(selection)
            cursor = self._doc.find(text, cursor)
        self.editor.setExtraSelections(selections)
        count = len(selections)
        more = "+" if count == MAX_HIGHLIGHTS else ""
        show_text(
            self.find_bar.result_label,
            f"{count}{more} match{'es' if count != 1 else ''}" if count else "Not found",
        )
