"""The settings of this run: what is saved, plus the command line's one-off overrides.

``--api-host``, ``--engine`` and ``--demo`` apply to the run they were given for. Whatever the
person changes in the window is saved; an override is never saved with it, unless the person
chose that value themselves.
"""

from __future__ import annotations

import dataclasses

from caption_app.core.settings import AppSettings, EngineChoice
from caption_app.qt.settings_store import SettingsStore


def replaced(settings: AppSettings, **changes: object) -> AppSettings:
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def with_host(settings: AppSettings, host: str) -> AppSettings:
    return replaced(settings, streaming=dataclasses.replace(settings.streaming, api_host=host))


class RunSettings:
    """The saved settings with this run's overrides laid over them."""

    def __init__(
        self, store: SettingsStore, *, api_host: str | None = None, engine: str | None = None
    ) -> None:
        self.store = store
        self._saved = store.load()
        self._api_host = api_host or None
        self.engine_override = EngineChoice(engine) if engine else None
        self.current: AppSettings = self._effective(self._saved)

    @property
    def engine_preference(self) -> EngineChoice:
        return self.engine_override or self.current.engine

    def save(self, settings: AppSettings) -> None:
        """Use ``settings`` from now on, and save them without this run's overrides."""
        host = settings.streaming.api_host
        if self._api_host is not None:
            if host == self._api_host:
                host = self._saved.streaming.api_host  # unchanged: the saved one stays
            else:
                self._api_host = None  # the person typed another: theirs from now on
        self._saved = with_host(settings, host)
        self.store.save(self._saved)
        self.current = self._effective(self._saved)

    def change(self, **changes: object) -> None:
        """Change some settings (an input, an engine picked in a menu) and save them."""
        self.save(replaced(self.current, **changes))

    def saved(self) -> AppSettings:
        return self._saved

    def _effective(self, saved: AppSettings) -> AppSettings:
        return saved if self._api_host is None else with_host(saved, self._api_host)
