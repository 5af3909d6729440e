"""The settings of this run: what is saved, plus the command line's one-off overrides.

``--api-host``, ``--language``, ``--translate``, ``--engine``, ``--demo``, ``--local-model``
and ``--model-dir`` apply to the run they were given for. Whatever the person changes in the
window is saved; an override is never saved with it, unless the person chose that value
themselves.
"""

from __future__ import annotations

import argparse
import dataclasses

from caption_app.core.settings import AppSettings, EngineChoice, language_overrides
from caption_app.qt.settings_store import SettingsStore


def replaced(settings: AppSettings, **changes: object) -> AppSettings:
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def with_streaming(settings: AppSettings, **changes: object) -> AppSettings:
    streaming = dataclasses.replace(settings.streaming, **changes)  # type: ignore[arg-type]
    return replaced(settings, streaming=streaming)


def with_host(settings: AppSettings, host: str) -> AppSettings:
    return with_streaming(settings, api_host=host)


class RunSettings:
    """The saved settings with this run's overrides laid over them."""

    def __init__(
        self,
        store: SettingsStore,
        *,
        api_host: str | None = None,
        engine: str | None = None,
        streaming: dict[str, object] | None = None,
        local: dict[str, str | None] | None = None,
    ) -> None:
        """``streaming``: overrides of streaming settings; ``local``: of the local engine's
        (``local_model``, ``local_model_dir``)."""
        self.store = store
        self._saved = store.load()
        self._overrides: dict[str, object] = {
            name: value for name, value in (streaming or {}).items() if value is not None
        }
        if api_host:
            self._overrides["api_host"] = api_host
        self._local: dict[str, object] = {k: v for k, v in (local or {}).items() if v}
        self.engine_override = EngineChoice(engine) if engine else None
        self.current: AppSettings = self._effective(self._saved)

    @classmethod
    def from_command_line(cls, store: SettingsStore, args: argparse.Namespace) -> RunSettings:
        engine = getattr(args, "engine", None)
        if getattr(args, "demo", False):
            engine = EngineChoice.LOCAL
        languages = language_overrides(
            getattr(args, "language", None),
            getattr(args, "translate", None),
            getattr(args, "translation_only", False),
        )
        local = {
            "local_model": getattr(args, "local_model", None),
            "local_model_dir": getattr(args, "model_dir", None),
        }
        api_host = getattr(args, "api_host", None)
        return cls(store, api_host=api_host, engine=engine, streaming=languages, local=local)

    @property
    def engine_preference(self) -> EngineChoice:
        return self.engine_override or self.current.engine

    def save(self, settings: AppSettings) -> None:
        """Use ``settings`` from now on, and save them without this run's overrides."""
        streaming = _kept(self._overrides, settings.streaming, self._saved.streaming)
        local = _kept(self._local, settings, self._saved)
        self._saved = replaced(with_streaming(settings, **streaming), **local)
        self.store.save(self._saved)
        self.current = self._effective(self._saved)

    def change(self, **changes: object) -> None:
        """Change some settings (an input, an engine picked in a menu) and save them."""
        self.save(replaced(self.current, **changes))

    def saved(self) -> AppSettings:
        return self._saved

    def _effective(self, saved: AppSettings) -> AppSettings:
        return replaced(with_streaming(saved, **self._overrides), **self._local)


def _kept(overrides: dict[str, object], chosen: object, saved: object) -> dict[str, object]:
    """The saved values of the overrides ``chosen`` still carries (they stay saved as they
    were); an override the person changed is dropped from ``overrides``: theirs from now on."""
    kept: dict[str, object] = {}
    for name, value in list(overrides.items()):
        if getattr(chosen, name) == value:
            kept[name] = getattr(saved, name)
        else:
            del overrides[name]
    return kept
