"""The empty transcript's words, on the screen (not only in the widget): the fourth walk saw
"Starting captions…" beside "Did not start" because the text box had the keyboard focus, and
Qt does not repaint a focused box's placeholder when it changes."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from caption_app.ui.transcript.view import TranscriptView

pytestmark = pytest.mark.x11


def _on_screen(view: TranscriptView) -> QImage:
    """What the screen shows of the text box (its window's pixels, not a fresh render)."""
    viewport = view.editor.viewport()
    shot = QGuiApplication.primaryScreen().grabWindow(view.winId()).toImage()
    at = viewport.mapTo(view, viewport.rect().topLeft())
    return shot.copy(at.x(), at.y(), viewport.width(), viewport.height())


def test_a_new_hint_is_drawn_while_the_transcript_has_the_focus(qtbot: QtBot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(500, 200)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.editor.setFocus()
    qtbot.waitUntil(view.editor.hasFocus, timeout=3_000)
    view.set_hint("Starting captions… each finished line appears here.")
    qtbot.wait(300)
    starting = _on_screen(view)
    view.set_hint("Press Start captions; each finished line appears here.")
    qtbot.wait(300)
    fresh = view.editor.viewport().grab().toImage()
    assert _on_screen(view) != starting  # the screen changed…
    assert _on_screen(view).convertToFormat(fresh.format()) == fresh  # …to the new words
