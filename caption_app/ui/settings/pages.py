"""The pages of the settings dialog, except the overlay style (``overlay_style_page.py``).

Each page shows part of an ``AppSettings`` and folds its widgets' values back into one; it
raises ``SettingsError`` with a sentence for a person when what they typed cannot be used, and
never resets a widget, so nothing typed is lost while it is being corrected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from caption_app.core.engines.choice import ENGINE_LABELS
from caption_app.core.engines.local.models import DEFAULT_MODEL as DEFAULT_LOCAL_MODEL
from caption_app.core.engines.local.models import MODELS as LOCAL_MODELS
from caption_app.core.engines.local.models import (
    MULTILINGUAL_MODEL,
    LocalModel,
    available,
    how_to_get,
)
from caption_app.core.settings import (
    DEFAULT_API_HOST,
    EU_API_HOST,
    MAX_KEYTERMS,
    MAX_RETENTION_DAYS,
    SPEECH_MODELS,
    AppSettings,
    EngineChoice,
    SettingsError,
    StreamingSettings,
    parse_keyterms,
    validate_keyterms,
)
from caption_app.qt.settings_store import DEFAULT_SHORTCUTS, GLOBAL_SHORTCUTS, SHORTCUT_LABELS
from caption_app.ui.labels import show_text

W = TypeVar("W", bound=QWidget)
MODEL_LABELS = {
    "universal-streaming-english": "universal-streaming-english (English, word by word)",
    "universal-streaming-multilingual": (
        "universal-streaming-multilingual (6 languages, word by word)"
    ),
    "u3-rt-pro": "u3-rt-pro (fewer live words: at pauses)",
    "universal-3-5-pro": "universal-3-5-pro (19 languages, translation; words at pauses)",
    "universal-3-6-pro": "universal-3-6-pro (32 languages, translation; words at pauses)",
}
"""What the model picker says of each: how its live words come, and what it can do."""


def named(widget: W, name: str) -> W:
    widget.setAccessibleName(name)
    return widget


def add_row(form: QFormLayout, text: str, field: QWidget, note: str = "") -> QLabel:
    """A labelled row whose label is the field's buddy; ``note`` is shown after the field."""
    label = QLabel(text)
    label.setBuddy(field)
    if not note:
        form.addRow(label, field)
        return label
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(field)
    hint = QLabel(note)
    hint.setAccessibleName(f"{field.accessibleName()}: {note}")
    row.addWidget(hint)
    row.addStretch(1)
    field.setAccessibleDescription(note)
    form.addRow(label, box)
    return label


def error_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    keep = label.sizePolicy()
    keep.setRetainSizeWhenHidden(True)  # a problem appearing never moves the buttons
    label.setSizePolicy(keep)
    label.hide()
    return label


def show_error(label: QLabel, message: str | None) -> None:
    show_text(label, f"⚠ {message}" if message else "")
    label.setVisible(bool(message))


class SettingsPage(QWidget):
    """One tab: ``load`` shows settings, ``apply`` folds the widgets back into them."""

    edited = Signal()

    def load(self, settings: AppSettings) -> None:
        raise NotImplementedError

    def apply(self, settings: AppSettings) -> AppSettings:
        raise NotImplementedError

    def _notify(self, *_args: object) -> None:
        self.edited.emit()


def _streaming(settings: AppSettings, **changes: object) -> AppSettings:
    return dataclasses.replace(
        settings,
        streaming=dataclasses.replace(settings.streaming, **changes),  # type: ignore[arg-type]
    )


def _chosen_local_model(combo: QComboBox, saved: str) -> str:
    chosen = str(combo.currentData())
    return "" if chosen == (saved or DEFAULT_LOCAL_MODEL) and not saved else chosen


