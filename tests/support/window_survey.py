"""Surveys the app's windows at one scale factor: screenshots, clipped labels, Tab reach.

Run in a process of its own (the scale factor is read when the QApplication is made):
``python -m tests.support.window_survey OUT_DIR`` with ``QT_SCALE_FACTOR`` set and a display.
It writes ``OUT_DIR/survey.json`` and one PNG per surface. Nothing connects anywhere: the key
check is pointed at a closed local port, so it ends in "Could not check the key".
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QWidget,
)

TAB_PRESSES = 120


def clipped(root: QWidget) -> list[str]:
    """Visible labels and buttons smaller than their text needs (wrapped labels: the height
    their width needs)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                need = widget.heightForWidth(widget.width())
                if widget.height() < need:
                    found.append(f"label {widget.text()[:40]!r}: height {widget.height()}<{need}")
                continue
            hint = widget.minimumSizeHint()
            if widget.width() < hint.width() or widget.height() < hint.height():
                found.append(f"label {widget.text()[:40]!r}: {widget.size()} < {hint}")
        elif isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.minimumSizeHint()
            if widget.width() < hint.width() or widget.height() < hint.height():
                found.append(f"button {widget.text()[:40]!r}: {widget.size()} < {hint}")
    return found


def focusable(root: QWidget) -> list[QWidget]:
    return [
        w
        for w in root.findChildren(QWidget)
        if w.isVisible()
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and w.focusProxy() is None
        and w.window() is root
    ]


def unreached(root: QWidget, app: QApplication) -> list[str]:
    """Controls that real Tab presses, from the first, never give the keyboard to."""
    root.activateWindow()
    root.raise_()
    _settle(app, 0.2)
    targets = focusable(root)
    if not targets:
        return []
    targets[0].setFocus(Qt.FocusReason.TabFocusReason)
    reached: set[int] = set()
    for _ in range(TAB_PRESSES):
        current = app.focusWidget()
        if current is None:
            break
        reached.add(id(current))
        QTest.keyClick(current, Qt.Key.Key_Tab)
        app.processEvents()
    return [
        f"{type(w).__name__} {w.accessibleName() or w.objectName() or getattr(w, 'text', str)()}"
        for w in targets
        if id(w) not in reached
    ]


def _settle(app: QApplication, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(app: QApplication, done: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        if done():
            return True
        time.sleep(0.02)
    return done()


def survey(out: Path) -> dict[str, object]:
    from caption_app.cli import build_parser
    from caption_app.core.engines.assemblyai.key_check import check_api_key
    from caption_app.core.secrets.store import KeyStore
    from caption_app.core.settings import AppSettings
    from caption_app.core.transcript.paths import transcripts_dir
    from caption_app.core.transcript.recorder import TranscriptRecorder
    from caption_app.ui.api_key.dialog import KeyDialog
    from caption_app.ui.app import CaptionApp
    from caption_app.ui.history.dialog import HistoryDialog
    from caption_app.ui.settings.dialog import SettingsDialog
    from tests.transcript.builders import finished, make_info, make_turn

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    for title in ("Weekly planning", "Design review"):
        with TranscriptRecorder(transcripts_dir(), make_info(title=title)) as recorder:
            recorder.apply(finished(make_turn(0, 0, "we start with the budget today", 1_000)))
    home = Path(os.environ["HOME"])
    qsettings = QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat)
    host = f"ws://127.0.0.1:{_closed_port()}"
    captions = CaptionApp(build_parser().parse_args(["--api-host", host]), qsettings)
    captions.show()
    report: dict[str, object] = {
        "scale": os.environ.get("QT_SCALE_FACTOR", "1"),
        "screen": [
            app.primaryScreen().availableGeometry().width(),
            app.primaryScreen().availableGeometry().height(),
        ],
        "surfaces": {},
    }
    surfaces: dict[str, object] = report["surfaces"]  # type: ignore[assignment]

    def record(name: str, window: QWidget) -> None:
        window.show()
        _settle(app, 0.3)
        window.grab().save(str(out / f"{name}.png"))
        screen = window.screen().availableGeometry()
        frame = window.geometry()
        surfaces[name] = {
            "clipped": clipped(window),
            "focusable": len(focusable(window)),
            "unreached": unreached(window, app),
            "size": [frame.width(), frame.height()],
            "fits_screen": frame.width() <= screen.width() and frame.height() <= screen.height(),
        }

    record("main-window", captions.window)
    settings = SettingsDialog(AppSettings(), captions.window)
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        page = settings.tabs.widget(index)
        assert page is not None
        name = page.accessibleName().lower().replace(" ", "-")
        record(f"settings-{name}", settings)
    settings.close()
    key = KeyDialog(KeyStore(), check_api_key, host, captions.window, check_timeout_s=2.0)
    key.key_edit.setText("0123456789abcdef0123456789abcdef")
    key.session_button.click()
    if not _wait(app, lambda: "Could not check" in key.status_label.text(), 15.0):
        surfaces["key-error"] = {"clipped": ["the key check never answered"], "unreached": []}
    else:
        record("key-error", key)
    key.close()
    history = HistoryDialog(transcripts_dir(), captions.window)
    history.select_row(0)
    history.open_selected()
    record("history", history)
    history.close()
    captions.shutdown()
    captions.window.close()
    captions.overlay.close()
    return report


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["HOME"] = scratch
        os.environ["CAPTION_APP_DATA_DIR"] = str(Path(scratch) / "data")
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        os.environ.pop("ASSEMBLYAI_API_KEY", None)
        report = survey(out)
    (out / "survey.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
