"""``caption-app transcribe --language`` and ``--translate`` in the cloud, as a person runs it:
a subprocess against the local server, which detects the scripted languages and answers the
LLM Gateway out of order. The JSON export carries each turn's language and its translation."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caption_app.exit_codes import ExitCode
from tests.streaming_server.script import script_from_sentences
from tests.streaming_server.server import StreamingServer
from tests.support.paths import AUDIO_DIR

CLIP = "librivox-austen-0870.wav"
SPOKEN = (("es", "Hola a todos.", "Hello everyone."), ("de", "Danke schön.", "Thank you."))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(
        ASSEMBLYAI_API_KEY="test-key",
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


@pytest.fixture
def server(streaming_server: StreamingServer) -> StreamingServer:
    spoken = script_from_sentences(
        [text.lower().strip(".") for _, text, _ in SPOKEN],
        word_ms=300,
        gap_ms=20,
        turn_gap_ms=1500,
        start_ms=300,
    )
    streaming_server.config.script = tuple(
        dataclasses.replace(turn, language_code=language, translation=english)
        for turn, (language, _, english) in zip(spoken, SPOKEN, strict=True)
    )
    streaming_server.config.llm_gateway_delays_ms = (1500, 50)
    return streaming_server


def _transcribe(server: StreamingServer, tmp_path: Path, *args: str) -> tuple[str, str, Path]:
    out = tmp_path / f"t{len(list(tmp_path.glob('t*.json')))}.json"
    done = subprocess.run(
        [
            sys.executable, "-m", "caption_app", "transcribe", str(AUDIO_DIR / CLIP),
            "--engine", "assemblyai", "--api-host", server.url, "--format", "json",
            "--out", str(out), *args,
        ],
        capture_output=True, text=True, env=_env(tmp_path), timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    return done.stdout, done.stderr, out


def _turns(path: Path) -> list[dict[str, object]]:
    return [e for e in json.loads(path.read_text())["entries"] if e["type"] == "turn"]


def test_detect_each_line_and_translate_it_in_the_cloud(
    server: StreamingServer, tmp_path: Path
) -> None:
    stdout, stderr, out = _transcribe(server, tmp_path, "--language", "auto", "--translate")
    params = server.session(0).params
    assert params.speech_model == "universal-3-6-pro" and params.language_detection
    assert "universal-3-6-pro, about $0.45 an hour" in stderr and "per token" in stderr
    turns = _turns(out)
    assert [t["language"] for t in turns] == ["es", "de"]
    assert [t["translation"] for t in turns] == [
        {"text": "Hello everyone.", "language": "en"},
        {"text": "Thank you.", "language": "en"},
    ]
    assert stdout.splitlines()[0] == "[es] Hola a todos."
    assert "[en] Hello everyone." in stdout and "[de] Danke schön." in stdout


def test_a_named_language_in_the_cloud(server: StreamingServer, tmp_path: Path) -> None:
    _stdout, stderr, out = _transcribe(server, tmp_path, "--language", "es")
    session = server.session(0)
    assert session.params.speech_model == "universal-streaming-multilingual"
    assert session.query["language_codes"] == ["es"]
    assert "captions English only" in stderr
    turns = _turns(out)
    assert [t["language"] for t in turns] == ["es", "de"]  # what the service detected
    assert all(t["translation"] is None for t in turns)