class EnginePage(SettingsPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.engine_combo = named(QComboBox(), "Captioning engine")
        for value, text in ENGINE_LABELS.items():
            self.engine_combo.addItem(text, value)
        self.engine_combo.setToolTip(
            "On this computer, audio never leaves the machine and no account is needed; "
            "AssemblyAI is more accurate and can label speakers."
        )
        add_row(form, "&Engine:", self.engine_combo)
        self.local_model_combo = named(QComboBox(), "Model on this computer")
        for local in LOCAL_MODELS.values():
            self.local_model_combo.addItem(local.description, local.name)
        add_row(form, "Model on &this computer:", self.local_model_combo)
        self.local_model_note = named(QLabel(), "About the model on this computer")
        self.local_model_note.setWordWrap(True)
        form.addRow(self.local_model_note)
        self.model_dir_edit = named(QLineEdit(), "Local model folder")
        self.model_dir_edit.setPlaceholderText("empty: the installed model chosen above")
        add_row(form, "Local &model folder:", self.model_dir_edit)
        self.host_combo = named(QComboBox(), "API host")
        self.host_combo.setEditable(True)
        self.host_combo.addItems([DEFAULT_API_HOST, EU_API_HOST])
        self.host_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.host_combo.setToolTip(
            f"{EU_API_HOST} keeps processing in the EU; a ws:// URL points at a test server."
        )
        add_row(form, "API &host:", self.host_combo)
        self.token_edit = named(QLineEdit(), "Token service URL")
        self.token_edit.setPlaceholderText("https://… (empty: use your API key)")
        add_row(form, "&Token service URL:", self.token_edit)
        self.model_combo = named(QComboBox(), "Speech model")
        for model in SPEECH_MODELS:
            self.model_combo.addItem(MODEL_LABELS.get(model, model), model)
        self.model_combo.setToolTip(
            "Universal-3 Pro models send words only now and then: one early line after about "
            "a second of speech, then one at each pause, so the overlay shows '● Speaking' "
            "meanwhile. Translation runs on universal-3-5-pro and universal-3-6-pro."
        )
        add_row(form, "Speech &model:", self.model_combo)
        self.failover_spin = named(QSpinBox(), "Switch to this computer after seconds")
        self.failover_spin.setRange(1, 60)
        self.failover_spin.setSuffix(" s")
        self.failover_spin.setToolTip(
            "Automatic engine: when the cloud connection is lost this long, captions go on "
            "on this computer (a cloud unreachable at Start switches at once)."
        )
        add_row(form, "Switch to this computer &after:", self.failover_spin)
        self.return_check = named(
            QCheckBox("&Return to the cloud when it answers again"),
            "Return to the cloud when it answers again",
        )
        form.addRow(self.return_check)
        self.failover_spin.valueChanged.connect(self._notify)
        self.return_check.toggled.connect(self._notify)
        self.engine_combo.currentIndexChanged.connect(self._offer_failover)
        self.engine_combo.currentIndexChanged.connect(self._notify)
        self.model_dir_edit.textChanged.connect(self._notify)
        self.local_model_combo.currentIndexChanged.connect(self._local_model_changed)
        self.host_combo.editTextChanged.connect(self._notify)
        self.token_edit.textChanged.connect(self._notify)
        self.model_combo.currentIndexChanged.connect(self._notify)

    def load(self, settings: AppSettings) -> None:
        s = settings.streaming
        index = self.engine_combo.findData(settings.engine)
        self.engine_combo.setCurrentIndex(max(0, index))
        self.model_dir_edit.setText(settings.local_model_dir)
        self.local_model_combo.setCurrentIndex(
            max(0, self.local_model_combo.findData(settings.local_model or DEFAULT_LOCAL_MODEL))
        )
        self._explain_local_model()
        self.host_combo.setEditText(s.api_host)
        self.token_edit.setText(s.token_url)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(s.speech_model)))
        self.failover_spin.setValue(round(settings.failover.after_s))
        self.return_check.setChecked(settings.failover.return_to_cloud)
        self._offer_failover()

    def apply(self, settings: AppSettings) -> AppSettings:
        settings = _streaming(
            settings,
            api_host=self.host_combo.currentText().strip(),
            token_url=self.token_edit.text().strip(),
            speech_model=str(self.model_combo.currentData()),
        )
        return dataclasses.replace(
            settings,
            engine=EngineChoice(self.engine_combo.currentData()),
            local_model_dir=self.model_dir_edit.text().strip(),
            # "" is the default model, so a person who never chose one follows the default.
            local_model=_chosen_local_model(self.local_model_combo, settings.local_model),
            failover=dataclasses.replace(
                settings.failover,
                after_s=float(self.failover_spin.value()),
                return_to_cloud=self.return_check.isChecked(),
            ),
        )

    def _offer_failover(self, *_args: object) -> None:
        """Switching to this computer and back happens only with the Automatic engine (the
        third walk: offered with AssemblyAI alone, where there is no failover)."""
        automatic = self.engine_combo.currentData() == EngineChoice.AUTO
        for widget in (self.failover_spin, self.return_check):
            widget.setEnabled(automatic)
            widget.setStatusTip("" if automatic else "Only with the Automatic engine")

    def _local_model_changed(self, *_args: object) -> None:
        self._explain_local_model()
        self._notify()

    def _explain_local_model(self) -> None:
        model = LOCAL_MODELS[str(self.local_model_combo.currentData())]
        self.local_model_note.setText(local_model_note(model, installed=available(model)))


