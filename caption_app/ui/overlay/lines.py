"""Measuring and painting caption lines: translucent box, solid text, dimmed tail, outline.

The line model (which words go on which line) is Qt-free in ``core/caption_lines.py``; this
module only supplies font metrics to it and draws the result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from caption_app.core.caption_lines import CachedWrap, Line, Segment
from caption_app.core.contrast import blend, outline_colour
from caption_app.core.settings import OverlayStyle

_WordKey = tuple[str, bool, float, float, float, bool]
"""A word (with its leading space), dimmed or not, the device pixel ratio, where it starts,
and whether it is a translation's (smaller)."""
_MAX_WIDTHS = 20_000
_MAX_WORD_IMAGES = 200  # a few MB: the words of the lines on show, dimmed and not
_WORDS = re.compile(r"\s*\S+|\s+$")

TRANSLATION_SCALE = 0.8
"""A translation under its line is drawn this much smaller (and in italics): it reads as
belonging to the line above, and leaves the original the larger type."""
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
        self.small_font = QFont(self.font)
        self.small_font.setPointSizeF(style.font_size_pt * TRANSLATION_SCALE)
        self.small_font.setItalic(True)
        self.small_metrics = QFontMetricsF(self.small_font)
        em = self.metrics.height()
        self.outline_width = max(2.0, em / 12)
        radius = self.outline_width / 2
        steps = 8 if radius <= 2 else 16  # around the circle: no gaps at large sizes
        self._outline_offsets = [
            (radius * math.cos(2 * math.pi * i / steps), radius * math.sin(2 * math.pi * i / steps))
            for i in range(steps)
        ]
        self._shadow_offset = [(self.outline_width, self.outline_width)]
        self.padding_x = round(em * 0.5)
        self.padding_y = round(em * 0.2)
        self.radius = em * 0.25
        self.text_colour = QColor(style.text_color)
        self.dim_colour = QColor(blend(style.text_color, style.background_color, DIM_STRENGTH))
        self.edge_colour = QColor(outline_colour(style.text_color))
        background = QColor(style.background_color)
        background.setAlphaF(style.background_opacity)
        self.background = background
        # Outlining a line of text costs about a millisecond, and per update only the live
        # line changes: lines are drawn from their words' images (each word outlined once),
        # straight onto the window, and a word is measured once.
        self._widths: dict[str, float] = {}
        self._small_widths: dict[str, float] = {}
        self._words: dict[_WordKey, QImage] = {}
        self._wrap = CachedWrap()
        self._box: tuple[tuple[float, float, float], QImage] | None = None

    def advance(self, text: str) -> float:
        width = self._widths.get(text)
        if width is None:
            if len(self._widths) > _MAX_WIDTHS:
                self._widths.clear()
            width = self._widths[text] = self.metrics.horizontalAdvance(text)
        return width

    def advance_small(self, text: str) -> float:
        width = self._small_widths.get(text)
        if width is None:
            if len(self._small_widths) > _MAX_WIDTHS:
                self._small_widths.clear()
            width = self._small_widths[text] = self.small_metrics.horizontalAdvance(text)
        return width

    def line_height(self) -> float:
        return self.metrics.lineSpacing() + self.outline_width

    def box_height(self) -> int:
        """The fixed height for ``style.lines`` lines, so the box never jumps as text grows."""
        return round(self.style.lines * self.line_height() + 2 * self.padding_y)

    def text_width(self, box_width: int) -> float:
        return max(1.0, box_width - 2 * self.padding_x - self.outline_width)

    def layout(self, segments: Sequence[Segment], box_width: int) -> list[Line]:
        return self._wrap.wrap(
            segments, self.text_width(box_width), self.advance, self.style.lines, self.advance_small
        )

    def paint(
        self, painter: QPainter, box: QRectF, lines: Sequence[Line], dirty: QRect | None = None
    ) -> None:
        """The box and its lines; only the rows that cross ``dirty`` (the region being
        repainted, if not all of it) are drawn."""
        ratio = painter.device().devicePixelRatioF()
        # Source mode: the box's alpha is exactly the chosen opacity, not blended with junk.
        # The box is copied from its image, and only where the repaint is.
        area = QRectF(box) if dirty is None else QRectF(dirty).intersected(box)
        within = area.translated(-box.topLeft())
        pixels = QRectF(within.topLeft() * ratio, within.size() * ratio)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(area, self._box_image(box, ratio), pixels)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        rows = len(lines)
        for row, line in enumerate(lines):
            if dirty is not None and not dirty.intersects(self.row_rect(box, rows, row)):
                continue
            x, y = self._row_origin(box, rows, row)
            # The line starts on a whole pixel (so it keeps its look as it moves up); its
            # words on quarter pixels within it, as measured.
            for left, image in self._placed_words(line, ratio, x - math.floor(x)):
                painter.drawImage(QPointF(math.floor(x) + left, math.floor(y)), image)

    def _box_image(self, box: QRectF, ratio: float) -> QImage:
        """The translucent rounded box, drawn once for its size."""
        key = (box.width(), box.height(), ratio)
        if self._box is None or self._box[0] != key:
            image = self._blank(box.width(), box.height(), ratio)
            painter = QPainter(image)
            try:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.background)
                shape = QRectF(0, 0, box.width(), box.height())
                painter.drawRoundedRect(shape, self.radius, self.radius)
            finally:
                painter.end()
            self._box = (key, image)
        return self._box[1]

    def row_rect(self, box: QRectF, rows: int, row: int, lines: Sequence[Line] = ()) -> QRect:
        """The band of the box that row ``row`` of ``rows`` paints (outline and all), from
        the box's left edge to the end of the longest of ``lines`` (what the row showed and
        shows now), or the whole width. A line rarely reaches the right edge: the rest of
        the box (and the resize grip in its corner) is not repainted for it."""
        x, y = self._row_origin(box, rows, row)
        height = math.ceil(self.line_height() + 2 * self._margin() + 1)
        right = box.right()
        if lines:
            right = min(right, x + max(self._drawn_width(line) for line in lines) + 1)
        left = math.floor(box.left())
        return QRect(left, math.floor(y), math.ceil(right) - left, height + 1)

    def _drawn_width(self, line: Line) -> float:
        """How far right of its row's origin a line's words (outline and all) may reach."""
        widths = (self.advance_small if run.small else self.advance for run in line)
        return sum(width(run.text) for width, run in zip(widths, line, strict=True)) + (
            2 * self._margin() + 1
        )

    def _margin(self) -> float:
        return 2 * self.outline_width + 2

    def _row_origin(self, box: QRectF, rows: int, row: int) -> tuple[float, float]:
        """Where a row's line image goes. Bottom-aligned: the newest line sits on the bottom
        row and older lines move up. The image starts on a whole pixel: the text keeps its
        exact place across, and is rounded to a whole pixel down, so a line keeps its image
        as it moves up."""
        top = box.bottom() - self.padding_y - rows * self.line_height()
        baseline = top + row * self.line_height() + self.outline_width / 2
        margin = self._margin()
        return box.left() + self.padding_x - margin, round(baseline - margin)

    def _placed_words(self, line: Line, ratio: float, dx: float) -> Iterator[tuple[int, QImage]]:
        """Each word's image and where it goes, from the line's whole-pixel start."""
        margin = self._margin()
        x = dx + margin
        for run in line:
            for word in _WORDS.findall(run.text):
                # A word's image starts on a quarter pixel; the outline is stroked once.
                left = math.floor(x * 4) / 4 - margin
                key = (word, run.dim, ratio, left - math.floor(left), 0.0, run.small)
                image = self._words.get(key)
                if image is None:
                    if len(self._words) > _MAX_WORD_IMAGES:
                        self._words.clear()
                    image = self._words[key] = self._word_image(key, margin)
                yield math.floor(left), image
                x += self.advance_small(word) if run.small else self.advance(word)

    def _word_image(self, key: _WordKey, margin: float) -> QImage:
        word, dim, ratio, dx, dy, small = key
        advance = self.advance_small(word) if small else self.advance(word)
        image = self._blank(advance + 3 * margin, self.line_height() + 2 * margin + 1, ratio)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_text(painter, dx + margin, dy + margin, word, dim, small=small)
        finally:
            painter.end()
        return image

    @staticmethod
    def _blank(width: float, height: float, ratio: float) -> QImage:
        image = QImage(
            math.ceil(width * ratio),
            math.ceil(height * ratio),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        return image

    def _paint_text(
        self, painter: QPainter, left: float, top: float, text: str, dim: bool, *, small: bool
    ) -> None:
        """The word in its colour over its edge: an outline drawn as the text stamped around
        a circle of the outline's radius (glyphs come from Qt's cache; stroking a path
        outline cost most of the overlay's paint), or a drop shadow."""
        if not text.strip():
            return
        painter.setFont(self.small_font if small else self.font)
        # A smaller translation sits on the same baseline as a full-size line would.
        baseline = top + self.metrics.ascent()
        painter.setPen(self.edge_colour)
        offsets = self._outline_offsets if self.style.outline else self._shadow_offset
        for dx, dy in offsets:
            painter.drawText(QPointF(left + dx, baseline + dy), text)
        painter.setPen(self.dim_colour if dim else self.text_colour)
        painter.drawText(QPointF(left, baseline), text)
