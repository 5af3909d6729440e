"""SettingsStore against real INI files written by QSettings (and by hand, as a damaged store)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.core.settings import (
    EU_API_HOST,
    AppSettings,
    EngineChoice,
    OverlayStyle,
    StreamingSettings,
    to_plain,
)
from caption_app.qt.settings_store import DEFAULT_SHORTCUTS, SettingsStore

CHANGED = AppSettings(
    streaming=StreamingSettings(
        api_host=EU_API_HOST,
        speech_model="universal-streaming-multilingual",
        format_turns=False,
        end_of_turn_confidence_threshold=0.65,
        min_turn_silence_ms=560,
        max_turn_silence_ms=2000,
        keyterms=("AssemblyAI", "Caption App", "Kubernetes"),
        filter_profanity=True,
        speaker_labels=True,
        language="auto",
        translate_to="fr",
        translation_layout="translation",
        token_url="https://tokens.example.org/v1",
    ),
    overlay=OverlayStyle(
        font_family="DejaVu Serif",
        font_size_pt=40,
        text_color="#ffff00",
        background_color="#101010",
        background_opacity=0.5,
        outline=False,
        lines=4,
        finished_lines_only=True,
        clear_after_silence_s=0,
        show_speakers=False,
    ),
    input_device_id="pulse:capsink.monitor",
    engine=EngineChoice.ASSEMBLYAI,
    retention_days=30,
)


def _store(path: Path) -> SettingsStore:
    return SettingsStore(QSettings(str(path), QSettings.Format.IniFormat))


def test_an_empty_store_loads_the_defaults_without_problems(tmp_path: Path) -> None:
    store = _store(tmp_path / "settings.ini")
    assert store.load() == AppSettings()
    assert store.problems == []
    assert store.shortcuts() == dict(DEFAULT_SHORTCUTS)


def test_saved_settings_reload_in_a_new_store(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "settings.ini"
    store = _store(path)
    with qtbot.waitSignal(store.changed, timeout=1000) as emitted:
        store.save(CHANGED)
    assert emitted.args == [CHANGED]
    assert _store(path).load() == CHANGED
    text = path.read_text()
    assert "font_size_pt=40" in text
    assert "end_of_turn_confidence_threshold=0.65" in text


def test_a_hand_written_store_of_strings_loads(tmp_path: Path) -> None:
    """What another OS or an older version leaves behind: every value a string."""
    path = tmp_path / "settings.ini"
    path.write_text(
        "[streaming]\n"
        "format_turns=false\n"
        "end_of_turn_confidence_threshold=0.7\n"
        "min_turn_silence_ms=160\n"
        'keyterms="Sonny, Caption App"\n'
        "[overlay]\n"
        "font_size_pt=36\n"
        "outline=0\n"
        "[history]\n"
        "retention_days=14\n"
    )
    store = _store(path)
    settings = store.load()
    assert store.problems == []
    assert settings.streaming == dataclasses.replace(
        StreamingSettings(),
        format_turns=False,
        end_of_turn_confidence_threshold=0.7,
        min_turn_silence_ms=160,
        keyterms=("Sonny", "Caption App"),
    )
    assert settings.overlay == dataclasses.replace(OverlayStyle(), font_size_pt=36, outline=False)
    assert settings.retention_days == 14


def test_junk_values_load_as_defaults_and_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text(
        "[overlay]\n"
        "font_size_pt=banana\n"
        "lines=3\n"
        "[streaming]\n"
        "end_of_turn_confidence_threshold=7\n"
        "min_turn_silence_ms=560\n"
        "[history]\n"
        "retention_days=-5\n"
    )
    store = _store(path)
    settings = store.load()
    assert settings.overlay == dataclasses.replace(OverlayStyle(), lines=3)
    # Only the out-of-range value falls back; its good neighbour is kept.
    assert settings.streaming == StreamingSettings(min_turn_silence_ms=560)
    assert settings.retention_days == 0
    problems = " | ".join(store.problems)
    assert "overlay/font_size_pt" in problems
    assert "End-of-turn confidence" in problems
    assert "retention_days" in problems
    assert len(store.problems) == 3


def test_only_the_schema_is_written_and_nothing_secret(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    store = _store(path)
    store.save(CHANGED)
    store.save_shortcuts(DEFAULT_SHORTCUTS)
    written = set(QSettings(str(path), QSettings.Format.IniFormat).allKeys())
    expected = set(to_plain(CHANGED)) | {f"shortcuts/{name}" for name in DEFAULT_SHORTCUTS}
    assert written == expected
    assert not any("key" in k.split("/")[1] and "keyterm" not in k for k in written)
    assert "api_key" not in path.read_text().lower()


def test_shortcuts_round_trip_normalise_and_fall_back(tmp_path: Path, qtbot: QtBot) -> None:
    path = tmp_path / "settings.ini"
    store = _store(path)
    chosen = {**DEFAULT_SHORTCUTS, "start_stop": "F9", "pause": ""}
    with qtbot.waitSignal(store.shortcutsChanged, timeout=1000):
        store.save_shortcuts(chosen)
    assert _store(path).shortcuts() == chosen
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("shortcuts/export", "banana")
    settings.setValue("shortcuts/end_line", "ctrl+alt+e")
    settings.sync()
    reloaded = _store(path)
    shortcuts = reloaded.shortcuts()
    assert shortcuts["export"] == DEFAULT_SHORTCUTS["export"]
    assert shortcuts["end_line"] == "Ctrl+Alt+E"
    assert shortcuts["start_stop"] == "F9"
    assert reloaded.problems == ["shortcuts/export was not a key sequence; using Ctrl+Shift+X"]


def test_the_main_window_place_round_trips_and_junk_is_no_place(
    tmp_path: Path, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QMainWindow

    path = tmp_path / "settings.ini"
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setGeometry(120, 140, 640, 480)
    _store(path).save_main_window_geometry(window.saveGeometry())
    again = QMainWindow()
    qtbot.addWidget(again)
    assert again.restoreGeometry(_store(path).main_window_geometry())
    assert again.geometry().size() == window.geometry().size()
    path.write_text("[main_window]\ngeometry=not a geometry\n")  # edited by hand
    junk = _store(path).main_window_geometry()
    assert junk.isEmpty() and not again.restoreGeometry(junk)