def local_model_note(model: LocalModel, *, installed: bool) -> str:
    """What a person should know of a local model before choosing it: what it captions, and
    how often its live words change (the slower model's less often, so it keeps up)."""
    cadence = f"live words about every {model.partial_every_ms / 1000:g} s"
    if model.multilingual:
        text = (
            f"Other languages and translation too, and more accurate on English, for about "
            f"twice the computer's effort: {cadence}."
        )
    else:
        text = (
            f"English only, the fastest: {cadence}. Other languages and translation (the "
            f"Language page) run on {MULTILINGUAL_MODEL.title}."
        )
    return text if installed else f"{text} Not installed. {how_to_get(model)}"


class TurnsPage(SettingsPage):
    """Formatting, turn detection, key terms and the other recognition options."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        d = StreamingSettings()
        form = QFormLayout()
        self.format_check = named(
            QCheckBox("&Format turns (punctuation and capitals)"), "Format turns"
        )
        form.addRow(self.format_check)
        self.confidence_spin = named(QDoubleSpinBox(), "End-of-turn confidence threshold")
        self.confidence_spin.setRange(0.0, 1.0)
        self.confidence_spin.setDecimals(2)
        self.confidence_spin.setSingleStep(0.05)
        add_row(
            form,
            "End-of-turn &confidence:",
            self.confidence_spin,
            f"Default: {d.end_of_turn_confidence_threshold}",
        )
        self.min_silence_spin = self._ms_spin("Minimum turn silence")
        add_row(
            form, "M&inimum silence:", self.min_silence_spin, f"Default: {d.min_turn_silence_ms} ms"
        )
        self.max_silence_spin = self._ms_spin("Maximum turn silence")
        add_row(
            form, "Ma&ximum silence:", self.max_silence_spin, f"Default: {d.max_turn_silence_ms} ms"
        )
        self.restore_button = named(QPushButton("&Restore defaults"), "Restore turn defaults")
        self.restore_button.setAutoDefault(False)
        form.addRow(self.restore_button)
        self.keyterms_edit = named(QPlainTextEdit(), "Key terms, one per line")
        self.keyterms_edit.setTabChangesFocus(True)
        self.keyterms_edit.setPlaceholderText("One name or term per line, e.g. AssemblyAI")
        add_row(form, "&Key terms:", self.keyterms_edit)
        self.keyterms_count = named(QLabel(), "Key term count")
        form.addRow("", self.keyterms_count)
        self.keyterms_error = error_label("Key terms problem")
        form.addRow("", self.keyterms_error)
        self.profanity_check = named(QCheckBox("Filter &profanity"), "Filter profanity")
        form.addRow(self.profanity_check)
        self.speakers_check = named(QCheckBox("Label &speakers (diarization)"), "Label speakers")
        form.addRow(self.speakers_check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        self.restore_button.clicked.connect(self.restore_defaults)
        self.format_check.toggled.connect(self._notify)
        self.confidence_spin.valueChanged.connect(self._notify)
        self.min_silence_spin.valueChanged.connect(self._notify)
        self.max_silence_spin.valueChanged.connect(self._notify)
        self.keyterms_edit.textChanged.connect(self._notify)
        self.profanity_check.toggled.connect(self._notify)
        self.speakers_check.toggled.connect(self._notify)

    @staticmethod
    def _ms_spin(name: str) -> QSpinBox:
        spin = named(QSpinBox(), name)
        spin.setRange(0, 10_000)
        spin.setSingleStep(40)
        spin.setSuffix(" ms")
        return spin

    def restore_defaults(self) -> None:
        """Turn detection back to the service's documented defaults (key terms are kept)."""
        d = StreamingSettings()
        self.format_check.setChecked(d.format_turns)
        self.confidence_spin.setValue(d.end_of_turn_confidence_threshold)
        self.min_silence_spin.setValue(d.min_turn_silence_ms)
        self.max_silence_spin.setValue(d.max_turn_silence_ms)

    def load(self, settings: AppSettings) -> None:
        s = settings.streaming
        self.format_check.setChecked(s.format_turns)
        self.confidence_spin.setValue(s.end_of_turn_confidence_threshold)
        self.min_silence_spin.setValue(s.min_turn_silence_ms)
        self.max_silence_spin.setValue(s.max_turn_silence_ms)
        self.keyterms_edit.setPlainText("\n".join(s.keyterms))
        self.profanity_check.setChecked(s.filter_profanity)
        self.speakers_check.setChecked(s.speaker_labels)

    def apply(self, settings: AppSettings) -> AppSettings:
        terms = parse_keyterms(self.keyterms_edit.toPlainText())
        show_text(self.keyterms_count, f"{len(terms)} of {MAX_KEYTERMS} key terms")
        try:
            validate_keyterms(terms)
        except SettingsError as exc:
            show_error(self.keyterms_error, str(exc))
            raise
        show_error(self.keyterms_error, None)
        return _streaming(
            settings,
            format_turns=self.format_check.isChecked(),
            end_of_turn_confidence_threshold=round(self.confidence_spin.value(), 2),
            min_turn_silence_ms=self.min_silence_spin.value(),
            max_turn_silence_ms=self.max_silence_spin.value(),
            keyterms=terms,
            filter_profanity=self.profanity_check.isChecked(),
            speaker_labels=self.speakers_check.isChecked(),
        )


