"""The overlay's tags: small labels at its top right that say things about the captions, not
captions themselves. Right to left: the engine badge ("On this computer" while the local engine
stands in), the language tag (``ES``, ``ES→EN``), and "● Speaking" (from SpeechStarted until
the turn ends). Lines wrap short of them, so no word hides under a tag."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

BADGE_STYLE = (
    "QLabel { color: #ffffff; background: rgba(0, 0, 0, 200); border: 1px solid #ffffff;"
    " border-radius: 6px; padding: 1px 6px; font-size: 11pt; }"
)
SPEAKING = "● Speaking"
"""Lit when the service hears speech start (Universal-3 Pro's SpeechStarted) until that turn
ends: those models send words only now and then, so the reader knows more is coming."""
MARGIN, GAP, TOP = 10, 6, 6


def _tag(parent: QWidget, name: str, text: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setStyleSheet(BADGE_STYLE)
    label.adjustSize()
    label.hide()
    return label


class OverlayTags:
    def __init__(self, overlay: QWidget) -> None:
        self._overlay = overlay
        self.badge = _tag(overlay, "engine-badge")
        self.language = _tag(overlay, "language-tag")  # the detected language, when detection is on
        self.speaking = _tag(overlay, "speaking-tag", SPEAKING)
        self.speaking.setAccessibleName("Someone is speaking")

    def shown(self, tag: QLabel) -> str:
        """A tag's text while it is shown, else ""."""
        return tag.text() if tag.isVisibleTo(self._overlay) else ""

    def set_badge(self, text: str) -> None:
        self.badge.setText(text)
        self.badge.setVisible(bool(text))
        self.badge.adjustSize()
        self.place()

    def set_language(self, code: str) -> None:
        self.language.setText(code)
        self.language.setAccessibleName(f"Detected language: {code}")
        self.language.adjustSize()
        self.language.setVisible(bool(code))
        self.place()

    def set_speaking(self, on: bool) -> None:
        self.speaking.setVisible(on)
        self.place()

    def left_edge(self) -> int | None:
        """Where the leftmost shown tag begins, or None when none is shown."""
        shown = [t.x() for t in (self.badge, self.language, self.speaking) if self.shown(t)]
        return min(shown) if shown else None

    def place(self) -> None:
        right = self._overlay.width() - MARGIN
        for tag in (self.badge, self.language, self.speaking):
            if tag.isVisibleTo(self._overlay):
                tag.move(right - tag.width(), TOP)
                right = tag.x() - GAP
