"""Caption App started cold with the local engine, until its first words are on screen:
``python -m benchmarks.probes.cold_start WAV OUT_JSON FIRST_WORDS [MODEL]``.

The real command line (``caption-app --engine local --source WAV --start``), the real window
and overlay, the engine's child process started by Start like any other. Two hooks, here and
not in the app: the media source's ``read`` notes when each chunk was handed over and how loud
it was; the overlay's ``paintEvent`` notes, once painted, what it drew. It writes both to
OUT_JSON at the first paint showing one of FIRST_WORDS (the recording's first few words,
comma-separated: the overlay's own lines, such as its engine badge, are not captions), or
after 30 s, and quits.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

GIVE_UP_S = 30.0


def main() -> int:
    wav, out = sys.argv[1], Path(sys.argv[2])
    expected = set(sys.argv[3].split(","))
    model = sys.argv[4] if len(sys.argv) > 4 else ""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from caption_app import cli
    from caption_app.core.audio.media import MediaSource
    from caption_app.ui.overlay.window import CaptionOverlay

    started = time.monotonic()
    reads: list[tuple[float, int, float]] = []
    paints: list[tuple[float, str]] = []
    done = False

    def finish() -> None:
        nonlocal done
        if done:
            return
        done = True
        out.write_text(json.dumps({"started": started, "reads": reads, "paints": paints}))
        QApplication.exit(0)

    read = MediaSource.read

    def timed_read(self: MediaSource, timeout: float) -> Any:
        chunk = read(self, timeout)
        if chunk is not None:
            reads.append((time.monotonic(), chunk.start_ms, chunk.peak_dbfs))
        return chunk

    paint = CaptionOverlay.paintEvent

    def timed_paint(self: CaptionOverlay, event: Any) -> None:
        paint(self, event)
        text = " ".join(self.rendered_lines()).strip()
        paints.append((time.monotonic(), text))
        if expected & set(_words(text)):
            QTimer.singleShot(0, finish)

    MediaSource.read = timed_read  # type: ignore[method-assign]
    CaptionOverlay.paintEvent = timed_paint  # type: ignore[method-assign]
    QTimer.singleShot(round(GIVE_UP_S * 1000), finish)
    argv = ["--source", wav, "--engine", "local", "--start"]
    if model:
        argv += ["--local-model", model]
    return cli.main(argv)


def _words(text: str) -> list[str]:
    return ["".join(ch for ch in w.lower() if ch.isalnum() or ch == "'") for w in text.split()]


if __name__ == "__main__":
    sys.exit(main())
