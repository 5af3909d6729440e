"""Fixtures for the audio tests: the real-speech clips and a private PulseAudio server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audio.rig import PulseRig
from tests.support.pulse import PulseServer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def clips_dir() -> Path:
    """shared/audio beside the repository (CI clones main with shared/ next to it)."""
    path = Path(os.environ.get("CAPTION_APP_AUDIO_DIR", REPO.parent / "shared" / "audio"))
    assert (path / "goforward.wav").is_file(), f"real-speech clips not found in {path}"
    return path


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseRig]:
    """A private PulseAudio server with two null sinks; this process talks to it until the end."""
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    server.start()
    try:
        rig = PulseRig(server)
        server.load_null_sink(rig.sink16, 16_000, 1, rig.description16)
        server.load_null_sink(rig.sink48, 48_000, 2, rig.description48)
        server.set_default_sink(rig.sink16)
        server.set_default_source(f"{rig.sink16}.monitor")
        server.activate()
        yield rig
    finally:
        server.stop()
