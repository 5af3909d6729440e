"""Caption App captioning a media file from the local server, instrumented, for a while.

``python -m benchmarks.probes.captions URL WAV SECONDS OUT_JSON``: the real command line
(``caption_app.cli``), the real SDK and the real windows. Three hooks, all here and none in the
app: the SDK's Turn handler (``AssemblyAIConnection._on_turn``) notes when each Turn arrives
and its newest word; the overlay's ``paintEvent`` notes, once painted, what it drew; the media
source's ``read`` notes when each chunk was handed over (sha1 of its samples). After SECONDS
it stops the session, writes all of it to OUT_JSON and quits.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any


def main() -> int:
    url, wav, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), Path(sys.argv[4])
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from caption_app import cli
    from caption_app.core.audio.media import MediaSource
    from caption_app.core.engines.assemblyai.engine import AssemblyAIConnection
    from caption_app.ui import launch
    from caption_app.ui.app import CaptionApp
    from caption_app.ui.overlay.window import CaptionOverlay

    turns: list[tuple[float, bool, str]] = []
    paints: list[tuple[float, str]] = []
    reads: list[tuple[float, str]] = []

    on_turn = AssemblyAIConnection._on_turn  # noqa: SLF001

    def timed_turn(self: AssemblyAIConnection, client: Any, event: Any) -> None:
        newest = event.words[-1].text if event.words else ""
        turns.append((time.perf_counter(), bool(event.end_of_turn), newest))
        on_turn(self, client, event)

    paint = CaptionOverlay.paintEvent

    def timed_paint(self: CaptionOverlay, event: Any) -> None:
        paint(self, event)
        paints.append((time.perf_counter(), " ".join(self.rendered_lines())))

    read = MediaSource.read

    def timed_read(self: MediaSource, timeout: float) -> Any:
        chunk = read(self, timeout)
        if chunk is not None:
            reads.append((time.monotonic(), hashlib.sha1(chunk.pcm).hexdigest()))  # noqa: S324
        return chunk

    AssemblyAIConnection._on_turn = timed_turn  # type: ignore[method-assign,assignment]  # noqa: SLF001
    CaptionOverlay.paintEvent = timed_paint  # type: ignore[method-assign]
    MediaSource.read = timed_read  # type: ignore[method-assign]

    class Timed(CaptionApp):
        def show(self) -> None:
            super().show()
            QTimer.singleShot(round(seconds * 1000), lambda: finish(self))

    def finish(captions: CaptionApp) -> None:
        captions.controller.stop()
        captions.controller.wait(10_000)
        result = {"turns": turns, "paints": paints, "reads": reads}
        out.write_text(json.dumps(result))
        QApplication.exit(0)

    vars(launch)["CaptionApp"] = Timed
    argv = ["--api-host", url, "--source", wav, "--engine", "assemblyai", "--start"]
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
