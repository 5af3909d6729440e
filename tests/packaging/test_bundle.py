"""The PyInstaller bundle (built once by conftest.py), run as a person would: the self-test,
the cloud path (the real SDK inside the bundle, against the local server), and the local engine
with no key and no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import pytest

from caption_app.exit_codes import ExitCode
from tests.local_engine.speech import normalise, references
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.streaming_server.server import StreamingServer
from tests.support.foreign_speech import UTTERANCES, recording
from tests.support.paths import AUDIO_DIR

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(600)
CLIP = "librivox-austen-0890.wav"
ES_THANKS = UTTERANCES[-1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        HOME=str(tmp_path / "home"),
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        HF_HUB_CACHE=str(tmp_path / "no-hf-cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        QT_QPA_PLATFORM="offscreen",
    )
    env.pop("ASSEMBLYAI_API_KEY", None)
    env.update(extra)
    return env


def _run(
    bundle: Path, tmp_path: Path, *args: str, offline: bool = False, **env: str
) -> subprocess.CompletedProcess[str]:
    command = [str(bundle), *args]
    if offline:
        command = ["unshare", "--net", *command]
    return subprocess.run(
        command, capture_output=True, text=True, env=_env(tmp_path, **env), timeout=120, check=False
    )


def test_the_frozen_self_test_finds_everything(bundle: Path, tmp_path: Path) -> None:
    unfrozen = subprocess.run(  # the baseline, measured in the same run
        [sys.executable, "-m", "caption_app", "--self-test", "--json"],
        capture_output=True,
        text=True,
        env={**_env(tmp_path), "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert unfrozen.returncode == 0, unfrozen.stderr
    started = time.monotonic()
    done = _run(bundle, tmp_path, "--self-test", "--json")
    took = time.monotonic() - started
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "caption_app", "--self-test", "--json"],
        capture_output=True,
        env={**_env(tmp_path), "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=True,
    )
    baseline = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout[done.stdout.index("{") :])
    assert report["ok"] is True and report["frozen"] is True
    checks = {c["name"]: c for c in report["checks"]}
    for name in ("qt", "audio", "keyring", "engine: assemblyai", "engine: local", "windows"):
        assert checks[name]["ok"], checks[name]
    assert "sha256 verified" in checks["engine: local"]["detail"]
    print(
        f"\nself-test (start-up, checks, quit): frozen {took:.2f} s, unfrozen {baseline:.2f} s "
        f"({took / baseline:.2f}x)"
    )


def test_the_frozen_cloud_path_uses_the_real_sdk_inside(
    bundle: Path, tmp_path: Path, streaming_server: StreamingServer
) -> None:
    clip = load_clip("goforward.wav")
    streaming_server.config.script = clip.script(turns=1)
    done = _run(
        bundle,
        tmp_path,
        "transcribe",
        str(AUDIO_DIR / "goforward.wav"),
        "--engine",
        "assemblyai",
        "--api-host",
        streaming_server.url,
        ASSEMBLYAI_API_KEY=TEST_API_KEY,
    )
    assert done.returncode == ExitCode.OK, done.stderr
    assert len(streaming_server.sessions()) == 1
    assert done.stdout.strip() == clip.script(turns=1)[0].formatted_text, done.stderr


def test_the_frozen_local_engine_captions_with_no_key_and_no_network(
    bundle: Path, tmp_path: Path
) -> None:
    done = _run(
        bundle, tmp_path, "transcribe", str(AUDIO_DIR / CLIP), "--engine", "local", offline=True
    )
    assert done.returncode == ExitCode.OK, done.stderr
    error = jiwer.wer(normalise(references()[CLIP]), normalise(done.stdout))
    assert error <= 0.15, done.stdout


def test_the_frozen_multilingual_model_captions_spanish_offline(
    bundle: Path, tmp_path: Path
) -> None:
    """Whisper base is in the bundle as packaging/models.py lays it out: its two parts found
    in the frozen app, joined into the person's cache, and run for another language."""
    audio = recording((ES_THANKS,), tmp_path / "es.wav")
    out = tmp_path / "es.json"
    done = _run(
        bundle, tmp_path, "transcribe", str(audio), "--engine", "local", "--language", "es",
        "--format", "json", "--out", str(out), offline=True,
        CAPTION_APP_CACHE_DIR=str(tmp_path / "cache"),
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    document = json.loads(out.read_text())
    assert document["session"]["engine"] == "Whisper base on this computer"
    # One line, or two when a loaded machine ends the turn at the sentence's inner pause.
    turns = [e for e in document["entries"] if e["type"] == "turn"]
    assert turns and all(t["language"] == "es" for t in turns), turns
    assert "gracias" in " ".join(str(t["text"]) for t in turns).lower(), turns
    assert (tmp_path / "cache" / "models" / "whisper-base" / "model.bin").is_file()


def test_the_frozen_app_with_no_display_says_so(bundle: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    done = subprocess.run(
        [str(bundle), "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == ExitCode.NO_DISPLAY, done.stderr
    assert "No display was found" in done.stdout


def test_the_frozen_window_shows_a_caption_and_quits_cleanly(bundle: Path, tmp_path: Path) -> None:
    env = {**_env(tmp_path), "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", str(bundle), "--self-test", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=150,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok  qt: platform xcb" in done.stdout
    assert "ok  caption: the overlay shows:" in done.stdout, done.stdout
