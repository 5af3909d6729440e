"""Importing the light parts of the core loads none of the heavy libraries behind them.

The audio source protocol, the domain model and the session logic are imported by everything
(the window included); PyAudio, PyAV, soxr, the AssemblyAI SDK and faster-whisper are loaded
only by the code that captures, decodes or streams.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pyaudio", "av", "soxr", "assemblyai", "faster_whisper", "ctranslate2", "PySide6")


def _loaded_after(module: str) -> list[str]:
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return list(json.loads(result.stdout))


@pytest.mark.parametrize(
    "module",
    [
        "caption_app.core.audio.source",
        "caption_app.core.model.session",
        "caption_app.core.streaming.session",
        "caption_app.core.engines.choice",
    ],
)
def test_light_modules_load_no_heavy_library(module: str) -> None:
    assert _loaded_after(module) == []


def test_the_check_sees_a_heavy_import() -> None:
    assert _loaded_after("caption_app.core.audio.pipeline") == ["soxr"]
