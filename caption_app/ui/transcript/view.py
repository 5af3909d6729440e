"""The transcript in the main window: finished turns, the live turn(s), gaps, search and copy.

An 8-hour session must stay smooth, so nothing is ever rebuilt wholesale on an update: finished
turns are appended as blocks of one ``QTextDocument``; the live turn of each stream is one of
the trailing blocks, rewritten in place; a replaced or relabelled turn is found through its
stored ``QTextBlock`` handle (stable while other blocks come and go) and only that block is
rewritten. Every update therefore costs the same at hour 8 as at minute 1.
"""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QPoint, Qt, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPalette,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.model.turns import Turn, TurnKey, TurnUpdate, UpdateKind, shown_text
from caption_app.core.transcript.export.common import clock
from caption_app.ui.transcript.announcer import LineAnnouncer
from caption_app.ui.transcript.blocks import FinishedBlock, TurnRow, gap_text
from caption_app.ui.transcript.find_bar import FindBar
from caption_app.ui.transcript.search import TranscriptSearch

DIM_STRENGTH = 0.55  # how much of the text colour a not-yet-final word keeps
TRANSLATION_SCALE = 0.85
"""A translation under its line is this much smaller: it reads as belonging to the line."""
LINE_SEPARATOR = "\u2028"
"""A new line inside a block (the translation stays in its turn's block)."""
RELEASE_LAYOUTS_EVERY = 300
"""Finished turns between two releases of the blocks' layouts (``_release_layouts``): about
1.2 MB of shaped text at most, about once every 20 minutes of speech."""


