"""The global shortcuts (Start/stop, Pause, Show overlay while the meeting has the focus):
grabbed where the desktop allows, each doing what ``caption-app --toggle`` does.

Where the desktop gives no such keys, nothing is grabbed and ``note`` says so, with the
desktop shortcut that does the same (``caption-app --toggle captions``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from caption_app.core.desktop import Desktop, global_keys_note, grabs_keys
from caption_app.qt.settings_store import GLOBAL_SHORTCUTS
from caption_app.ui.main_window.commands import toggles
from caption_app.ui.main_window.window import MainWindow

if TYPE_CHECKING:
    from caption_app.qt.global_keys import X11KeyGrab

log = logging.getLogger(__name__)


class GlobalShortcuts(QObject):
    def __init__(self, window: MainWindow, desktop: Desktop) -> None:
        super().__init__(window)
        self._window = window
        self._desktop = desktop
        self._grab: X11KeyGrab | None = None
        self._problems: dict[str, str] = {}
        self.note = global_keys_note(desktop, grabbed=False)

    def bind(self, shortcuts: Mapping[str, str]) -> None:
        """Grab the global ones among ``shortcuts`` (again, after a change in Settings)."""
        if not grabs_keys(self._desktop):
            return
        if self._grab is None:
            from caption_app.qt.global_keys import X11KeyGrab as Grab

            try:
                self._grab = Grab(parent=self)
            except Exception as exc:  # noqa: BLE001 - no X server: say so, run on
                log.warning("global shortcuts: cannot reach the X server: %s", exc)
                return
            self._grab.triggered.connect(self._triggered)
        wanted = {name: shortcuts.get(name, "") for name in GLOBAL_SHORTCUTS}
        self._problems = self._grab.bind(wanted)
        note = global_keys_note(self._desktop, grabbed=True)
        self.note = " ".join([note, *(f"{p}." for p in self._problems.values())])

    def close(self) -> None:
        if self._grab is not None:
            self._grab.close()
            self._grab = None

    @Slot(str)
    def _triggered(self, name: str) -> None:
        toggles(self._window)[GLOBAL_SHORTCUTS[name]]()
