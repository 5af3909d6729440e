"""The input level meter: a bar with its reading written on it.

It is drawn exactly as the style draws a progress bar, but a new reading only schedules a
paint. ``QProgressBar.setValue`` repaints at once, synchronously, on every change: ten times a
second while captioning, each a paint of its own instead of one merged with the window's other
repaints.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QSizePolicy,
    QStyle,
    QStyleOptionProgressBar,
    QStylePainter,
    QWidget,
)


class LevelMeter(QWidget):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0
        self._text = text
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Opaque: a new reading repaints the meter alone, not the status line, the central
        # widget and the window behind it as well.
        self.setAutoFillBackground(True)
        self.setAccessibleDescription(text)

    def value(self) -> int:
        """How full the bar is, 0-100."""
        return self._value

    def text(self) -> str:
        """What the bar says ("silent", "-21 dB", "not listening")."""
        return self._text

    def isTextVisible(self) -> bool:
        return True

    def set_reading(self, value: int, text: str) -> None:
        value = max(0, min(100, value))
        if value == self._value and text == self._text:
            return
        if text != self._text:
            self._text = text
            self.setAccessibleDescription(text)  # changes in 3 dB steps, not every reading
        self._value = value
        self.update()

    def _style_option(self) -> QStyleOptionProgressBar:
        option = QStyleOptionProgressBar()
        option.initFrom(self)
        option.minimum, option.maximum, option.progress = 0, 100, self._value
        option.text = self._text
        option.textVisible = True
        option.textAlignment = Qt.AlignmentFlag.AlignCenter
        option.state |= QStyle.StateFlag.State_Horizontal
        return option

    def sizeHint(self) -> QSize:
        # As QProgressBar sizes itself, so the status line keeps its look.
        option = self._style_option()
        metrics = self.fontMetrics()
        chunk = self.style().pixelMetric(QStyle.PixelMetric.PM_ProgressBarChunkWidth, option, self)
        size = QSize(max(9, chunk) * 7 + metrics.horizontalAdvance("0") * 4, metrics.height() + 8)
        return self.style().sizeFromContents(QStyle.ContentsType.CT_ProgressBar, option, size, self)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.sizeHint().width(), self.fontMetrics().height() + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        painter.drawControl(QStyle.ControlElement.CE_ProgressBar, self._style_option())