class TranscriptView(QWidget):
    """Read-only, searchable, copyable transcript that follows the end unless scrolled up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Transcript")
        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        self.editor.setUndoRedoEnabled(False)  # undo history would grow for the whole session
        self.editor.setAccessibleName("Transcript text")
        self.editor.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self._context_menu)
        self.find_bar = FindBar()
        self.find_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.find_bar)
        self._doc: QTextDocument = self.editor.document()
        self._finished: dict[TurnKey, FinishedBlock] = {}
        self._live: list[Turn] = []
        self._last_gap: tuple[QTextBlock, Gap] | None = None  # while nothing came after it
        self._last_note: tuple[QTextBlock, int, str] | None = None
        """The last row noted (a gap, a marker), its time and text: it sits before the live
        lines, and a live line begun before it is put back above it when it ends."""
        """Live turns in the order of the document's last ``len(_live)`` blocks."""
        self._empty = True
        self._finished_since_release = 0
        self._captions = "both"
        self._follow = True
        self._adjusting = False
        self._build_formats()
        self._build_actions()
        bar = self.editor.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._value_changed)
        self.search = TranscriptSearch(self.editor, self.find_bar, self._match_format)
        self.announcer = LineAnnouncer(self.editor)

    def _build_formats(self) -> None:
        palette = self.editor.palette()
        text = palette.color(QPalette.ColorRole.Text)
        base = palette.color(QPalette.ColorRole.Base)
        self._text_format = QTextCharFormat()
        self._dim_format = QTextCharFormat()
        self._dim_format.setForeground(mix(text, base, DIM_STRENGTH))
        self._time_format = QTextCharFormat()
        self._time_format.setForeground(palette.color(QPalette.ColorRole.PlaceholderText))
        self._speaker_format = QTextCharFormat()
        self._speaker_format.setFontWeight(QFont.Weight.Bold)
        self._translation_format = QTextCharFormat()
        self._translation_format.setFontItalic(True)
        size = self.editor.font().pointSizeF()
        if size > 0:
            self._translation_format.setFontPointSize(round(size * TRANSLATION_SCALE, 1))
        self._gap_format = QTextCharFormat(self._dim_format)
        self._gap_format.setFontItalic(True)
        highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
        highlight.setAlpha(70)
        self._match_format = QTextCharFormat()
        self._match_format.setBackground(highlight)

    def _build_actions(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.find_action = QAction("&Find…", self)
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.setShortcutContext(context)
        self.find_action.triggered.connect(self.show_find_bar)
        self.copy_all_action = QAction("Copy &all", self)
        self.copy_all_action.triggered.connect(self.copy_all)
        for action in (self.find_action, self.copy_all_action):
            self.addAction(action)

    # --- content --------------------------------------------------------------------------

    @Slot(object)
    def apply_update(self, update: TurnUpdate) -> None:
        turn = update.turn
        if update.kind is UpdateKind.LIVE:
            self._show_live(turn)
        elif update.kind is UpdateKind.FINISHED:
            self._finish(turn)
            self.announcer.announce(shown_text(turn, self._captions).main)
        else:
            entry = self._finished.get(turn.key)
            if entry is None:
                if update.kind is UpdateKind.REPLACED:
                    self._finish(turn)  # its first version was cleared away; show this one
                return
            entry.line = TurnRow.of(turn, self._captions)
            self._rewrite(entry.block, entry.line)
            if update.kind is UpdateKind.TRANSLATED and turn.translation is not None:
                self.announcer.announce(turn.translation.text)
        self._keep_end_in_view()

    @Slot(object)
    def add_gap(self, gap: Gap) -> None:
        last = self._last_gap  # gaps one after another with one cause: one row, the total length
        same = last is not None and last[1].reason == gap.reason and last[0].isValid()
        block = last[0] if last is not None and same else self._new_block_before_live()
        if last is not None and same:
            gap = Gap(last[1].start_ms, gap.end_ms, gap.reason)
        self._note(block, gap.start_ms, gap_text(gap))
        self._last_gap = (block, gap)

    @Slot(object)
    def add_marker(self, marker: Marker) -> None:
        self._note(self._new_block_before_live(), marker.at_ms, f"— {marker.text} —")
        self._last_gap = None

    def _note(self, block: QTextBlock, at_ms: int, text: str) -> None:
        self._last_note = (block, at_ms, text)
        cursor = self._select(block)
        cursor.removeSelectedText()
        cursor.insertText(f"{clock(at_ms)}  ", self._time_format)
        cursor.insertText(text, self._gap_format)
        self._keep_end_in_view()

    @Slot()
    def clear(self) -> None:
        self._doc.clear()
        self._finished.clear()
        self._live.clear()
        self._last_gap = self._last_note = None
        self._empty = True
        self._finished_since_release = 0
        self._follow = True
        self.editor.setExtraSelections([])

    def set_hint(self, text: str) -> None:
        """What the transcript says while it is empty (the window keeps it true)."""
        if text != self.editor.placeholderText():
            self.editor.setPlaceholderText(text)
            # Qt leaves a focused box's old placeholder on the screen (the fourth walk:
            # "Starting captions…" beside "Did not start").
            self.editor.viewport().update()

    def set_captions(self, captions: str) -> None:
        """Where turns are translated: the translation under each line, or alone. Lines
        already shown keep their form; the next ones follow (no whole-document pass)."""
        self._captions = captions

    def plain_text(self) -> str:
        return self._doc.toPlainText()

    def follows_end(self) -> bool:
        return self._follow

    # --- turns ----------------------------------------------------------------------------

    def _live_index(self, turn: Turn) -> int | None:
        for index, live in enumerate(self._live):
            if live.stream == turn.stream:
                return index
        return None

    def _show_live(self, turn: Turn) -> None:
        index = self._live_index(turn)
        if index is not None and self._live[index].order != turn.order:
            # The service moved on without ending the old turn: keep what was heard of it.
            old = self._live[index]
            self._finish(replace(old, text=old.display_text, tail="", finished=True))
            index = None
        if index is None:
            block = self._new_live_block()
            self._live.append(turn)
        else:
            block = self._live_block(index)
            self._live[index] = turn
        self._rewrite(block, TurnRow.of(turn, self._captions))

    def _finish(self, turn: Turn) -> None:
        self._last_gap = None
        line = TurnRow.of(turn, self._captions)
        entry = self._finished.get(turn.key)
        index = self._live_index(turn)
        if index is not None and self._live[index].order != turn.order:
            index = None
        if entry is not None:
            block = entry.block  # ended again (legacy formatting): swap in place
        elif index == 0:
            block = self._live_block(0)  # the first live block is already at the boundary
            note = self._last_note
            if note is not None and note[0] == block.previous() and note[1] > turn.start_ms:
                # The row was noted while this line was spoken (the tenth walk: "Captions are
                # back…" at 1:00 above the line begun at 0:58): the line goes above it.
                note_block, at_ms, text = note
                self._note(block, at_ms, text)
                block = note_block
        else:
            if index is not None:
                self._remove_block(self._live_block(index))
                del self._live[index]
                index = None
            block = self._new_block_before_live()
        if index is not None:
            del self._live[index]
        self._rewrite(block, line)
        self._finished[turn.key] = FinishedBlock(block, line)
        self._finished_since_release += 1
        if self._finished_since_release >= RELEASE_LAYOUTS_EVERY and self._follow:
            self._release_layouts()

    def _release_layouts(self) -> None:
        """Let go of every block's shaped text; the blocks are laid out again when shown.

        Qt keeps each block's layout, with its shaped glyphs, for as long as the document
        lives: about 4 KB a turn, all of a long session's, though only a screenful is shown
        (3 MB an hour of speech, the soak's biggest growth). Only a new document layout frees
        them. The view then lays out just what it paints, as after a resize; while the person
        reads back up the transcript this waits, since their place rests on the line counts.
        """
        self._finished_since_release = 0
        layout = QPlainTextDocumentLayout(self._doc)
        self._doc.setDocumentLayout(layout)
        self.editor.setDocument(self._doc)  # the editor takes up the new layout and its width
        # Lay out the lines the end shows now: until then Qt counts a line a block, and the
        # scroll to the end would leave the newest lines below the window.
        height, block = 0.0, self._doc.lastBlock()
        while block.isValid() and height < self.editor.viewport().height():
            height += layout.blockBoundingRect(block).height()
            block = block.previous()
        layout.documentSizeChanged.emit(layout.documentSize())  # the scroll bar hears of it
        self._keep_end_in_view()

    # --- blocks ---------------------------------------------------------------------------

    def _live_block(self, index: int) -> QTextBlock:
        block = self._doc.lastBlock()
        for _ in range(len(self._live) - 1 - index):
            block = block.previous()
        return block

    def _new_live_block(self) -> QTextBlock:
        if self._empty:
            self._empty = False
            return self._doc.firstBlock()
        cursor = QTextCursor(self._doc)
        cursor.setPosition(self._doc.characterCount() - 1)
        # Qt's plain-text layout repaints the whole viewport for a block added at the end (a
        # new turn, about once a second). Its signals are held back here as in ``_rewrite``:
        # the scroll bar hears the new size, the block before (which Qt lays out afresh) and
        # everything below it are repainted, and the scroll to the end moves the rest.
        layout = self._doc.documentLayout()
        blocked = layout.blockSignals(True)
        try:
            cursor.insertBlock()
        finally:
            layout.blockSignals(blocked)
        layout.documentSizeChanged.emit(layout.documentSize())
        self._repaint_down_from(cursor.block().previous())
        return cursor.block()

    def _new_block_before_live(self) -> QTextBlock:
        if not self._live:
            return self._new_live_block()  # same place: the end of the document
        previous = self._live_block(0).previous()
        if previous.isValid():
            # Open the block at the end of the one before, so no tracked block is split.
            cursor = QTextCursor(self._doc)
            cursor.setPosition(end_of(previous))
            cursor.insertBlock()
            return cursor.block()
        cursor = QTextCursor(self._doc)  # live blocks start the document: open one before
        cursor.insertBlock()
        return self._doc.firstBlock()

    def _remove_block(self, block: QTextBlock) -> None:
        # Only live blocks after the first are removed, so a block precedes this one. Taking
        # its separator with the text keeps every other block handle valid.
        previous = block.previous()
        cursor = QTextCursor(self._doc)
        cursor.setPosition(end_of(previous))
        cursor.setPosition(end_of(block), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()

    def _select(self, block: QTextBlock) -> QTextCursor:
        # setPosition, not movePosition: moving by "end of block" lays the block out first,
        # which made every update ~5x dearer after 30,000 turns.
        cursor = QTextCursor(self._doc)
        cursor.setPosition(block.position())
        cursor.setPosition(end_of(block), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _rewrite(self, block: QTextBlock, line: TurnRow) -> None:
        """Rewrite one block in place and repaint only from its top down.

        Qt's plain-text layout asks for the whole viewport on any edit, and repainting every
        visible line was most of the cost of a live update (10 a second). Its signals are held
        back for the edit, which changes no block count; the block's new line count reaches the
        scroll bar when it is laid out again, just after. What follows the block (the other
        live turns) can move, so the repaint runs from the block's top to the bottom. (Qt's
        behaviour here is not its documented API: tests/qt/test_qt_internals.py names the Qt
        versions it was checked on.)
        """
        editor = self.editor
        lines = block.lineCount()
        layout = self._doc.documentLayout()
        blocked = layout.blockSignals(True)
        try:
            self._write(block, line)
        finally:
            layout.blockSignals(blocked)
        # Lay the block out now, not in the paint. A block that gained or lost a line may
        # scroll the view: then all of it is repainted (a few times a minute).
        top = self._top_of(block)
        viewport = editor.viewport()
        if block.lineCount() != lines:
            viewport.update()
        else:
            viewport.update(0, max(0, top), viewport.width(), viewport.height())

    def _top_of(self, block: QTextBlock) -> int:
        """Where the block starts in the viewport (laying it out, if it is not)."""
        editor = self.editor
        return math.floor(
            editor.blockBoundingGeometry(block).translated(editor.contentOffset()).top()
        )

    def _repaint_down_from(self, block: QTextBlock) -> None:
        viewport = self.editor.viewport()
        viewport.update(0, max(0, self._top_of(block)), viewport.width(), viewport.height())

    def _write(self, block: QTextBlock, line: TurnRow) -> None:
        cursor = self._select(block)
        cursor.beginEditBlock()
        cursor.insertText(f"{clock(line.start_ms)}  ", self._time_format)
        if line.language:
            cursor.insertText(f"[{line.language}] ", self._time_format)
        if line.speaker:
            cursor.insertText(f"Speaker {line.speaker}: ", self._speaker_format)
        if line.text:
            cursor.insertText(line.text, self._text_format)
        if line.tail:
            cursor.insertText(f" {line.tail}" if line.text else line.tail, self._dim_format)
        if line.under:
            cursor.insertText(LINE_SEPARATOR, self._text_format)
            cursor.insertText(f"[{line.under_language}] ", self._time_format)
            cursor.insertText(line.under, self._translation_format)
        cursor.endEditBlock()

    # --- follow the end -------------------------------------------------------------------

    def _keep_end_in_view(self) -> None:
        if self._follow:
            self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        bar = self.editor.verticalScrollBar()
        self._adjusting = True
        try:
            bar.setValue(bar.maximum())
        finally:
            self._adjusting = False

    @Slot(int, int)
    def _range_changed(self, _minimum: int, _maximum: int) -> None:
        self._keep_end_in_view()

    @Slot(int)
    def _value_changed(self, value: int) -> None:
        if not self._adjusting:
            # The person scrolled: stop following when they left the end, resume at the end.
            self._follow = value >= self.editor.verticalScrollBar().maximum()

    # --- search (``transcript_search.py``) ---------------------------------------------------

    @Slot()
    def show_find_bar(self) -> None:
        self.search.show_bar()

    def find_text(self, text: str, *, backward: bool = False) -> bool:
        return self.search.find(text, backward=backward)

    # --- copy -----------------------------------------------------------------------------

    @Slot()
    def copy_selection(self) -> None:
        self.editor.copy()

    @Slot()
    def copy_all(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.plain_text())

    @Slot(QPoint)
    def _context_menu(self, position: QPoint) -> None:
        menu = self.editor.createStandardContextMenu(position)
        menu.addSeparator()
        menu.addAction(self.copy_all_action)
        menu.addAction(self.find_action)
        menu.exec(self.editor.viewport().mapToGlobal(position))
        menu.deleteLater()


def end_of(block: QTextBlock) -> int:
    """The position of the block's separator, just after its last character."""
    return block.position() + block.length() - 1


def mix(top: QColor, bottom: QColor, amount: float) -> QColor:
    def channel(a: int, b: int) -> int:
        return round(a * amount + b * (1.0 - amount))

    return QColor(
        channel(top.red(), bottom.red()),
        channel(top.green(), bottom.green()),
        channel(top.blue(), bottom.blue()),
    )
