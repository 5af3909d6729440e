"""Starting the GUI: the QApplication, the composition root, and the start-up self-test."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QIcon
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
        QTimer.singleShot(0, lambda: _self_test(captions, app, as_json=args.json))
    elif args.start or getattr(args, "demo", False):
        QTimer.singleShot(0, captions.start)
    return app.exec()


def _self_test(captions: CaptionApp, app: QApplication, *, as_json: bool) -> None:
    from caption_app.self_test import Check, can_run, is_frozen, report, run_checks

    shown = captions.window.isVisible() and captions.overlay.isVisible()
    checks = [
        *run_checks(QGuiApplication.platformName()),
        Check("windows", shown, "the main window and the overlay are shown" if shown else ""),
    ]
    print(report(checks, as_json=as_json, frozen=is_frozen()), flush=True)
    app.exit(0 if can_run(checks) else 1)
