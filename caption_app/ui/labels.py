"""Status labels that screen readers follow.

A QLabel given an accessible name is announced by that name, not by its text; so a label whose
text changes (state, time, a result count) mirrors the text into its accessible description.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel


def show_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setAccessibleDescription(text)


def hold_size(label: QLabel, widest: str) -> None:
    """Fix a label whose text changes every second at the size of its widest text, opaque: a
    new text then repaints the label alone, instead of laying the window out again and
    repainting what is behind it."""
    text = label.text()
    label.setText(widest)
    label.setFixedSize(label.sizeHint())
    label.setText(text)
    label.setAutoFillBackground(True)


class OneLineLabel(QLabel):
    """A label that keeps to one line of whatever width it is given, eliding its end ("…")
    rather than widening the window or wrapping; the whole text is its tooltip and what a
    screen reader reads."""

    def __init__(self, text: str = "", min_width: int = 120) -> None:
        super().__init__()
        self._full = ""
        self._min_width = min_width
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self._elide()

    def text(self) -> str:
        """The whole text (what is drawn may end in "…")."""
        return self._full

    def shown_text(self) -> str:
        return super().text()

    def minimumSizeHint(self) -> QSize:
        return QSize(self._min_width, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(self._min_width, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width())
        if shown != self.shown_text():
            super().setText(shown)
