"""Quitting: every window goes at once; the session is given a second, then left behind.

Quit must never freeze a window on the screen: the windows (and the tray icon) are hidden the
moment it is asked for, the session is asked to end within ``QUIT_SAVE_S`` (its last words, its
journal's end record), and the wait for it happens with nothing on the screen. A session still
running after ``QUIT_WAIT_MS`` is stuck (on a device, a connection or a disk): its journal is
on the disk up to its last finished line, so the process ends without it, as it does without a
keyring read still waiting on its unlock prompt (a QThread still running at exit would abort
the process instead).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from caption_app.qt.session_controller import SessionController
from caption_app.qt.threads import running_worker_threads, wait_for_workers

log = logging.getLogger(__name__)
QUIT_SAVE_S = 0.8
"""At Quit, how long the session waits for its last words before it closes its journal."""
QUIT_WAIT_MS = 1500
"""A session still running this long after Quit is stuck, and is left behind."""


class Quitting:
    def __init__(
        self,
        controller: SessionController,
        tray: QSystemTrayIcon | None,
        let_go: Callable[[], None],
    ) -> None:
        self._controller = controller
        self._tray = tray
        self._let_go = let_go
        """What the desktop must have back at Quit (the overlay's place saved, global keys)."""
        self._given_back = False

    def now(self) -> None:
        """Quit (the menu, the tray, closing the main window): the windows go at once, the
        session is asked to end, and the event loop ends (``at_exit`` waits, unseen)."""
        self._give_back()  # before the windows are hidden: where the overlay is now
        for widget in QApplication.topLevelWidgets():
            widget.hide()
        if self._tray is not None:
            self._tray.hide()
        if self._controller.running:
            self._controller.stop(within_s=QUIT_SAVE_S)
        QApplication.quit()

    def at_exit(self) -> None:
        """The event loop is ending (after ``now``, or another way)."""
        self._give_back()
        end_the_session(self._controller)

    def _give_back(self) -> None:
        if not self._given_back:
            self._given_back = True
            self._let_go()


def end_the_session(controller: SessionController) -> None:
    """Wait (bounded) for the session and any other worker (a keyring read); leave what is
    stuck, and end the process then."""
    if controller.running:
        controller.stop(within_s=QUIT_SAVE_S)
    if not wait_for_workers(QUIT_WAIT_MS):
        waited_s = QUIT_WAIT_MS / 1000
        log.warning("%s did not end within %.1f s of Quit; leaving it", running(), waited_s)
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def running() -> str:
    return ", ".join(running_worker_threads()) or "a worker"
