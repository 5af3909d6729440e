"""What a later launch (``caption-app --toggle …``) or a global shortcut asks of the running app.

Each toggle goes through the main window's own action, so the menus, the toolbar and the tray
show the new state, and a switch that is not offered here (Lock where clicks cannot pass
through) says why instead of pretending.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from caption_app.ui.main_window.window import MainWindow


def toggles(window: MainWindow) -> Mapping[str, Callable[[], None]]:
    """Toggle name (as in ``caption-app --toggle``) -> what it does in ``window``."""

    def trigger_if_offered(name: str) -> Callable[[], None]:
        action = {"pause": window.pause_action, "lock": window.lock_action}[name]

        def run() -> None:
            if action.isEnabled():
                action.trigger()
            elif action.toolTip():
                window.notify(action.toolTip(), key=f"not-offered:{name}")

        return run

    return {
        "captions": window.toggle_start,
        "pause": trigger_if_offered("pause"),
        "overlay": window.overlay_action.trigger,
        "lock": trigger_if_offered("lock"),
    }


def bring_forward(window: MainWindow) -> None:
    """Show the main window above the others (a launch while it runs, or a tray click)."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
