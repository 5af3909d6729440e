"""What the desktop session asks of the running app, and what it lets it do: a later launch's
request (``caption-app`` again, ``--toggle``), the global shortcuts, starting with the desktop,
and what the overlay cannot do there (Lock, staying on top), said in the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QGuiApplication

from caption_app.core.desktop import overlay_plan, read_desktop
from caption_app.qt import autostart
from caption_app.qt.settings_store import SettingsStore
from caption_app.ui.main_window.commands import bring_forward, toggles
from caption_app.ui.main_window.global_shortcuts import GlobalShortcuts
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.overlay.window import CaptionOverlay

if TYPE_CHECKING:  # the Settings dialog loads when it is first opened, not at start-up
    from caption_app.ui.settings.dialog import SettingsDialog


def overlay_for_this_desktop(store: SettingsStore) -> CaptionOverlay:
    """The overlay made as this desktop allows (``core/desktop.py``), its place saved once it
    settles, not only at quit (a logout or a crash keeps the place too)."""
    overlay = CaptionOverlay(plan=overlay_plan(read_desktop(QGuiApplication.platformName())))
    overlay.placeChanged.connect(lambda: overlay.save_geometry(store))
    return overlay


class DesktopSession(QObject):
    def __init__(
        self,
        window: MainWindow,
        overlay: CaptionOverlay,
        store: SettingsStore,
        start: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._overlay, self._store = overlay, store
        self._start = start
        self.desktop = read_desktop(QGuiApplication.platformName())
        self.global_shortcuts = GlobalShortcuts(window, self.desktop)
        store.shortcutsChanged.connect(self.global_shortcuts.bind)
        self.say_what_the_overlay_cannot(overlay)
        # Like the device list, after the first paint: python-xlib loads then, not before.
        QTimer.singleShot(0, lambda: self.global_shortcuts.bind(store.shortcuts()))

    def say_what_the_overlay_cannot(self, overlay: CaptionOverlay) -> None:
        """Lock not offered where clicks cannot pass through (the switch says why), and what
        to do where the overlay cannot stay on top (the newest notice: shown first)."""
        plan = overlay.plan()
        if not plan.click_through:
            self._window.lock_not_offered(plan.no_click_through)
        overlay.lockRefused.connect(lambda why: self._window.notify(why, key="lock-unavailable"))
        if plan.not_on_top:
            self._window.notify(plan.not_on_top, key="overlay-not-on-top")

    @Slot(object)
    def handle_request(self, request: object) -> None:
        """A later launch's request: toggles only (a desktop shortcut bound to
        ``caption-app --toggle``), else bring the window forward, and start if asked."""
        if not isinstance(request, dict):
            return
        names = [n for n in request.get("toggle") or [] if isinstance(n, str)]
        available = toggles(self._window)
        for name in names:
            if name in available:
                available[name]()
        if not names:
            bring_forward(self._window)
        if request.get("start") is True:
            self._start()

    def serve_settings(self, dialog: SettingsDialog) -> None:
        """What Settings shows of the desktop (the global shortcuts' note, starting with the
        desktop) and does about it."""
        dialog.show_desktop(self.global_shortcuts.note, starts=autostart.is_enabled())
        dialog.autostartApplied.connect(self.start_with_desktop)

    @Slot(bool)
    def start_with_desktop(self, enabled: bool) -> None:
        try:
            autostart.set_enabled(enabled)
        except OSError as exc:
            self._window.notify(f"Could not change starting with the desktop: {exc}")

    def close(self) -> None:
        """The app is quitting: where the overlay is, saved; the global shortcuts let go."""
        self._overlay.save_geometry(self._store)
        self.global_shortcuts.close()
