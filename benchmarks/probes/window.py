"""Start a window, print ``shown`` once it has painted, idle, then print what was loaded.

``python -m benchmarks.probes.window bare|app IDLE_S``: ``bare`` is the floor, a plain
PySide6 window; ``app`` is Caption App through its real command line (``caption_app.cli``),
with ``CaptionApp.show`` wrapped so the main window's first paint can be seen. The parent
times from spawning this process to reading ``shown``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

HEAVY = (
    "pyaudio",
    "numpy",
    "av",
    "soxr",
    "keyring",
    "assemblyai",
    "pydantic",
    "websockets",
    "faster_whisper",
    "ctranslate2",
)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _watch(widget: Any, idle_s: float) -> None:
    """On the widget's first paint: say so, idle ``idle_s``, report, quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None
    state: dict[str, float] = {}
    shown_with: list[str] = []

    def idle_report() -> None:
        loaded = [name for name in HEAVY if name in sys.modules]
        report = {
            "rss_shown_mb": state["rss"],
            "rss_idle_mb": rss_mb(),
            "loaded_when_shown": shown_with,
            "loaded": loaded,
        }
        print(json.dumps(report), flush=True)
        QApplication.exit(0)

    def shown() -> None:
        print("shown", flush=True)
        state["rss"] = rss_mb()
        shown_with.extend(name for name in HEAVY if name in sys.modules)
        QTimer.singleShot(round(idle_s * 1000), idle_report)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not state.get("painted"):
                state["painted"] = 1.0
                QTimer.singleShot(0, shown)  # after the paint has finished
            return False

    keep = FirstPaint(widget)
    widget.installEventFilter(keep)


def bare(idle_s: float) -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Caption App"))
    window.resize(640, 400)
    _watch(window, idle_s)
    window.show()
    return app.exec()


def caption_app(idle_s: float) -> int:
    from caption_app import cli
    from caption_app.ui import launch
    from caption_app.ui.app import CaptionApp

    class Watched(CaptionApp):
        def show(self) -> None:
            _watch(self.window, idle_s)
            super().show()

    vars(launch)["CaptionApp"] = Watched  # what run_gui builds
    return cli.main([])


if __name__ == "__main__":
    mode, idle = sys.argv[1], float(sys.argv[2])
    sys.exit(bare(idle) if mode == "bare" else caption_app(idle))
