"""The Input menu's device lister for start-up: nothing until the window has painted.

Listing inputs can load PyAudio and probe every host API (about 0.2 s without a sound server),
which the first window does not need; the menu is filled right after its first paint.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from caption_app.core.audio.devices import InputDevice


class DeferredDevices(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._shown = False
        self._refresh: Callable[[], None] | None = None

    def __call__(self) -> list[InputDevice]:
        if not self._shown:
            return []
        from caption_app.core.audio.devices import list_devices

        return list_devices()

    def list_after_paint(self, window: QWidget, refresh: Callable[[], None]) -> None:
        """List for real once ``window`` has painted: ``refresh`` (the menu's) runs then."""
        if self._shown or self._refresh is not None:
            return
        self._refresh = refresh
        window.installEventFilter(self)

    def release(self) -> None:
        """List now: the person opened the Input menu (or its Refresh) before any paint, e.g.
        a window started minimised; it must never be stuck on "No input devices found"."""
        if self._shown or self._refresh is None:
            return
        self._shown = True
        self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._shown and self._refresh is not None:
            self._shown = True
            watched.removeEventFilter(self)
            refresh = self._refresh
            # Two turns of the event loop: this paint, then whatever else it queued, first.
            QTimer.singleShot(0, lambda: QTimer.singleShot(0, refresh))
        return False
