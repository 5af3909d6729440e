"""The one place an engine choice becomes engines (window, command line and self-test alike)."""

from __future__ import annotations

import pytest

from caption_app.core.engines.choice import ENGINE_LABELS, EnginePlan, build_engines, plan_engines
from caption_app.core.settings import EngineChoice, StreamingSettings

AUTO, CLOUD, LOCAL = EngineChoice.AUTO, EngineChoice.ASSEMBLYAI, EngineChoice.LOCAL
SETTINGS = StreamingSettings()


@pytest.mark.parametrize(
    ("choice", "cloud_configured", "plan"),
    [
        (AUTO, True, EnginePlan(CLOUD, local_stand_in=True)),
        (AUTO, False, EnginePlan(LOCAL)),  # a newcomer with no account: captions at once
        (CLOUD, True, EnginePlan(CLOUD, local_stand_in=False)),
        (CLOUD, False, None),  # the cloud alone, and no key: ask for one
        (LOCAL, True, EnginePlan(LOCAL)),
        (LOCAL, False, EnginePlan(LOCAL)),
    ],
)
def test_plan(choice: EngineChoice, cloud_configured: bool, plan: EnginePlan | None) -> None:
    assert plan_engines(choice, cloud_configured=cloud_configured) == plan


def test_every_choice_has_a_label_in_menu_order() -> None:
    assert list(ENGINE_LABELS) == list(EngineChoice)


def test_built_engines_follow_the_plan() -> None:
    engine, stand_in = build_engines(EnginePlan(LOCAL), None, SETTINGS)
    assert engine.on_device and stand_in is None
    engine, stand_in = build_engines(EnginePlan(CLOUD, local_stand_in=True), object(), SETTINGS)
    assert not engine.on_device and stand_in is not None and stand_in.on_device
    _, stand_in = build_engines(EnginePlan(CLOUD), object(), SETTINGS)
    assert stand_in is None
