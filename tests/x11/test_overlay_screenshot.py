"""The overlay on a real X server with a compositor: text drawn, the window behind shows through.

Run under Xvfb by scripts/test (``QT_QPA_PLATFORM=xcb``). The test starts ``xcompmgr`` itself:
without a compositor X cannot blend a translucent window, and a 50 % black box would paint as
opaque black. It compares the screen before and after the overlay appears, pixel by pixel,
wherever the overlay paints pure background. Set ``CAPTION_APP_WRITE_SCREENSHOT=1`` to also
write the README screenshot.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from caption_app.core.model.turns import TurnMessage, WordMessage
from caption_app.core.settings import OverlayStyle
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.ui.overlay.window import CaptionOverlay

pytestmark = pytest.mark.x11

SCREENSHOT = Path(__file__).resolve().parents[2] / "resources" / "screenshots" / "overlay.png"
OPACITY = 0.5
TOLERANCE = 3  # compositor rounding, per channel
FINISHED = "Thanks for joining, everyone. Let's start with the numbers"
LIVE_FINAL, LIVE_TAIL = "from the third", "quarter"

Pixels = NDArray[np.int16]


@pytest.fixture
def compositor() -> Iterator[subprocess.Popen[bytes]]:
    assert os.environ.get("DISPLAY"), "the x11 tests need an X server: run them under xvfb-run"
    exe = shutil.which("xcompmgr")
    assert exe, "xcompmgr is not installed (apt-get install xcompmgr); translucency needs it"
    process = subprocess.Popen([exe], stderr=subprocess.PIPE)
    try:
        yield process
        assert process.poll() is None, f"xcompmgr exited: {process.stderr.read()!r}"  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stderr is not None:
            process.stderr.close()


class MeetingBackdrop(QWidget):
    """An opaque stand-in for a meeting window: a dark stage with three video tiles."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#1f2a36"))
        tile_w, tile_h, gap = 360, 270, 30
        left = (self.width() - 3 * tile_w - 2 * gap) // 2
        colours = ("#3c6e91", "#7a5c8e", "#4f8a5b")
        names = ("Alex", "Sam", "Priya")
        font = QFont("DejaVu Sans", 14)
        painter.setFont(font)
        for i, (colour, name) in enumerate(zip(colours, names, strict=True)):
            tile = QRectF(left + i * (tile_w + gap), 420, tile_w, tile_h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            painter.drawRoundedRect(tile, 12, 12)
            painter.setBrush(QColor(255, 255, 255, 70))
            painter.drawEllipse(tile.center(), 60, 60)
            painter.setPen(QColor("#f0f0f0"))
            painter.drawText(tile.adjusted(14, 0, 0, -12), Qt.AlignmentFlag.AlignBottom, name)
        painter.end()


def _pixels(image: QImage) -> Pixels:
    rgb = image.convertToFormat(QImage.Format.Format_RGBA8888)
    view = np.frombuffer(rgb.constBits(), dtype=np.uint8)
    rows = view.reshape(rgb.height(), rgb.bytesPerLine())[:, : rgb.width() * 4]
    return rows.reshape(rgb.height(), rgb.width(), 4).astype(np.int16)


def _screen(area: QRect) -> Pixels:
    screen = QGuiApplication.primaryScreen()
    grab = screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
    return _pixels(grab.toImage())


def _caption(overlay: CaptionOverlay) -> None:
    asm = TurnAssembler()
    words = FINISHED.split()
    done = tuple(WordMessage(w, 300 * i, 300 * i + 250, 0.9, True) for i, w in enumerate(words))
    (update,) = asm.apply(0, TurnMessage(0, FINISHED, True, True, done))
    overlay.apply_update(update)
    live = [*LIVE_FINAL.split(), LIVE_TAIL]
    live_words = tuple(
        WordMessage(w, 300 * i, 300 * i + 250, 0.8, i < len(live) - 1) for i, w in enumerate(live)
    )
    (update,) = asm.apply(0, TurnMessage(1, LIVE_FINAL, False, False, live_words))
    overlay.apply_update(update)


def test_overlay_blends_over_the_window_below(
    compositor: subprocess.Popen[bytes], qtbot: QtBot
) -> None:
    screen_area = QGuiApplication.primaryScreen().geometry()
    backdrop = MeetingBackdrop()
    qtbot.addWidget(backdrop)
    backdrop.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    backdrop.setGeometry(screen_area)
    backdrop.show()
    qtbot.waitExposed(backdrop)

    overlay = CaptionOverlay()
    qtbot.addWidget(overlay)
    style = dataclasses.replace(
        OverlayStyle(), background_color="#000000", background_opacity=OPACITY, font_size_pt=26
    )
    overlay.set_style(style)
    overlay.setGeometry(190, 600, 900, overlay.height())
    _caption(overlay)
    area = overlay.geometry()
    painted = _pixels(backdrop.grab(area).toImage())[..., :3]

    def backdrop_on_screen() -> bool:
        return bool(np.array_equal(_screen(area)[..., :3], painted))

    qtbot.waitUntil(backdrop_on_screen, timeout=5000)
    before = _screen(area)

    overlay.show()
    qtbot.waitExposed(overlay)
    drawn = _pixels(overlay.grab().toImage())  # the overlay's own pixels, with real alpha
    alpha = round(OPACITY * 255)
    background = (drawn[..., 3] == alpha) & (drawn[..., :3].sum(axis=2) == 0)
    text = (drawn[..., 3] == 255) & (drawn[..., :3].min(axis=2) == 255)
    assert background.sum() > 0.5 * background.size, "most of the box should be plain background"
    assert text.sum() > 500, "the caption should have solid white glyph pixels"
    expected = np.round(before[..., :3] * (1 - alpha / 255)).astype(np.int16)

    def blended() -> bool:
        error = np.abs(_screen(area)[..., :3] - expected)[background]
        return bool(error.max() <= TOLERANCE)

    qtbot.waitUntil(blended, timeout=5000)  # the compositor needs a frame or two
    after = _screen(area)
    assert not np.array_equal(after[background], before[background])
    # The meeting shows through: the tiles behind the box still differ from the stage colour.
    assert len({tuple(p) for p in after[background][:, :3].tolist()}) > 3
    assert (after[text][:, :3] >= 255 - TOLERANCE).all(), "caption text is drawn solid white"
    assert overlay.rendered_lines()[-1].endswith(f"{LIVE_FINAL} {LIVE_TAIL}")

    if os.environ.get("CAPTION_APP_WRITE_SCREENSHOT") == "1":
        shot = area.adjusted(-150, -230, 150, 60).intersected(screen_area)
        image = QGuiApplication.primaryScreen().grabWindow(
            0, shot.x(), shot.y(), shot.width(), shot.height()
        )
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        assert image.save(str(SCREENSHOT), "PNG")


class _PressCounter(QObject):
    """Counts the mouse presses that reach a widget (an event filter, so nothing is mocked)."""

    def __init__(self) -> None:
        super().__init__()
        self.presses = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress:
            self.presses += 1
        return False


def _click(x: int, y: int) -> None:
    exe = shutil.which("xdotool")
    assert exe, "xdotool is not installed (apt-get install xdotool)"
    subprocess.run([exe, "mousemove", str(x), str(y), "click", "1"], check=True, timeout=10)


def test_a_locked_overlay_lets_clicks_through_to_the_window_below(qtbot: QtBot) -> None:
    backdrop = MeetingBackdrop()
    qtbot.addWidget(backdrop)
    backdrop.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    backdrop.setGeometry(QGuiApplication.primaryScreen().geometry())
    backdrop.show()
    qtbot.waitExposed(backdrop)
    overlay = CaptionOverlay()
    qtbot.addWidget(overlay)
    overlay.setGeometry(300, 300, 600, overlay.height())
    overlay.show()
    qtbot.waitExposed(overlay)
    below, on_top = _PressCounter(), _PressCounter()
    backdrop.installEventFilter(below)
    overlay.installEventFilter(on_top)
    centre = overlay.geometry().center()

    _click(centre.x(), centre.y())
    qtbot.waitUntil(lambda: on_top.presses == 1, timeout=5000)
    assert below.presses == 0

    overlay.set_locked(True)
    qtbot.waitExposed(overlay)
    _click(centre.x(), centre.y())
    qtbot.waitUntil(lambda: below.presses == 1, timeout=5000)
    assert on_top.presses == 1
    assert overlay.geometry().center() == centre

    overlay.set_locked(False)
    qtbot.waitExposed(overlay)
    _click(centre.x(), centre.y())
    qtbot.waitUntil(lambda: on_top.presses == 2, timeout=5000)
    assert below.presses == 1
