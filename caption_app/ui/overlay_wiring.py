"""How the main window's View menu and the overlay drive each other."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from caption_app.ui.main_window import MainWindow
from caption_app.ui.overlay import CaptionOverlay

KEYBOARD_REFUSED = (
    "The overlay could not take the keyboard on this desktop: drag it with the mouse, or use "
    "View → Reset overlay position."
)


LOCK_UNAVAILABLE = "Lock overlay: not on this desktop"


def wire_overlay(window: MainWindow, overlay: CaptionOverlay) -> None:
    window.overlayToggled.connect(overlay.setVisible)
    plan = overlay.plan()
    if not plan.click_through:
        # Not offered as working: the switch says why instead (menu, toolbar and tray alike).
        window.lock_action.setEnabled(False)
        window.lock_action.setText(LOCK_UNAVAILABLE)
        window.lock_action.setToolTip(plan.no_click_through)
        window.lock_action.setStatusTip(plan.no_click_through)
    overlay.lockRefused.connect(window.notices.show_notice)
    if plan.not_on_top:
        window.notices.show_notice(plan.not_on_top)
    window.lockToggled.connect(overlay.set_locked)
    overlay.lockedChanged.connect(window.lock_action.setChecked)
    window.overlayResetRequested.connect(overlay.reset_position)
    window.overlayResetRequested.connect(lambda: window.overlay_action.setChecked(True))

    def move_by_keyboard() -> None:
        window.overlay_action.setChecked(True)
        overlay.start_keyboard_moving()

    window.move_overlay_action.triggered.connect(move_by_keyboard)
    overlay.keyboardDone.connect(window.activateWindow)
    overlay.keyboardRefused.connect(lambda: window.notices.show_notice(KEYBOARD_REFUSED))
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.screenRemoved.connect(overlay.keep_on_screen)
