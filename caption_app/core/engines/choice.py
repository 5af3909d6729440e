"""Which engines a session uses: the ``engine`` setting and whether the cloud is set up.

The one place the choice is made, for the window, ``caption-app transcribe`` and the
self-test alike. Automatic means AssemblyAI when a key or a token service is configured, with
the local engine standing in when the cloud cannot be reached, and the local engine otherwise,
so a newcomer with no account sees captions at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from caption_app.core.engines.base import Engine
from caption_app.core.settings import EngineChoice, StreamingSettings

ENGINE_LABELS = {
    EngineChoice.AUTO: "Automatic (AssemblyAI when a key is set up, else this computer)",
    EngineChoice.ASSEMBLYAI: "AssemblyAI Universal-Streaming (cloud)",
    EngineChoice.LOCAL: "On this computer (Whisper)",
}


@dataclass(frozen=True, slots=True)
class EnginePlan:
    """What captions a session: the cloud or this computer, and whether this computer stands
    in for the cloud when it cannot be reached."""

    engine: EngineChoice
    """``ASSEMBLYAI`` or ``LOCAL``, never ``AUTO``."""
    local_stand_in: bool = False


def plan_engines(choice: EngineChoice, *, cloud_configured: bool) -> EnginePlan | None:
    """The plan for a choice; ``None`` when the cloud alone was asked for and has no key."""
    if choice is EngineChoice.LOCAL:
        return EnginePlan(EngineChoice.LOCAL)
    if cloud_configured:
        return EnginePlan(EngineChoice.ASSEMBLYAI, local_stand_in=choice is EngineChoice.AUTO)
    if choice is EngineChoice.AUTO:
        return EnginePlan(EngineChoice.LOCAL)
    return None


def build_engines(
    plan: EnginePlan,
    auth: object,
    settings: StreamingSettings,
    *,
    model_folder: str = "",
    local_model: str = "",
) -> tuple[Engine, Engine | None]:
    """The plan's engine and its stand-in; ``auth`` is the cloud's ``AuthProvider``;
    ``local_model`` the chosen name from the local models' registry ("" for the default),
    which ``settings``' language and translation may overrule (``models.model_for``)."""
    if plan.engine is EngineChoice.LOCAL:
        return _local(model_folder, local_model, settings), None
    from caption_app.core.engines.assemblyai.engine import AssemblyAIEngine

    cloud = AssemblyAIEngine(auth)  # type: ignore[arg-type]
    stand_in = _local(model_folder, local_model, settings) if plan.local_stand_in else None
    return cloud, stand_in


def _local(model_folder: str, local_model: str, settings: StreamingSettings) -> Engine:
    from caption_app.core.engines.local.engine import LocalEngine, LocalEngineOptions

    options = LocalEngineOptions(model_folder=model_folder, model=local_model)
    return LocalEngine(options, settings)
