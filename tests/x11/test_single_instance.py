"""A second ``caption-app`` while one runs and captions the microphone: it hands its request
to the running one and exits; one process, the running window raised over the window that had
the focus (mutter decides, as on an X11 desktop), and still one capture and one streaming
session. The microphone is a real PulseAudio capture (a private server's null sink monitor).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.server import StreamingServer
from tests.support.pulse import PulseServer

pytestmark = pytest.mark.x11
CLIP = "librivox-austen-0870.wav"
ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 30.0


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    server = PulseServer(tmp_path / "pulse")
    server.start()
    try:
        server.load_null_sink("captestmic", 16_000, 1, "Caption Test Microphone")
        server.set_default_sink("captestmic")
        server.set_default_source("captestmic.monitor")
        yield server
    finally:
        server.stop()


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=2)
        yield server


def _wait(what: str, probe: object) -> None:
    deadline = time.monotonic() + WAIT_S
    while not probe():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what}, not within {WAIT_S:.0f} s"
        time.sleep(0.2)


def _xdotool(*args: str) -> str:
    command = ["xdotool", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    return done.stdout.strip()


def _focused() -> str:
    return _xdotool("getactivewindow", "getwindowname")


def test_a_second_launch_raises_the_running_window_and_opens_no_second_capture(
    window_manager: None, pulse: PulseServer, server: StreamingServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ASSEMBLYAI_API_KEY"}
    env.update(
        pulse.env,
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_RUNTIME_DIR=str(tmp_path),
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        ASSEMBLYAI_API_KEY="test-key",
        PYTHONPATH=str(ROOT),
    )
    app_args = ["-m", "caption_app", "--api-host", server.url, "--engine", "assemblyai"]
    log = (tmp_path / "first.log").open("w")
    first = subprocess.Popen(
        [sys.executable, *app_args, "--start"], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    meeting = subprocess.Popen(
        [sys.executable, "-m", "tests.wayland.meeting_window", "--x11"],
        stdout=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait("the first app streams the microphone", lambda: len(server.sessions()) == 1)

        def captures() -> list[str]:
            return pulse.pactl("list", "short", "source-outputs").splitlines()

        _wait("the first app captures the microphone", lambda: len(captures()) == 1)
        window = _xdotool("search", "--sync", "--name", "^Meeting$").splitlines()[0]
        _xdotool("windowactivate", "--sync", window)
        _wait("the meeting has the focus", lambda: _focused() == "Meeting")

        second = subprocess.run(
            [sys.executable, *app_args, "--start"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert second.returncode == 0, second.stdout + second.stderr
        assert "already running" in second.stdout

        _wait(
            "the running window is raised and focused",
            lambda: _focused() == "Caption App",
        )
        assert first.poll() is None, "the first app still runs"
        assert len(captures()) == 1, "still one capture"
        assert len(server.sessions()) == 1, "no second streaming session was opened"
    finally:
        meeting.terminate()
        meeting.wait(timeout=15)
        first.terminate()
        first.wait(timeout=30)
        log.close()
