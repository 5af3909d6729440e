"""Importing the light parts of the core loads none of the heavy libraries behind them.

The audio source protocol, the domain model and the session logic are imported by everything
(the window included); PyAudio, PyAV, soxr, the AssemblyAI SDK and faster-whisper are loaded
only by the code that captures, decodes or streams.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


FIRST_WINDOW_NEEDS_NONE_OF = (
    "pyaudio",
    "numpy",
    "av",
    "soxr",
    "keyring",
    "assemblyai",
    "faster_whisper",
    "ctranslate2",
    "urllib.request",
)


def test_the_first_window_loads_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    """Built and painted through the real command line (``benchmarks/probes/window.py``):
    at the main window's first paint none of them is loaded yet."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    code = (
        "import sys; from benchmarks.probes import window; "
        f"window.HEAVY = {FIRST_WINDOW_NEEDS_NONE_OF!r}; sys.exit(window.caption_app(0.0))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
        env=env,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "shown"
    assert json.loads(lines[1])["loaded_when_shown"] == []
