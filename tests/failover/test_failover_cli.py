"""``caption-app transcribe`` when the cloud cannot be reached, or the input is bad: the right
message in terminal terms, the right exit code, and no logging lines for expected trouble."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caption_app.exit_codes import ExitCode
from tests.failover.harness import free_port
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.streaming_server.server import StreamingServer
from tests.support.paths import AUDIO_DIR

pytestmark = pytest.mark.timeout(120)
CLIP = "goforward.wav"


def _transcribe(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(
        ASSEMBLYAI_API_KEY=TEST_API_KEY,
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "caption_app", "transcribe", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=100,
        check=False,
    )
    return done, time.monotonic() - started


def _no_log_lines(stderr: str) -> None:
    for level in ("WARNING", "ERROR", "CRITICAL", "Traceback"):
        assert level not in stderr, stderr


def test_the_cloud_alone_unreachable_says_so_and_exits_4(tmp_path: Path) -> None:
    port = free_port()
    done, took = _transcribe(
        tmp_path,
        str(AUDIO_DIR / CLIP),
        "--engine",
        "assemblyai",
        "--api-host",
        f"ws://127.0.0.1:{port}",
    )
    assert done.returncode == ExitCode.NETWORK, done.stderr
    said = f"Cannot reach 127.0.0.1:{port}: the connection was refused."
    assert said in done.stderr and "--engine local" in done.stderr
    assert "lost" not in done.stderr and "reconnecting" not in done.stderr.lower()
    assert "Pick another input" not in done.stderr and "Settings →" not in done.stderr
    _no_log_lines(done.stderr)
    print(f"\nunreachable, cloud only: exit {done.returncode} after {took:.1f} s")


def test_with_auto_the_local_engine_captions_when_the_cloud_cannot_be_reached(
    tmp_path: Path,
) -> None:
    done, _ = _transcribe(
        tmp_path, str(AUDIO_DIR / CLIP), "--api-host", "wss://caption-app-test.invalid"
    )
    assert done.returncode == ExitCode.OK, done.stderr
    said = "Cannot reach caption-app-test.invalid: its name does not resolve"
    assert done.stderr.count(said) == 1, done.stderr
    assert "go forward" in done.stdout.lower(), done.stdout
    _no_log_lines(done.stderr)


@pytest.mark.parametrize("kind", ["missing", "not-media"])
def test_a_bad_file_fails_at_once_without_touching_the_network(
    tmp_path: Path, streaming_server: StreamingServer, kind: str
) -> None:
    path = tmp_path / "notes.txt"
    if kind == "not-media":
        path.write_text("these are meeting notes, not audio\n" * 50)
    done, _ = _transcribe(tmp_path, str(path), "--api-host", streaming_server.url)
    assert done.returncode == ExitCode.AUDIO, done.stderr
    assert f"Cannot caption “{path.name}”" in done.stderr
    assert streaming_server.sessions() == [] and streaming_server.rejected_handshakes() == []
    _no_log_lines(done.stderr)


@pytest.mark.parametrize("host", ["notaurl", "https://streaming.assemblyai.com", "ws://:8765"])
def test_an_api_host_that_is_no_host_is_refused_before_anything_starts(
    tmp_path: Path, host: str
) -> None:
    done, _ = _transcribe(tmp_path, str(AUDIO_DIR / CLIP), "--api-host", host)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "ws:// or wss:// URL" in done.stderr
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.jsonl"))


def test_the_exit_codes_for_these_cases_are_documented() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "caption_app", "transcribe", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    text = " ".join(done.stdout.split())
    assert "could not be reached" in text and "checked before connecting" in text


def test_the_window_refuses_such_an_api_host_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    done = subprocess.run(
        [sys.executable, "-m", "caption_app", "--api-host", "notaurl"],
        capture_output=True,
        text=True,
        env={**env, "HOME": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "“notaurl” is not a host name" in done.stderr
