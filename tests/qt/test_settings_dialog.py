"""The settings dialog, driven through its real widgets like a person would (offscreen)."""

# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from caption_app.core.settings import (
    EU_API_HOST,
    OVERLAY_PRESETS,
    AppSettings,
    OverlayStyle,
    StreamingSettings,
)
from caption_app.qt.settings_store import DEFAULT_SHORTCUTS
from caption_app.ui.settings.dialog import SettingsDialog
from caption_app.ui.settings.overlay_page import worst_contrast

INTERACTIVE = (
    QAbstractButton,
    QComboBox,
    QAbstractSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QAbstractSlider,
    QKeySequenceEdit,
)


def _dialog(qtbot: QtBot, settings: AppSettings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or AppSettings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _click_ok(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def _interactive_widgets(dialog: SettingsDialog) -> list[QWidget]:
    """Every control a person can operate; the parts inside a composite control are its own."""
    found: list[QWidget] = []
    for widget in dialog.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE):
            continue
        parent = widget.parentWidget()
        inside = False
        while parent is not None and parent is not dialog:
            if isinstance(parent, (*INTERACTIVE, QTabBar)):
                inside = True
            parent = parent.parentWidget()
        if not inside:
            found.append(widget)
    return found


def test_defaults_round_trip_unchanged(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.applied, timeout=1000) as applied:
        _click_ok(qtbot, dialog)
    assert applied.args == [AppSettings()]
    assert dialog.settings() == AppSettings()
    assert dialog.shortcuts() == dict(DEFAULT_SHORTCUTS)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted


def test_fields_outside_the_dialog_are_kept(qtbot: QtBot) -> None:
    start = dataclasses.replace(
        AppSettings(),
        input_device_id="pulse:capsink.monitor",
        streaming=dataclasses.replace(StreamingSettings(), chunk_ms=100),
    )
    dialog = _dialog(qtbot, start)
    _click_ok(qtbot, dialog)
    assert dialog.settings() == start


def test_changed_values_come_back_on_ok(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    engine, turns = dialog.engine_page, dialog.turns_page
    engine.host_combo.setCurrentText(EU_API_HOST)
    engine.model_combo.setCurrentIndex(engine.model_combo.findData("u3-rt-pro"))
    dialog.tabs.setCurrentWidget(turns)
    turns.speakers_check.setFocus()
    qtbot.keyClick(turns.speakers_check, Qt.Key.Key_Space)
    turns.confidence_spin.setValue(0.7)
    turns.min_silence_spin.setValue(560)
    qtbot.keyClicks(turns.keyterms_edit, "Sonny")
    qtbot.keyClick(turns.keyterms_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(turns.keyterms_edit, "Caption App")
    dialog.overlay_page.size_spin.setValue(40)
    dialog.history_page.retention_spin.setValue(30)
    _click_ok(qtbot, dialog)
    result = dialog.settings()
    assert result.streaming == dataclasses.replace(
        StreamingSettings(),
        api_host=EU_API_HOST,
        speech_model="u3-rt-pro",
        speaker_labels=True,
        end_of_turn_confidence_threshold=0.7,
        min_turn_silence_ms=560,
        keyterms=("Sonny", "Caption App"),
    )
    assert result.overlay == dataclasses.replace(OverlayStyle(), font_size_pt=40)
    assert result.retention_days == 30


def test_apply_emits_without_closing(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.turns_page.max_silence_spin.setValue(2000)
    with qtbot.waitSignal(dialog.applied, timeout=1000) as applied:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert applied.args[0].streaming.max_turn_silence_ms == 2000
    assert dialog.isVisible()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("\n".join(f"term{i}" for i in range(101)), "At most 100 key terms"),
        ("fine\n" + "x" * 51, "longer than 50 characters"),
    ],
)
def test_bad_key_terms_disable_ok_and_keep_the_text(qtbot: QtBot, typed: str, message: str) -> None:
    dialog = _dialog(qtbot)
    turns = dialog.turns_page
    turns.keyterms_edit.setPlainText(typed)
    assert not dialog.ok_button.isEnabled()
    assert not dialog.apply_button.isEnabled()
    assert not turns.keyterms_error.isHidden()
    assert message in turns.keyterms_error.text()
    assert message in dialog.problem_label.text()
    _click_ok(qtbot, dialog)  # a disabled button does nothing
    assert dialog.isVisible()
    assert turns.keyterms_edit.toPlainText() == typed  # nothing typed is lost
    turns.keyterms_edit.setPlainText("\n".join(line[:50] for line in typed.splitlines()[:100]))
    assert dialog.ok_button.isEnabled()
    assert turns.keyterms_error.isHidden()


def test_other_invalid_input_disables_ok_with_a_message(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    engine, turns = dialog.engine_page, dialog.turns_page
    engine.host_combo.setEditText("https://streaming.assemblyai.com")
    assert not dialog.ok_button.isEnabled()
    assert "ws://" in dialog.problem_label.text()
    engine.host_combo.setEditText("ws://127.0.0.1:8765")
    assert dialog.ok_button.isEnabled()
    turns.max_silence_spin.setValue(100)  # below the minimum of 400
    assert not dialog.ok_button.isEnabled()
    assert "Maximum turn silence" in dialog.problem_label.text()
    qtbot.mouseClick(turns.restore_button, Qt.MouseButton.LeftButton)
    assert turns.max_silence_spin.value() == 1280
    assert dialog.ok_button.isEnabled()
    _click_ok(qtbot, dialog)
    assert dialog.settings().streaming.api_host == "ws://127.0.0.1:8765"


def test_documented_defaults_are_shown_next_to_the_turn_settings(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    texts = [label.text() for label in dialog.turns_page.findChildren(QLabel)]
    for default in ("Default: 0.4", "Default: 400 ms", "Default: 1280 ms"):
        assert default in texts


def test_presets_change_the_colours_and_the_contrast_verdict(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    page = dialog.overlay_page
    page.size_spin.setValue(44)
    yellow = "Yellow on black (high contrast)"
    page.preset_combo.setCurrentText(yellow)
    assert page.text_button.colour() == OVERLAY_PRESETS[yellow].text_color
    assert page.opacity_slider.value() == 90
    assert page.size_spin.value() == 44  # a preset is a colour scheme only
    assert "meets 7:1" in page.contrast_label.text()
    green = "Green screen (chroma key)"
    page.preset_combo.setCurrentText(green)
    assert page.background_button.colour() == OVERLAY_PRESETS[green].background_color
    ratio = worst_contrast(OVERLAY_PRESETS[green])
    assert ratio < 7
    assert f"Contrast {ratio:.1f}:1" in page.contrast_label.text()
    assert "below 7:1" in page.contrast_label.text()
    page.text_button.set_colour("#eeeeee")
    assert page.preset_combo.currentText() == "Custom"
    _click_ok(qtbot, dialog)
    assert dialog.settings().overlay.text_color == "#eeeeee"
    assert dialog.settings().overlay.background_color == "#00b140"


def test_contrast_is_one_when_the_box_can_match_the_text() -> None:
    grey_on_clear = OverlayStyle(text_color="#808080", background_opacity=0.0)
    assert worst_contrast(grey_on_clear) == 1.0
    assert worst_contrast(OverlayStyle()) > 7


def test_the_preview_is_painted_in_the_chosen_colours(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    page = dialog.overlay_page
    dialog.tabs.setCurrentWidget(page)
    page.background_button.set_colour("#0000ff")
    page.opacity_slider.setValue(100)
    image = page.preview.grab().toImage()
    centre_left = image.pixelColor(2, image.height() // 2)  # inside the box, left of the text
    assert centre_left.name() == "#0000ff"


def test_the_preview_shows_what_is_behind_a_translucent_box_and_no_live_words_when_off(
    qtbot: QtBot,
) -> None:
    """Fifth walk W13: a box at 75 % looked opaque black in the preview (painted over the
    dialog's flat grey), and with finished lines only it still read "still being heard"."""
    dialog = _dialog(qtbot)
    page = dialog.overlay_page
    dialog.tabs.setCurrentWidget(page)
    page.background_button.set_colour("#000000")

    def box_colours() -> set[str]:
        image = page.preview.grab().toImage()
        y = image.height() - 4  # under the text, inside the box (clear of its round corners)
        return {image.pixelColor(x, y).name() for x in range(16, image.width() - 16)}

    page.opacity_slider.setValue(100)
    assert box_colours() == {"#000000"}  # opaque: nothing behind shows
    page.opacity_slider.setValue(60)
    assert len(box_colours()) > 1  # translucent: the backdrop shows through
    page.finished_check.setChecked(True)
    shown = "".join(run.text for line in page.preview.sample_lines() for run in line)
    assert "still being heard" not in shown and "dimmed" not in shown, shown


def test_every_engine_can_be_chosen_and_round_trips(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, AppSettings(local_model_dir="/models/tiny"))
    combo = dialog.engine_page.engine_combo
    model = combo.model()
    assert isinstance(model, QStandardItemModel)
    values = [combo.itemData(i) for i in range(combo.count())]
    assert values == ["auto", "assemblyai", "local"]
    assert all(model.item(i).isEnabled() for i in range(combo.count()))
    assert combo.currentData() == "auto"  # a fresh machine
    combo.setCurrentIndex(combo.findData("local"))
    applied = dialog.engine_page.apply(AppSettings())
    assert applied.engine == "local" and applied.local_model_dir == "/models/tiny"


def test_shortcut_clash_disables_ok_and_changes_are_reported(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    edits = dialog.shortcuts_page.edits
    edits["pause"].setKeySequence(QKeySequence("Ctrl+Shift+S"))
    assert not dialog.ok_button.isEnabled()
    assert "Ctrl+Shift+S is set for both" in dialog.problem_label.text()
    edits["pause"].setKeySequence(QKeySequence("F8"))
    with qtbot.waitSignal(dialog.shortcutsApplied, timeout=1000) as applied:
        _click_ok(qtbot, dialog)
    assert applied.args[0] == {**DEFAULT_SHORTCUTS, "pause": "F8"}


def test_every_control_has_an_accessible_name_and_inputs_have_label_buddies(
    qtbot: QtBot,
) -> None:
    dialog = _dialog(qtbot)
    widgets = _interactive_widgets(dialog)
    assert len(widgets) > 30
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in widgets if not w.accessibleName()]
    assert unnamed == []
    buddies = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy()}
    needs_label = [
        w for w in widgets if not isinstance(w, (QCheckBox, QAbstractButton)) or w in buddies
    ]
    missing = [w.accessibleName() for w in needs_label if w not in buddies]
    assert missing == []


def test_the_dialog_uses_the_system_font(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    system = QApplication.font()
    odd = [
        type(w).__name__
        for w in _interactive_widgets(dialog) + dialog.findChildren(QLabel)
        if w.font().pointSizeF() != system.pointSizeF()
    ]
    assert odd == []


def test_tab_order_follows_the_engine_page_top_to_bottom(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    page = dialog.engine_page
    expected = [
        page.engine_combo,
        page.local_model_combo,
        page.model_dir_edit,
        page.host_combo,
        page.token_edit,
        page.model_combo,
        page.failover_spin,
    ]
    page.engine_combo.setFocus()
    qtbot.waitUntil(page.engine_combo.hasFocus, timeout=1000)
    visited = [QApplication.focusWidget()]
    for _ in range(len(expected) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    # An editable combo gives focus to its line edit; count that as the combo.
    normalised = [
        w.parentWidget()
        if isinstance(w, QLineEdit) and isinstance(w.parentWidget(), QComboBox)
        else w
        for w in visited
    ]
    assert normalised == expected


def test_speaker_labels_without_labelling_show_unticked_and_the_choice_is_kept(
    qtbot: QtBot,
) -> None:
    """Third walk C6: with "Label speakers" off, "Show speaker labels" was greyed but ticked."""
    dialog = _dialog(qtbot)
    labelling, shown = dialog.turns_page.speakers_check, dialog.overlay_page.speakers_check
    labelling.setChecked(True)
    assert shown.isChecked() and shown.isEnabled()
    labelling.setChecked(False)
    assert not shown.isChecked() and not shown.isEnabled()
    assert "needs “Label speakers”" in shown.text(), shown.text()
    assert dialog.overlay_page.overlay_style().show_speakers  # the person's choice is kept
    labelling.setChecked(True)
    assert shown.isChecked() and shown.isEnabled() and shown.text() == "Show &speaker labels"


def test_failover_is_offered_only_with_the_automatic_engine(qtbot: QtBot) -> None:
    """Third walk C5: "Switch to this computer after" was offered with AssemblyAI alone."""
    dialog = _dialog(qtbot)
    page = dialog.engine_page
    for engine, offered in (("assemblyai", False), ("local", False), ("auto", True)):
        page.engine_combo.setCurrentIndex(page.engine_combo.findData(engine))
        assert page.failover_spin.isEnabled() == offered, engine
        assert page.return_check.isEnabled() == offered, engine
