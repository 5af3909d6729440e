"""An 8-hour session fed at high speed: ``python -m benchmarks.probes.soak OUT_JSON DIR``.

Turn messages as the SDK handler hands them over (10 words a turn, a message for every second
word heard and one at the end of the turn, 0.4 s a word, 0.5 s between turns: 64,000 words in
8 hours; the live partials in between change nothing that accumulates)
go through the real Qt-free path (``TurnAssembler``, ``TranscriptRecorder``: model + fsync'd
journal in DIR) and into a shown ``CaptionOverlay`` and ``TranscriptView``, with the Qt events
(the paints) processed after every update. Each update's GUI cost (overlay + view + their
events) is timed; RSS is sampled on every hour of session time. Then the finished session is
exported in every format.
"""

from __future__ import annotations

import array
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from caption_app.core.model.turns import TurnMessage, WordMessage
from caption_app.core.transcript import FORMATS, TranscriptRecorder, write_export

HOURS = float(__import__("os").environ.get("SOAK_HOURS", "8"))
WORD_MS = 400
TURN_GAP_MS = 500
WORDS_PER_TURN = 10
EXPORT_RUNS = 3
TIME_LIMIT_S = 300.0
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "di", "an", "qu", "er", "po"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def turn_messages(order: int, clock_ms: int, rng: random.Random) -> list[TurnMessage]:
    """One turn as the SDK handler hands it over: a message per word heard, then the end of
    the turn, formatted (capital first, full stop last)."""
    texts = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
        for _ in range(WORDS_PER_TURN)
    ]
    messages = []
    for heard in [*range(2, WORDS_PER_TURN + 1, 2), WORDS_PER_TURN + 1]:
        end = heard > WORDS_PER_TURN
        count = WORDS_PER_TURN if end else heard
        words = tuple(
            WordMessage(
                (texts[i].capitalize() if end and i == 0 else texts[i])
                + ("." if end and i == count - 1 else ""),
                clock_ms + i * WORD_MS,
                clock_ms + (i + 1) * WORD_MS - 40,
                0.9,
                end or i < count - 1,
                "A" if order % 3 else "B",
            )
            for i in range(count)
        )
        transcript = " ".join(w.text for w in words if w.is_final)
        messages.append(TurnMessage(order, transcript, end, end, words, 0.9 if end else 0.1, "A"))
    return messages


def export_all(recorder: TranscriptRecorder, folder: Path) -> dict[str, list[float]]:
    """Seconds per export of the session so far, EXPORT_RUNS times in every format."""
    doc = recorder.snapshot()
    exports: dict[str, list[float]] = {}
    for fmt in FORMATS:
        for run in range(EXPORT_RUNS):
            t0 = time.perf_counter()
            write_export(doc, folder / f"session-{run}.{fmt}", fmt)
            exports.setdefault(fmt, []).append(time.perf_counter() - t0)
    return exports


def new_recorder(folder: Path) -> TranscriptRecorder:
    from caption_app.core.transcript import SessionInfo
    from caption_app.core.transcript.model import new_session_id

    started = datetime.now(UTC)
    info = SessionInfo(new_session_id(started), started, "AssemblyAI", "bench", {})
    recorder = TranscriptRecorder(folder, info)
    recorder.begin_stream(0, "bench", 0)
    return recorder


def main() -> int:
    out, folder = Path(sys.argv[1]), Path(sys.argv[2])
    from PySide6.QtWidgets import QApplication

    from caption_app.core.streaming.assembler import TurnAssembler
    from caption_app.ui.overlay.window import CaptionOverlay
    from caption_app.ui.transcript.view import TranscriptView

    app = QApplication(sys.argv[:1])
    overlay = CaptionOverlay()
    view = TranscriptView()
    view.resize(800, 600)
    overlay.show()
    view.show()
    app.processEvents()
    recorder = new_recorder(folder)
    assembler = TurnAssembler()
    assembler.begin_stream(0, 0)
    rng = random.Random(16)
    hour_ms = 3_600_000
    next_hour = 0
    rss: list[float] = []
    # (session ms, seconds of GUI work) as flat arrays: 16 bytes an update, so the probe's own
    # record (38,400 updates) adds 0.6 MB to the RSS it measures, not 4 MB of tuples.
    cost_at, cost_s = array.array("d"), array.array("d")
    clock_ms = 0
    order = 0
    began = time.perf_counter()
    timed_out = False
    while clock_ms < HOURS * hour_ms:
        if clock_ms >= next_hour * hour_ms:
            rss.append(rss_mb())  # as it stands: a person's app collects when Python decides
            next_hour += 1
        if time.perf_counter() - began > TIME_LIMIT_S:
            timed_out = True
            break
        for message in turn_messages(order, clock_ms, rng):
            for update in assembler.apply(0, message):
                recorder.apply(update)
                t0 = time.perf_counter()
                overlay.apply_update(update)
                view.apply_update(update)
                app.processEvents()
                cost_s.append(time.perf_counter() - t0)
                cost_at.append(clock_ms)
        clock_ms += WORDS_PER_TURN * WORD_MS + TURN_GAP_MS
        order += 1
    feed_s = time.perf_counter() - began
    rss.append(rss_mb())
    exports = export_all(recorder, folder)
    recorder.close()
    result = {
        "hours_fed": clock_ms / hour_ms,
        "timed_out": timed_out,
        "feed_s": feed_s,
        "turns": order,
        "words": order * WORDS_PER_TURN,
        "rss_by_hour_mb": rss,
        "costs": list(zip(cost_at, cost_s, strict=True)),
        "exports": exports,
    }
    out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
