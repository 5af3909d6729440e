"""The find bar under the transcript: a field, next/previous, a result count and close."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    """Find field with next/previous; hidden until Ctrl+F."""

    searched = Signal(str)
    """The text changed: search again from the current match."""
    nextRequested = Signal()
    previousRequested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Find bar")
        self.field = QLineEdit()
        self.field.setPlaceholderText("Find in transcript")
        self.field.setAccessibleName("Find in transcript")
        self.field.setClearButtonEnabled(True)
        label = QLabel("&Find:")
        label.setBuddy(self.field)
        self.previous_button = _button("&Previous", "Find previous")
        self.next_button = _button("&Next", "Find next")
        self.result_label = QLabel()
        self.result_label.setAccessibleName("Search result")
        self.close_button = _button("Close", "Close the find bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (label, self.field, self.previous_button, self.next_button):
            layout.addWidget(widget)
        layout.addWidget(self.result_label, 1)
        layout.addWidget(self.close_button)
        self.field.textChanged.connect(self.searched)
        self.field.returnPressed.connect(self.nextRequested)
        self.next_button.clicked.connect(self.nextRequested)
        self.previous_button.clicked.connect(self.previousRequested)
        self.close_button.clicked.connect(self.closed)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, signal in (
            (QKeySequence(QKeySequence.StandardKey.FindNext), self.nextRequested),
            (QKeySequence(QKeySequence.StandardKey.FindPrevious), self.previousRequested),
            (QKeySequence("Shift+Return"), self.previousRequested),
            (QKeySequence(Qt.Key.Key_Escape), self.closed),
        ):
            QShortcut(keys, self, context=context).activated.connect(signal)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setAutoDefault(False)
    return button
