"""A stand-in for the meeting: a maximised, plain-coloured native Wayland window that prints
where each click reached it (``click X Y``, in its own coordinates) and ``shown`` once drawn.

Run as its own process inside the nested desktop: ``python -m tests.wayland.meeting_window``
(``--x11`` for an X11 window, as the X11 tests use it).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

COLOUR = (60, 160, 220)


class Meeting(QWidget):
    def __init__(self) -> None:
        # No title bar: the window's own coordinates are then the screen's (a Wayland client
        # is never told where its window is).
        super().__init__(None, Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Meeting")
        self._shown = False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(*COLOUR))
        painter.end()
        if not self._shown and self.isMaximized():
            self._shown = True
            print("shown", flush=True)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        print(f"click {point.x()} {point.y()}", flush=True)


def main() -> int:
    # A native Wayland window, or with --x11 an X11 one (the X11 tests' other application).
    platform = "xcb" if "--x11" in sys.argv else "wayland"
    app = QApplication([*sys.argv[:1], "-platform", platform])
    meeting = Meeting()
    meeting.showMaximized()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
