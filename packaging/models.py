"""The speech models a bundle can carry, each a part the build includes or leaves out.

The models are the app's own registry (``caption_app/core/engines/local/models.py``): each comes
in one or more Python packages whose data folders the local engine finds on its own, so leaving
one out of the bundle, or shipping it in a package of its own that installs those folders,
needs no change to the app. Whisper tiny.en is the English model; Whisper base (two packages,
joined on first use into the person's cache folder) brings other languages and translation.
"""

from __future__ import annotations

from dataclasses import dataclass

from caption_app.core.engines.local.models import MODELS as APP_MODELS


@dataclass(frozen=True)
class Model:
    name: str
    """As ``--local-model`` and ``scripts/package --models`` name it."""
    packages: tuple[str, ...]
    """The Python packages holding it; their files go to ``_internal/<package>/`` in the
    bundle."""
    description: str


MODELS = tuple(
    Model(model.name, model.modules, f"{model.description}, for CTranslate2")
    for model in APP_MODELS.values()
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
        for package in model.packages:
            datas += collect_data_files(package)
    return datas


def bundle_imports(selection: str | None) -> list[str]:
    """The chosen models' packages as hidden imports: the app finds their folders through the
    import system without importing them, so PyInstaller's analysis cannot see them."""
    return [package for model in chosen(selection) for package in model.packages]
