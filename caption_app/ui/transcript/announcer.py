"""Screen-reader announcements of finished caption lines.

Each finished line is announced once, politely (after what the reader is saying), never the
partial words as they change. People who follow the captions by eye can turn it off.
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget


class LineAnnouncer:
    def __init__(self, widget: QWidget, *, enabled: bool = True) -> None:
        self._widget = widget
        self.enabled = enabled
        self.count = 0
        """Lines announced so far (a figure, not a list: it stays small for hours)."""
        self.last = ""

    def announce(self, text: str) -> None:
        text = text.strip()
        if not self.enabled or not text:
            return
        event = QAccessibleAnnouncementEvent(self._widget, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
        QAccessible.updateAccessibility(event)
        self.count += 1
        self.last = text
