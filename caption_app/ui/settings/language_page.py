"""Settings → Language: the spoken language, a translation, and what they need and cost.

English is the default; on this computer it runs on the model chosen under Engine (Whisper
tiny.en, the fastest, unless another was chosen). Any other choice needs the multilingual model
there (``models.model_for`` picks it; the page says how to get it when it is not installed)
and, in the cloud, a model that knows the language; a translation runs on Universal-3 Pro and
the LLM Gateway. The page says which model will be used and what it costs before anything
starts.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from caption_app.core.engines.local.models import (
    MULTILINGUAL_MODEL,
    TINY_EN,
    ModelError,
    available,
    how_to_get,
    model_for,
    needs_multilingual,
)
from caption_app.core.languages import AUTO, ENGLISH, LANGUAGE_NAMES, cloud_plan
from caption_app.core.settings import AppSettings, EngineChoice
from caption_app.ui.settings.pages import SettingsPage, add_row, named

ENGLISH_LABEL = "English (fastest on this computer)"
AUTO_LABEL = "Detect automatically, line by line"
NO_TRANSLATION = "No translation"
LAYOUTS = {
    "both": "Under each original line (smaller)",
    "translation": "Instead of the original line",
}


def multilingual_installed() -> bool:
    """Whether this computer has the multilingual model (a quick look, no loading)."""
    return available(MULTILINGUAL_MODEL)


class LanguagePage(SettingsPage):
    def __init__(self, parent: QWidget | None = None, *, multilingual: bool | None = None) -> None:
        """``multilingual``: whether the multilingual model is installed (None: look)."""
        super().__init__(parent)
        self._multilingual = multilingual_installed() if multilingual is None else multilingual
        self._engine: str = EngineChoice.AUTO
        self._model = ""
        self._local_model = ""
        """The local model chosen under Engine, by name."""
        form = QFormLayout(self)
        self.language_combo = named(QComboBox(), "Spoken language")
        self.language_combo.addItem(ENGLISH_LABEL, ENGLISH)
        self.language_combo.addItem(AUTO_LABEL, AUTO)
        for code, name in sorted(LANGUAGE_NAMES.items(), key=lambda item: item[1]):
            if code != ENGLISH:
                self.language_combo.addItem(name, code)
        add_row(form, "Spoken &language:", self.language_combo)
        self.translate_combo = named(QComboBox(), "Translate into")
        self.translate_combo.addItem(NO_TRANSLATION, "")
        self.translate_combo.addItem("English", ENGLISH)
        for code, name in sorted(LANGUAGE_NAMES.items(), key=lambda item: item[1]):
            if code != ENGLISH:
                self.translate_combo.addItem(name, code)
        add_row(form, "&Translate into:", self.translate_combo)
        self.layout_combo = named(QComboBox(), "Show the translation")
        for value, text in LAYOUTS.items():
            self.layout_combo.addItem(text, value)
        add_row(form, "Show the translation:", self.layout_combo)
        self.local_note = named(QLabel(), "On this computer")
        self.local_note.setWordWrap(True)
        form.addRow(self.local_note)
        self.cloud_note = named(QLabel(), "In the cloud")
        self.cloud_note.setWordWrap(True)
        form.addRow(self.cloud_note)
        for combo in (self.language_combo, self.translate_combo, self.layout_combo):
            combo.currentIndexChanged.connect(self._changed)

    def load(self, settings: AppSettings) -> None:
        s = settings.streaming
        self._engine = settings.engine
        self._model = s.speech_model
        self._local_model = settings.local_model
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(s.language)))
        self.translate_combo.setCurrentIndex(max(0, self.translate_combo.findData(s.translate_to)))
        self.layout_combo.setCurrentIndex(max(0, self.layout_combo.findData(s.translation_layout)))
        self._explain()

    def apply(self, settings: AppSettings) -> AppSettings:
        engine = (settings.engine, settings.streaming.speech_model, settings.local_model)
        if engine != (self._engine, self._model, self._local_model):
            self._engine, self._model, self._local_model = engine
            self._explain()  # the engine page changed what would be used
        streaming = dataclasses.replace(
            settings.streaming,
            language=str(self.language_combo.currentData()),
            translate_to=str(self.translate_combo.currentData()),
            translation_layout=str(self.layout_combo.currentData()),
        )
        return dataclasses.replace(settings, streaming=streaming)

    def _changed(self, *_args: object) -> None:
        self._explain()
        self._notify()

    def _explain(self) -> None:
        language = str(self.language_combo.currentData())
        target = str(self.translate_combo.currentData())
        self.layout_combo.setEnabled(bool(target))
        self.local_note.setText(self._local_text(language, target))
        cloud = self._engine != EngineChoice.LOCAL
        self.cloud_note.setVisible(cloud)
        if cloud:
            plan = cloud_plan(self._model, language, target)
            self.cloud_note.setText(f"In the cloud (AssemblyAI): {plan.note}")

    def _local_text(self, language: str, target: str) -> str:
        try:
            model = model_for(self._local_model, language, target)
        except ModelError:  # a name no longer known: the default is what the page can say
            model = model_for("", language, target)
        if model.multilingual and not self._multilingual:
            return (
                f"On this computer, {_needs(language, target)} {model.title}. {how_to_get(model)}"
            )
        live = f"live words change about every {model.partial_every_ms / 1000:g} s"
        if model is TINY_EN:
            text = f"On this computer: {TINY_EN.title}, the fastest"
        elif not needs_multilingual(language, target):
            text = f"On this computer: {model.title}, chosen under Engine; {live}"
        else:
            text = (
                f"On this computer: {model.title} (multilingual). It is slower than "
                f"{TINY_EN.title}: {live} instead of every {TINY_EN.partial_every_ms / 1000:g} s"
            )
        if target and target != ENGLISH:
            return f"{text}; it translates into English only, so lines stay untranslated there."
        if target:
            return f"{text}; Whisper's own translate task makes the English."
        return f"{text}."


def _needs(language: str, target: str) -> str:
    if needs_multilingual(language, target):
        return "other languages and translation need"
    return "the model chosen under Engine is"
