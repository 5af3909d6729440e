"""Starting the GUI: the QApplication, the composition root, and the start-up self-test."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from caption_app import APP_ID, APP_NAME, __version__
from caption_app.qt.single_instance import SingleInstance, instance_path
from caption_app.ui.app import CaptionApp
from caption_app.ui.resources import app_icon

if TYPE_CHECKING:
    from caption_app.self_test import Check


def run_gui(args: argparse.Namespace, platform: str | None = None) -> int:
    """``platform``: the Qt platform chosen for this desktop (``-platform``), None for Qt's."""
    from caption_app.core.log_masking import install_secret_masking
    from caption_app.core.secrets.store import select_os_keyring_later

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_secret_masking()
    select_os_keyring_later()  # keyring loads when the key is first needed, not before the window
    # Given as an argument, not through QT_QPA_PLATFORM, so processes the app starts (a
    # browser opening a link) keep the session's own platform.
    app = QApplication([*sys.argv[:1], *(["-platform", platform] if platform else [])])
    app.setApplicationName(APP_ID)
    app.setOrganizationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(True)
    app.setWindowIcon(app_icon())
    instance = SingleInstance(instance_path())
    if not args.self_test and not instance.claim():
        return _hand_over(instance, args)
    captions = CaptionApp(args)
    captions.show()
    instance.requested.connect(captions.desktop_session.handle_request)
    app.aboutToQuit.connect(captions.shutdown)
    app.aboutToQuit.connect(instance.release)
    ask = captions.desktop_session.handle_request
    for name in args.toggle or []:
        QTimer.singleShot(0, lambda name=name: ask({"toggle": [name]}))
    if args.self_test and getattr(args, "demo", False):
        QTimer.singleShot(0, lambda: _caption_then_self_test(captions, app, as_json=args.json))
    elif args.self_test:
        QTimer.singleShot(0, lambda: _self_test(captions, app, as_json=args.json))
    elif args.start or getattr(args, "demo", False):
        QTimer.singleShot(0, captions.start)
    return app.exec()


ALREADY_RUNNING = "Caption App is already running: it was asked to {what}."
NOT_ANSWERING = (
    "caption-app: Caption App is already running but did not answer. Close it (or end its "
    "process) and start it again."
)


def _hand_over(instance: SingleInstance, args: argparse.Namespace) -> int:
    """A second launch: the running app does what was asked; no second window or capture."""
    names: list[str] = list(args.toggle or [])
    if not instance.forward({"start": bool(args.start), "toggle": names}):
        print(NOT_ANSWERING, file=sys.stderr)
        return 1
    what = ", ".join(f"toggle {n}" for n in names) or "bring its window forward"
    print(ALREADY_RUNNING.format(what=what + (" and start" if args.start else "")))
    return 0


def _self_test(
    captions: CaptionApp, app: QApplication, *, as_json: bool, extra: tuple[Check, ...] = ()
) -> None:
    from caption_app.self_test import (
        Check,
        can_run,
        desktop_checks,
        desktop_summary,
        is_frozen,
        report,
        run_checks,
    )

    shown = captions.window.isVisible() and captions.overlay.isVisible()
    plan = captions.overlay.plan()
    checks = [
        *run_checks(QGuiApplication.platformName()),
        Check("windows", shown, "the main window and the overlay are shown" if shown else ""),
        *desktop_checks(captions.desktop_session.desktop, plan),
        *extra,
    ]
    summary = desktop_summary(captions.desktop_session.desktop, plan)
    print(report(checks, as_json=as_json, frozen=is_frozen(), summary=summary), flush=True)
    app.exit(0 if can_run(checks) else 1)


def _caption_then_self_test(captions: CaptionApp, app: QApplication, *, as_json: bool) -> None:
    """``--self-test --demo``: caption the demo recording on this computer until its first
    finished line is in the overlay, stop cleanly, then report (with that line)."""
    from caption_app.core.model.turns import TurnUpdate, UpdateKind
    from caption_app.self_test import Check

    done = False

    def finish(check: Check) -> None:
        nonlocal done
        if done:
            return
        done = True
        captions.controller.stop()
        captions.controller.wait(10_000)
        _self_test(captions, app, as_json=as_json, extra=(check,))

    def updated(update: TurnUpdate) -> None:
        shown = " ".join(captions.overlay.rendered_lines()).strip()
        if update.kind is UpdateKind.FINISHED and shown:
            finish(Check("caption", True, f"the overlay shows: {shown}"))

    captions.controller.turnUpdated.connect(updated)
    QTimer.singleShot(60_000, lambda: finish(Check("caption", False, "no caption in 60 s")))
    captions.start()
