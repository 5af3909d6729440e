"""Which engine a session uses: the ``engine`` setting, and for "auto" whether the cloud is set up.

auto means AssemblyAI when a key or a token service is configured, and the local engine
otherwise, so a newcomer with no account sees captions at once.
"""

from __future__ import annotations

from caption_app.core.engines.base import Engine
from caption_app.core.settings import ENGINE_CHOICES

CLOUD, LOCAL = "assemblyai", "local"
ENGINE_LABELS = {
    "auto": "Automatic (AssemblyAI when a key is set up, else this computer)",
    CLOUD: "AssemblyAI Universal-Streaming (cloud)",
    LOCAL: "On this computer (Whisper tiny.en)",
}
assert tuple(ENGINE_LABELS) == ENGINE_CHOICES


def resolve_engine(preference: str, *, cloud_configured: bool) -> str:
    """``assemblyai`` or ``local`` for a preference from ``ENGINE_CHOICES``."""
    if preference == "auto":
        return CLOUD if cloud_configured else LOCAL
    return LOCAL if preference == LOCAL else CLOUD


def build_engine(
    kind: str, auth: object, *, model_folder: str = "", local_model: str = ""
) -> Engine:
    """The engine for ``resolve_engine``'s answer; ``auth`` is the cloud's ``AuthProvider``;
    ``local_model`` a name from the local models' registry ("" for the default)."""
    if kind == LOCAL:
        from caption_app.core.engines.local.engine import LocalEngine, LocalEngineOptions

        return LocalEngine(LocalEngineOptions(model_folder=model_folder, model=local_model))
    from caption_app.core.engines.assemblyai.engine import AssemblyAIEngine

    return AssemblyAIEngine(auth)  # type: ignore[arg-type]