class ShortcutsPage(QWidget):
    """One key sequence per action; the same keys may not do two things. The first group
    works while a Caption App window has the focus; the second, anywhere on the desktop, with
    a line saying whether this desktop lets it (``set_global_status``)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout()
        self.edits: dict[str, QKeySequenceEdit] = {}
        for name, text in SHORTCUT_LABELS.items():
            if name == next(iter(GLOBAL_SHORTCUTS)):
                heading = QLabel("<b>Anywhere on the desktop</b> (while the meeting has the focus)")
                form.addRow(heading)
            edit = named(QKeySequenceEdit(), f"Shortcut for {text}")
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.keySequenceChanged.connect(self.edited)
            add_row(form, f"{text}:", edit)
            self.edits[name] = edit
        self.restore_button = named(QPushButton("Restore &defaults"), "Restore default shortcuts")
        self.restore_button.setAutoDefault(False)
        self.restore_button.clicked.connect(lambda: self.load(DEFAULT_SHORTCUTS))
        self.global_status = named(QLabel(""), "Global shortcuts on this desktop")
        self.global_status.setWordWrap(True)
        self.global_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.global_status)
        form.addRow(self.restore_button)
        self.error = error_label("Shortcut problem")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def set_global_status(self, text: str) -> None:
        """Whether the desktop lets the global shortcuts work, and what to do if not."""
        self.global_status.setText(text)

    def load(self, shortcuts: Mapping[str, str]) -> None:
        for name, edit in self.edits.items():
            edit.setKeySequence(QKeySequence(shortcuts.get(name, DEFAULT_SHORTCUTS[name])))

    def shortcuts(self) -> dict[str, str]:
        """Action name -> portable key sequence; raises SettingsError for a clash."""
        result = {
            name: edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
            for name, edit in self.edits.items()
        }
        used: dict[str, str] = {}
        for name, keys in result.items():
            if keys and keys in used:
                message = (
                    f"{keys} is set for both “{SHORTCUT_LABELS[used[keys]]}” and "
                    f"“{SHORTCUT_LABELS[name]}”."
                )
                show_error(self.error, message)
                raise SettingsError(message)
            used[keys] = name
        show_error(self.error, None)
        return result


class DesktopPage(QWidget):
    """Start with the desktop: an XDG autostart entry, off until switched on."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.autostart_check = named(
            QCheckBox("&Start Caption App when I log in"), "Start Caption App when I log in"
        )
        self.autostart_check.toggled.connect(self.edited)
        form.addRow(self.autostart_check)
        note = QLabel(
            "It opens the caption window, not captions: you still press Start. Launching "
            "Caption App again while it runs brings its window forward."
        )
        note.setWordWrap(True)
        form.addRow(note)


class HistoryPage(SettingsPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.retention_spin = named(QSpinBox(), "Keep transcripts for, in days")
        self.retention_spin.setRange(0, MAX_RETENTION_DAYS)
        self.retention_spin.setSuffix(" days")
        self.retention_spin.setSpecialValueText("Forever")
        add_row(form, "&Keep transcripts for:", self.retention_spin, "0 keeps them forever")
        self.retention_spin.valueChanged.connect(self._notify)
        self.announce_check = named(
            QCheckBox("Announce each finished &line to screen readers"), "Announce finished lines"
        )
        form.addRow(self.announce_check)
        self.announce_check.toggled.connect(self._notify)

    def load(self, settings: AppSettings) -> None:
        self.retention_spin.setValue(settings.retention_days)
        self.announce_check.setChecked(settings.announce_lines)

    def apply(self, settings: AppSettings) -> AppSettings:
        return dataclasses.replace(
            settings,
            retention_days=self.retention_spin.value(),
            announce_lines=self.announce_check.isChecked(),
        )
