"""Screenshots of the main window, every Settings tab, the key dialog in its error state and
History, at 100 % and 200 % scaling (``QT_SCALE_FACTOR``): no label or button is clipped,
every control is reached with Tab, and each window fits a screen of that scale.

Each scale runs in a process of its own on its own Xvfb screen (a 2560x1600 panel, as a
200 % laptop has), since Qt reads the scale factor once, when the application starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.support.paths import REPO_ROOT
from tests.support.window_survey import clipped

pytestmark = [pytest.mark.x11, pytest.mark.timeout(180)]
SURFACES = {
    "main-window",
    "settings-engine",
    "settings-language-and-translation",
    "settings-formatting-and-turns",
    "settings-overlay-style",
    "settings-shortcuts",
    "settings-transcripts",
    "settings-start-with-the-desktop",
    "key-error",
    "history",
}


@pytest.mark.parametrize("scale", ["1", "2"])
def test_no_window_clips_text_and_every_control_is_reached_with_tab(
    scale: str, tmp_path: Path
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": scale}
    command = [
        "xvfb-run", "-a", "-s", "-screen 0 2560x1600x24",
        sys.executable, "-m", "tests.support.window_survey", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=150, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "survey.json").read_text(encoding="utf-8"))
    assert report["scale"] == scale
    surfaces = report["surfaces"]
    assert set(surfaces) == SURFACES
    for name, found in surfaces.items():
        assert (tmp_path / f"{name}.png").stat().st_size > 1000, name
        assert found["clipped"] == [], (name, found["clipped"])
        assert found["focusable"] >= 3, name  # the Tab walk had controls to reach
        assert found["unreached"] == [], (name, found["unreached"])
        assert found["fits_screen"], (name, found["size"], report["screen"])


def test_the_clipping_check_sees_a_squeezed_label(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    fine = QLabel("Short")
    squeezed = QLabel("A sentence that needs far more room than it is given")
    squeezed.setWordWrap(True)
    layout.addWidget(fine)
    layout.addWidget(squeezed)
    window.show()
    qtbot.waitExposed(window)
    assert clipped(window) == []
    squeezed.setFixedSize(80, 12)
    assert len(clipped(window)) == 1
