"""The tray icon: bring the window back, show/hide, lock/unlock or reset the overlay, start/stop
and quit, from anywhere.

It reuses the main window's actions, so a change of state (checked, text, enabled) shows in the
tray menu, the window's menus and the toolbar alike.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


def build_tray(
    icon: QIcon, actions: list[QAction | None], parent: QWidget, show_window: QAction
) -> QSystemTrayIcon | None:
    """Return a visible tray icon, or None where the platform has no tray (it is optional).
    A click (left, double or middle) on the icon, or its first menu item, brings the window
    back (``show_window``)."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    menu = QMenu(parent)
    menu.addAction(show_window)
    menu.addSeparator()
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)
    tray = QSystemTrayIcon(icon, parent)
    tray.setToolTip("Caption App")
    tray.setContextMenu(menu)
    clicks = (
        QSystemTrayIcon.ActivationReason.Trigger,
        QSystemTrayIcon.ActivationReason.DoubleClick,
        QSystemTrayIcon.ActivationReason.MiddleClick,
    )

    def activated(reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in clicks:
            show_window.trigger()

    tray.activated.connect(activated)
    tray.show()
    return tray
