"""The tray icon: bring the window back, show/hide, lock/unlock or reset the overlay, start/stop
and quit, from anywhere.

It reuses the main window's actions, so a change of state (checked, text, enabled) shows in the
tray menu, the window's menus and the toolbar alike.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


def build_tray(
    icon: QIcon, actions: list[QAction | None], parent: QWidget, show_window: QAction
) -> QSystemTrayIcon | None:
    """Return a tray icon, shown in the tray when there is one, or None where the platform
    can have none (it is optional). Under X11 a tray may start after the app (the seventh
    walk: it stayed empty until a relaunch): Qt docks the icon whenever one appears. A click
    (left, double or middle) on the icon, or its first menu item, brings the window back
    (``show_window``)."""
    can_come = QGuiApplication.platformName() == "xcb"
    if not (QSystemTrayIcon.isSystemTrayAvailable() or can_come):
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
