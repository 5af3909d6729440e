"""Starting the GUI: the QApplication, the composition root, and the start-up self-test."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from caption_app import APP_ID, APP_NAME, __version__
from caption_app.ui.app import RESOURCES, CaptionApp


def run_gui(args: argparse.Namespace) -> int:
    from caption_app.core.log_masking import install_secret_masking
    from caption_app.core.secrets.store import select_os_keyring

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_secret_masking()
    select_os_keyring()
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setOrganizationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(True)
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "caption-app.svg")))
    captions = CaptionApp(args)
    captions.show()
    app.aboutToQuit.connect(captions.shutdown)
    if args.self_test:
        QTimer.singleShot(0, lambda: _self_test(captions, app))
    elif args.start or getattr(args, "demo", False):
        QTimer.singleShot(0, captions.start)
    return app.exec()


def _self_test(captions: CaptionApp, app: QApplication) -> None:
    ok = captions.window.isVisible() and captions.overlay.isVisible()
    print(f"self-test: {'ok' if ok else 'FAILED'} ({APP_NAME} {__version__})", flush=True)
    app.exit(0 if ok else 1)
