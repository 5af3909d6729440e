"""Run as a child process by the kill -9 test: records turns, reports each, then waits.

Usage: python -m tests.transcript.journal_child DIRECTORY TURNS
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.transcript import TranscriptRecorder
from tests.transcript.builders import finished, make_info, make_turn


def main() -> None:
    directory, count = Path(sys.argv[1]), int(sys.argv[2])
    recorder = TranscriptRecorder(directory, make_info(title="Killed"))
    recorder.begin_stream(0, "child", 0)
    for order in range(count):
        recorder.apply(finished(make_turn(0, order, f"turn number {order} é", order * 2_000)))
        print(f"journaled {order}", flush=True)
    live = replace(make_turn(0, count, "never journaled", count * 2_000), finished=False)
    recorder.apply(TurnUpdate(UpdateKind.LIVE, live))
    print(f"ready {recorder.path}", flush=True)
    time.sleep(60)  # the parent kills us long before this ends


if __name__ == "__main__":
    main()
