"""The overlay style page: presets, font, colours, layout, a live preview and the contrast check."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QFontComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from caption_app.core.caption_lines import Line, Segment, wrap_lines
from caption_app.core.contrast import WCAG_AAA, blend, contrast_ratio, relative_luminance
from caption_app.core.settings import OVERLAY_PRESETS, AppSettings, OverlayStyle
from caption_app.ui.labels import show_text
from caption_app.ui.overlay.lines import CaptionPainter
from caption_app.ui.settings.pages import SettingsPage, add_row, named

CUSTOM = "Custom"
UNDER = ("#000000", "#ffffff")
"""What may be behind a translucent box; greys in between are covered by the range check."""
PREVIEW_LINES = 2
"""The preview shows at most two lines so a 96 pt style still fits the dialog."""
PREVIEW_HEIGHT_STYLE = OverlayStyle(font_size_pt=36, lines=PREVIEW_LINES)
"""The preview keeps the height of two lines at 36 pt whatever the style: a larger font shows
fewer lines in it, so the dialog never grows and OK/Cancel never move."""
DOCK_CHOICES = (
    ("floating", "Floating: wherever it is dragged"),
    ("bottom", "Docked at the bottom of the screen"),
    ("top", "Docked at the top of the screen"),
)
SAMPLE = Segment(
    key=(0, 0),
    solid="This is how your captions will look,",
    dim="with the words still being heard dimmed",
    speaker="A",
    finished=False,
)
SHORTER_SAMPLES = (
    SAMPLE,
    Segment((0, 0), "Your captions,", "still being heard", speaker="A", finished=False),
    Segment((0, 0), "Captions", "dimmed", speaker=None, finished=False),
)
"""The preview shows a whole sample, never the tail of one: the longest that fits is used."""
FINISHED_SAMPLES = (
    Segment(
        (0, 0),
        "This is how your captions will look, each line once it is finished.",
        "",
        speaker="A",
        finished=True,
    ),
    Segment((0, 0), "Your captions, each line once finished.", "", speaker="A", finished=True),
    Segment((0, 0), "Finished captions.", "", speaker=None, finished=True),
)
"""With finished lines only there are no live words, so none are spoken of (the fifth walk)."""
BACKDROP = ("#f4f4f4", "#3a3a3a")
BACKDROP_BAND_PX = 40
"""The preview's box sits on light and dark bands, as the overlay sits on a meeting: a
translucent box shows them through it (on the dialog's flat grey, 75 % looked opaque)."""


def worst_contrast(style: OverlayStyle) -> float:
    """Text against the box at its opacity, over the darkest or brightest content behind it."""
    boxes = [blend(style.background_color, under, style.background_opacity) for under in UNDER]
    darkest, brightest = sorted(relative_luminance(box) for box in boxes)
    if darkest <= relative_luminance(style.text_color) <= brightest:
        return 1.0  # some content behind the box makes it exactly as bright as the text
    return min(contrast_ratio(style.text_color, box) for box in boxes)


class ColourButton(QPushButton):
    """Shows a colour as a swatch and its #rrggbb; a click opens the colour dialog."""

    colourChanged = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setAutoDefault(False)
        self._name = name
        self._colour = "#000000"
        self.clicked.connect(self._choose)

    def colour(self) -> str:
        return self._colour

    def set_colour(self, colour: str) -> None:
        colour = QColor(colour).name()
        changed = colour != self._colour
        self._colour = colour
        swatch = QPixmap(QSize(24, 16))
        swatch.fill(QColor(colour))
        self.setIcon(QIcon(swatch))
        self.setText(colour)
        self.setAccessibleDescription(colour)
        if changed:
            self.colourChanged.emit(colour)

    @Slot()
    def _choose(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._colour), self, self._name)
        if chosen.isValid():
            self.set_colour(chosen.name())


