"""Which local model a session runs, and what follows from it: the language and a translation
decide with the chosen model (``models.model_for``); the engine's name (the badge, the status
line, every transcript's header) names the model that runs; each model's partial interval is
the one the recognizer keeps."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from caption_app.core.engines.choice import EnginePlan, build_engines
from caption_app.core.engines.local.decoder import DecodedWord, Hypothesis
from caption_app.core.engines.local.engine import LocalEngine, LocalEngineOptions, turn_policy
from caption_app.core.engines.local.models import (
    BASE,
    MODELS,
    TINY_EN,
    LocalModel,
    ModelError,
    model_for,
)
from caption_app.core.engines.local.recognizer import StreamingRecognizer
from caption_app.core.engines.local.vad import WINDOW
from caption_app.core.settings import EngineChoice, StreamingSettings

RATE = 16_000


@pytest.mark.parametrize(
    ("chosen", "language", "translate_to", "runs"),
    [
        ("", "en", "", TINY_EN),  # a fresh machine: the fastest
        (BASE.name, "en", "", BASE),  # English on the model the person chose
        ("", "es", "", BASE),  # a named language needs the multilingual model
        ("", "auto", "", BASE),  # so does detection
        ("", "en", "en", BASE),  # and Whisper's translation into English
        (TINY_EN.name, "es", "en", BASE),
        ("", "en", "fr", TINY_EN),  # only the cloud translates into French: English stays
    ],
)
def test_the_language_and_the_chosen_model_decide_together(
    chosen: str, language: str, translate_to: str, runs: LocalModel
) -> None:
    assert model_for(chosen, language, translate_to) is runs


def test_an_unknown_model_is_named_with_the_known_ones() -> None:
    with pytest.raises(ModelError, match="no local model called 'whisper-huge'") as refused:
        model_for("whisper-huge")
    assert all(name in str(refused.value) for name in MODELS)


def test_the_engine_names_the_model_that_runs() -> None:
    local = EnginePlan(EngineChoice.LOCAL)
    english, _ = build_engines(local, None, StreamingSettings())
    assert english.name == "Whisper tiny.en on this computer"
    spanish, _ = build_engines(local, None, StreamingSettings(language="es"))
    assert spanish.name == "Whisper base on this computer"
    _, stand_in = build_engines(
        EnginePlan(EngineChoice.ASSEMBLYAI, local_stand_in=True),
        object(),
        StreamingSettings(language="auto"),
    )
    assert stand_in is not None and stand_in.name == "Whisper base on this computer"
    chosen = LocalEngine(LocalEngineOptions(model=BASE.name), StreamingSettings())
    assert chosen.name == "Whisper base on this computer"


def _partial_decodes_at(
    model: LocalModel, speech_ms: int = 6000, *, agreeing: bool = False
) -> tuple[list[int], int | None]:
    """When (ms of audio received) the recognizer asks for each live decode during unbroken
    speech, each answered at once; and when (the same clock) a word was first shown final.
    Each reading hears new words, or (``agreeing``) one more word of the same sentence."""
    recognizer = StreamingRecognizer(turn_policy(StreamingSettings(), model))
    asked: list[int] = []
    first_final: int | None = None
    for window in range(speech_ms * RATE // 1000 // WINDOW):
        out = recognizer.feed(np.zeros(WINDOW, dtype=np.float32), np.array([0.9]))
        for job in out.jobs:
            now = (window + 1) * WINDOW * 1000 // RATE  # audio received so far
            asked.append(now)
            count = len(asked)
            heard = tuple(
                DecodedWord(
                    f"word{n if agreeing else count * 100 + n}", n * 200, n * 200 + 150, 0.9
                )
                for n in range(max(1, (now - 400) // 200))
            )
            reading = Hypothesis(heard, " ".join(w.text for w in heard), -0.2, 0.05, 1.0)
            answer = recognizer.decoded(job.job_id, reading)
            finals = [w for m in answer.messages for w in m.words if w.is_final]
            if finals and first_final is None:
                first_final = now
        assert window < 10_000
    return asked, first_final


@pytest.mark.parametrize("model", [TINY_EN, BASE])
def test_live_words_are_decoded_at_the_models_own_interval(model: LocalModel) -> None:
    asked, first_final = _partial_decodes_at(model)
    assert first_final is None  # no two readings agree: nothing is final
    first, every = model.first_partial_ms, model.opening_every_ms
    assert len(asked) >= 2, asked
    # The utterance starts with the VAD's first speech window (32 ms), 200 ms pre-pad included.
    assert first <= asked[0] <= first + 100, asked
    gaps = [later - earlier for earlier, later in itertools.pairwise(asked)]
    assert all(every <= gap <= every + 100 for gap in gaps), gaps


@pytest.mark.parametrize("model", [TINY_EN, BASE])
def test_live_words_are_read_sooner_until_a_word_is_final(model: LocalModel) -> None:
    """A turn's opening words wait for two agreeing readings: until then the readings come
    every ``opening_every_ms``, and every ``partial_every_ms`` after."""
    asked, first_final = _partial_decodes_at(model, agreeing=True)
    assert first_final is not None, asked
    assert model.opening_every_ms <= model.partial_every_ms
    before = [b - a for a, b in itertools.pairwise(t for t in asked if t <= first_final)]
    after = [b - a for a, b in itertools.pairwise(t for t in asked if t >= first_final)]
    assert before and after, asked
    assert all(model.opening_every_ms <= gap <= model.opening_every_ms + 100 for gap in before)
    assert all(model.partial_every_ms <= gap <= model.partial_every_ms + 100 for gap in after)


@pytest.mark.parametrize(("language", "threads"), [("en", TINY_EN.cpu_threads), ("es", 2)])
def test_a_decode_runs_on_the_models_own_number_of_threads(language: str, threads: int) -> None:
    """tiny.en on one thread (a second costs CPU and gains nothing on its small matrices),
    Whisper base on two; a number given in the options wins."""
    settings = StreamingSettings(language=language)
    assert TINY_EN.cpu_threads == 1
    assert LocalEngine(LocalEngineOptions())._config(settings).cpu_threads == threads
    chosen = LocalEngine(LocalEngineOptions(cpu_threads=3))._config(settings)
    assert chosen.cpu_threads == 3
