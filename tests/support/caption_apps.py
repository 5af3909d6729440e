"""Real Caption App instances for a test, each in a private home, all shut down after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings

from caption_app.cli import build_parser
from caption_app.ui.app import CaptionApp

DIALOGS = ("key", "settings", "history")


def opened_apps() -> Iterator[list[CaptionApp]]:
    """A fixture's body: the apps a test opened (through ``open_app``), shut down and closed
    after it, with any dialog they left open."""
    made: list[CaptionApp] = []
    yield made
    for app in made:
        app.shutdown()
        app.window.close()
        app.overlay.close()
        for name in DIALOGS:
            dialog = app.dialog(name)
            if dialog is not None:
                dialog.close()


def open_app(home: Path, apps: list[CaptionApp], *args: str) -> CaptionApp:
    """The app as ``caption-app ARGS`` opens it, its settings in ``home``, shown."""
    settings = QSettings(str(home / "home" / "settings.ini"), QSettings.Format.IniFormat)
    app = CaptionApp(build_parser().parse_args(list(args)), settings)
    app.show()
    apps.append(app)
    return app