class StylePreview(QWidget):
    """Sample captions painted exactly as the overlay paints them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Caption preview")
        self._painter = CaptionPainter(OverlayStyle())
        self.setFixedHeight(CaptionPainter(PREVIEW_HEIGHT_STYLE).box_height())

    def sample_lines(self) -> list[Line]:
        """The longest sample that fits the preview whole, laid out as the overlay would:
        with speaker labels only when they are shown, no live words with finished lines only."""
        painter, lines = self._painter, []
        style = painter.style
        samples = FINISHED_SAMPLES if style.finished_lines_only else SHORTER_SAMPLES
        for sample in samples:
            shown = sample if style.show_speakers else dataclasses.replace(sample, speaker=None)
            lines = wrap_lines(
                [shown],
                painter.text_width(self.width()),
                painter.metrics.horizontalAdvance,
                style.lines + 1,  # one more than fits: a longer sample shows as cut
            )
            if len(lines) <= style.lines:
                return lines
        return lines[-style.lines :]

    def set_style(self, style: OverlayStyle) -> None:
        room = max(1, int((self.height() - 2) // CaptionPainter(style).line_height()))
        shown = dataclasses.replace(style, lines=min(style.lines, PREVIEW_LINES, room))
        self._painter = CaptionPainter(shown)
        self.setAccessibleDescription(f"{SAMPLE.solid} {SAMPLE.dim}")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        lines = self.sample_lines()
        # The box is painted as the overlay's window holds it (its alpha kept), then laid over
        # the backdrop as the desktop's compositor lays the overlay over a meeting.
        ratio = self.devicePixelRatioF()
        captions = QImage(self.size() * ratio, QImage.Format.Format_ARGB32_Premultiplied)
        captions.setDevicePixelRatio(ratio)
        captions.fill(Qt.GlobalColor.transparent)
        layer = QPainter(captions)
        try:
            self._painter.paint(layer, QRectF(self.rect()), lines)
        finally:
            layer.end()
        painter = QPainter(self)
        try:
            for index, x in enumerate(range(0, self.width(), BACKDROP_BAND_PX)):
                colour = QColor(BACKDROP[index % 2])
                painter.fillRect(x, 0, BACKDROP_BAND_PX, self.height(), colour)
            painter.drawImage(0, 0, captions)
        finally:
            painter.end()


class OverlayStylePage(SettingsPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout()
        self.preset_combo = named(QComboBox(), "Colour preset")
        self.preset_combo.addItems([CUSTOM, *OVERLAY_PRESETS])
        add_row(form, "&Preset:", self.preset_combo)
        self.font_combo = named(QFontComboBox(), "Caption font")
        add_row(form, "&Font:", self.font_combo)
        self.size_spin = named(QSpinBox(), "Caption font size")
        self.size_spin.setRange(12, 96)
        self.size_spin.setSuffix(" pt")
        add_row(form, "Font si&ze:", self.size_spin)
        self.text_button = ColourButton("Text colour")
        add_row(form, "&Text colour:", self.text_button)
        self.background_button = ColourButton("Background colour")
        add_row(form, "&Background colour:", self.background_button)
        self._add_opacity_row(form)
        self.outline_check = named(QCheckBox("O&utline the letters"), "Outline the letters")
        form.addRow(self.outline_check)
        self.lines_spin = named(QSpinBox(), "Lines shown")
        self.lines_spin.setRange(1, 6)
        add_row(form, "&Lines:", self.lines_spin)
        self.finished_check = named(
            QCheckBox("Show finished lines o&nly (no live words)"), "Show finished lines only"
        )
        form.addRow(self.finished_check)
        self.clear_spin = named(QSpinBox(), "Clear after silence, in seconds")
        self.clear_spin.setRange(0, 600)
        self.clear_spin.setSuffix(" s")
        self.clear_spin.setSpecialValueText("Never")
        add_row(form, "&Clear after silence:", self.clear_spin)
        self.speakers_check = named(QCheckBox("Show &speaker labels"), "Show speaker labels")
        form.addRow(self.speakers_check)
        self._speakers_labelled = True
        self._speakers_wanted = True
        """The person's choice, kept while no labels come (the box then shows none)."""
        self.dock_combo = named(QComboBox(), "Where the overlay sits")
        for value, text in DOCK_CHOICES:
            self.dock_combo.addItem(text, value)
        self.dock_combo.setToolTip(
            "Docked, the overlay spans the edge of its screen and maximised windows make room "
            "for it (on X11 desktops)"
        )
        add_row(form, "Posi&tion:", self.dock_combo)
        self.preview = StylePreview()
        self.contrast_label = named(QLabel(), "Contrast")
        self.contrast_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.contrast_label)
        layout.addStretch(1)
        self._loading = False
        self._connect()

    def _add_opacity_row(self, form: QFormLayout) -> None:
        self.opacity_slider = named(QSlider(), "Background opacity, percent")
        self.opacity_slider.setOrientation(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_value = named(QLabel(), "Background opacity value")
        opacity_row = QWidget()
        row = QHBoxLayout(opacity_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.opacity_slider, 1)
        row.addWidget(self.opacity_value)
        label = QLabel("Background &opacity:")
        label.setBuddy(self.opacity_slider)
        form.addRow(label, opacity_row)

    def _connect(self) -> None:
        self.preset_combo.currentTextChanged.connect(self._apply_preset)
        for signal in (
            self.font_combo.currentFontChanged,
            self.size_spin.valueChanged,
            self.text_button.colourChanged,
            self.background_button.colourChanged,
            self.opacity_slider.valueChanged,
            self.outline_check.toggled,
            self.lines_spin.valueChanged,
            self.finished_check.toggled,
            self.clear_spin.valueChanged,
            self.speakers_check.toggled,
            self.dock_combo.currentIndexChanged,
        ):
            signal.connect(self._style_edited)

    def set_speakers_labelled(self, labelled: bool) -> None:
        """Whether the service labels speakers (Turns → Label speakers): without it there is no
        label to show, and neither the check box nor the preview pretends otherwise."""
        if labelled == self._speakers_labelled:
            return
        self._speakers_labelled = labelled
        check = self.speakers_check
        # Greyed out and still ticked, it read as "labels shown" (the third walk).
        if labelled:
            check.setChecked(self._speakers_wanted)
        else:
            self._speakers_wanted = check.isChecked()
            check.setChecked(False)
        check.setEnabled(labelled)
        needs = "" if labelled else " (needs “Label speakers” on the Turns page)"
        check.setText(f"Show &speaker labels{needs}")
        check.setToolTip("" if labelled else "Turn on “Label speakers” on the Turns page first")
        self._style_edited()

    def load(self, settings: AppSettings) -> None:
        s = settings.overlay
        self._loading = True
        try:
            self.font_combo.setCurrentFont(QFont(s.font_family))
            self.size_spin.setValue(s.font_size_pt)
            self.text_button.set_colour(s.text_color)
            self.background_button.set_colour(s.background_color)
            self.opacity_slider.setValue(round(s.background_opacity * 100))
            self.outline_check.setChecked(s.outline)
            self.lines_spin.setValue(s.lines)
            self.finished_check.setChecked(s.finished_lines_only)
            self.clear_spin.setValue(s.clear_after_silence_s)
            self._speakers_wanted = s.show_speakers
            self.speakers_check.setChecked(s.show_speakers and self._speakers_labelled)
            self.dock_combo.setCurrentIndex(max(0, self.dock_combo.findData(s.dock)))
        finally:
            self._loading = False
        self._style_edited()

    def overlay_style(self) -> OverlayStyle:
        """The style as the widgets show it (validated by the dialog)."""
        return OverlayStyle(
            font_family=self.font_combo.currentFont().family(),
            font_size_pt=self.size_spin.value(),
            text_color=self.text_button.colour(),
            background_color=self.background_button.colour(),
            background_opacity=self.opacity_slider.value() / 100,
            outline=self.outline_check.isChecked(),
            lines=self.lines_spin.value(),
            finished_lines_only=self.finished_check.isChecked(),
            clear_after_silence_s=self.clear_spin.value(),
            show_speakers=(
                self.speakers_check.isChecked()
                if self._speakers_labelled
                else self._speakers_wanted
            ),
            dock=str(self.dock_combo.currentData() or "floating"),
        )

    def apply(self, settings: AppSettings) -> AppSettings:
        return dataclasses.replace(settings, overlay=self.overlay_style().validate())

    @Slot(str)
    def _apply_preset(self, name: str) -> None:
        preset = OVERLAY_PRESETS.get(name)
        if preset is None:
            return
        # A preset is a colour scheme: it keeps the person's font, size and layout.
        self.text_button.set_colour(preset.text_color)
        self.background_button.set_colour(preset.background_color)
        self.opacity_slider.setValue(round(preset.background_opacity * 100))

    def _style_edited(self, *_args: object) -> None:
        if self._loading:
            return
        style = self.overlay_style()
        show_text(self.opacity_value, f"{self.opacity_slider.value()} %")
        labelled = style.show_speakers and self._speakers_labelled
        self.preview.set_style(dataclasses.replace(style, show_speakers=labelled))
        ratio = worst_contrast(style)
        verdict = (
            f"meets {WCAG_AAA:.0f}:1"
            if ratio >= WCAG_AAA
            else f"⚠ below {WCAG_AAA:.0f}:1: hard to read for many people"
        )
        show_text(self.contrast_label, f"Contrast {ratio:.1f}:1 ({verdict})")
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentText(_preset_of(style))
        self.preset_combo.blockSignals(False)
        self._notify()


def _preset_of(style: OverlayStyle) -> str:
    for name, preset in OVERLAY_PRESETS.items():
        if (preset.text_color, preset.background_color, preset.background_opacity) == (
            style.text_color,
            style.background_color,
            style.background_opacity,
        ):
            return name
    return CUSTOM
