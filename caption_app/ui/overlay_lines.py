"""Measuring and painting caption lines: translucent box, solid text, dimmed tail, outline.

The line model (which words go on which line) is Qt-free in ``core/caption_lines.py``; this
module only supplies font metrics to it and draws the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from caption_app.core.caption_lines import Line, Segment, wrap_lines
from caption_app.core.contrast import blend, outline_colour
from caption_app.core.settings import OverlayStyle

DIM_STRENGTH = 0.75
"""How much of the text colour a not-yet-final word keeps (the rest is background colour).
At 0.75 the default style's live words keep 5.6:1 over a white page behind the overlay (0.6
gave 3.6:1, below the 4.5:1 that readers with low vision need)."""


class CaptionPainter:
    """Font, colours and metrics of one style; lays out and paints lines in that style."""

    def __init__(self, style: OverlayStyle) -> None:
        self.style = style
        self.font = QFont(style.font_family)
        self.font.setPointSize(style.font_size_pt)
        self.metrics = QFontMetricsF(self.font)
        em = self.metrics.height()
        self.outline_width = max(2.0, em / 12)
        self.padding_x = round(em * 0.5)
        self.padding_y = round(em * 0.2)
        self.radius = em * 0.25
        self.text_colour = QColor(style.text_color)
        self.dim_colour = QColor(blend(style.text_color, style.background_color, DIM_STRENGTH))
        self.edge_colour = QColor(outline_colour(style.text_color))
        background = QColor(style.background_color)
        background.setAlphaF(style.background_opacity)
        self.background = background

    def line_height(self) -> float:
        return self.metrics.lineSpacing() + self.outline_width

    def box_height(self) -> int:
        """The fixed height for ``style.lines`` lines, so the box never jumps as text grows."""
        return round(self.style.lines * self.line_height() + 2 * self.padding_y)

    def text_width(self, box_width: int) -> float:
        return max(1.0, box_width - 2 * self.padding_x - self.outline_width)

    def layout(self, segments: Sequence[Segment], box_width: int) -> list[Line]:
        return wrap_lines(
            segments, self.text_width(box_width), self.metrics.horizontalAdvance, self.style.lines
        )

    def paint(self, painter: QPainter, box: QRectF, lines: Sequence[Line]) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Source mode: the box's alpha is exactly the chosen opacity, not blended with junk.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.fillRect(box, Qt.GlobalColor.transparent)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.background)
        painter.drawRoundedRect(box, self.radius, self.radius)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        # Bottom-aligned: the newest line sits on the bottom row and older lines move up.
        top = box.bottom() - self.padding_y - len(lines) * self.line_height()
        for row, line in enumerate(lines):
            baseline = top + row * self.line_height() + self.outline_width / 2
            self._paint_line(painter, box.left() + self.padding_x, baseline, line)

    def _paint_line(self, painter: QPainter, left: float, top: float, line: Line) -> None:
        baseline = top + self.metrics.ascent()
        solid, dim = QPainterPath(), QPainterPath()
        x = left
        for run in line:
            (dim if run.dim else solid).addText(QPointF(x, baseline), self.font, run.text)
            x += self.metrics.horizontalAdvance(run.text)
        for path, colour in ((solid, self.text_colour), (dim, self.dim_colour)):
            if path.isEmpty():
                continue
            if self.style.outline:
                pen = QPen(self.edge_colour, self.outline_width)
                pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                painter.strokePath(path, pen)
            else:
                offset = self.outline_width
                painter.fillPath(path.translated(offset, offset), self.edge_colour)
            painter.fillPath(path, colour)
