"""The input level meter: a bar with its reading written on it.

It moves up to ten times a second while captioning, so it is cheap to draw: a new reading only
schedules a paint (``QProgressBar.setValue`` repaints at once, synchronously, on every change),
and the bar is two flat rectangles and its text in the palette's colours, not the style's
progress bar with its gradients (a quarter of the cost). It keeps a progress bar's size.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QStyle, QStyleOptionProgressBar, QWidget


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
        palette = self.palette()
        painter = QPainter(self)
        try:
            frame = self.rect().adjusted(0, 0, -1, -1)
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRect(frame)
            inside = frame.adjusted(1, 1, 0, 0)
            filled = QRect(
                inside.topLeft(), QSize(inside.width() * self._value // 100, inside.height())
            )
            painter.fillRect(filled, palette.color(QPalette.ColorRole.Highlight))
            # The text in the palette's pair for each part, so it reads on both.
            for part, role in (
                (filled, QPalette.ColorRole.HighlightedText),
                (
                    QRect(filled.topRight() + QPoint(1, 0), inside.bottomRight()),
                    QPalette.ColorRole.Text,
                ),
            ):
                painter.setClipRect(part)
                painter.setPen(palette.color(role))
                painter.drawText(inside, Qt.AlignmentFlag.AlignCenter, self._text)
        finally:
            painter.end()
