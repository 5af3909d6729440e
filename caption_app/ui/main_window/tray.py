"""The tray icon: show/hide, lock/unlock or reset the overlay, start/stop and quit, from anywhere.

It reuses the main window's actions, so a change of state (checked, text, enabled) shows in the
tray menu, the window's menus and the toolbar alike.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


def build_tray(
    icon: QIcon, actions: list[QAction | None], parent: QWidget
) -> QSystemTrayIcon | None:
    """Return a visible tray icon, or None where the platform has no tray (it is optional)."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    menu = QMenu(parent)
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)
    tray = QSystemTrayIcon(icon, parent)
    tray.setToolTip("Caption App")
    tray.setContextMenu(menu)
    tray.show()
    return tray
