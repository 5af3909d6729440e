"""The one typed settings façade: ``AppSettings`` and shortcuts in, ``QSettings`` out.

The schema (defaults, ranges, validation) lives in ``core/settings.py``; this adapter only moves
plain values between it and ``QSettings``. A damaged store never raises into the UI: junk values
fall back to defaults and are listed in ``problems`` for a non-modal notice. Nothing secret is
stored here: API keys live only in the OS keyring (``core/secrets``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence

from caption_app.core.settings import AppSettings, from_plain, to_plain

log = logging.getLogger(__name__)

SHORTCUT_LABELS: Mapping[str, str] = {
    "start_stop": "Start / stop captions",
    "end_line": "End caption line now",
    "lock_overlay": "Lock overlay (click-through)",
    "export": "Export transcript",
    "pause": "Pause",
    "move_overlay": "Move overlay with the keyboard",
    "global_captions": "Anywhere: start / stop captions",
    "global_pause": "Anywhere: pause / resume",
    "global_overlay": "Anywhere: show / hide the overlay",
}
"""Action name -> what a person calls it (used by the settings dialog)."""

GLOBAL_SHORTCUTS: Mapping[str, str] = {
    "global_captions": "captions",
    "global_pause": "pause",
    "global_overlay": "overlay",
}
"""The shortcuts that work while another window (the meeting) has the focus -> the toggle
each one does (as ``caption-app --toggle``). Three modifiers, so no application's own keys
are taken from it."""

DEFAULT_SHORTCUTS: Mapping[str, str] = {
    "start_stop": "Ctrl+Shift+S",
    "end_line": "Ctrl+Shift+E",
    "lock_overlay": "Ctrl+Shift+L",
    "export": "Ctrl+Shift+X",
    "pause": "Ctrl+Shift+P",
    "move_overlay": "Ctrl+Shift+O",
    "global_captions": "Ctrl+Alt+Shift+S",
    "global_pause": "Ctrl+Alt+Shift+P",
    "global_overlay": "Ctrl+Alt+Shift+O",
}

SHORTCUT_GROUP = "shortcuts"
_PORTABLE = QKeySequence.SequenceFormat.PortableText


def normalise_shortcut(text: str) -> str | None:
    """The portable spelling of a key sequence, "" for none, or None when it is not one."""
    if not text.strip():
        return ""
    sequence = QKeySequence.fromString(text, _PORTABLE)
    keys = [sequence[i].key() for i in range(sequence.count())]  # type: ignore[index]
    if not keys or Qt.Key.Key_unknown in keys:
        return None
    return sequence.toString(_PORTABLE)


OVERLAY_GROUP = "overlay_window"
MAIN_WINDOW_GEOMETRY = "main_window/geometry"
"""One entry per screen, so docking and undocking a laptop finds each screen's place again."""


@dataclass(frozen=True, slots=True)
class OverlayPlace:
    x: int
    y: int
    width: int


class SettingsStore(QObject):
    """Loads and saves ``AppSettings`` and the keyboard shortcuts through one ``QSettings``."""

    changed = Signal(object)
    """The new ``AppSettings``, after ``save``."""
    shortcutsChanged = Signal(object)
    """The new shortcut mapping (action name -> portable key sequence), after ``save_shortcuts``."""

    def __init__(self, qsettings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._qsettings = qsettings
        self._load_problems: list[str] = []
        self._shortcut_problems: list[str] = []

    @property
    def problems(self) -> list[str]:
        """What the last ``load``/``shortcuts`` call had to reset, one sentence each."""
        return [*self._load_problems, *self._shortcut_problems]

    # --- AppSettings ----------------------------------------------------------------------

    def load(self) -> AppSettings:
        keys = to_plain(AppSettings()).keys()
        values = {k: _plain(self._qsettings.value(k)) for k in keys if self._qsettings.contains(k)}
        settings, problems = from_plain(values)
        self._load_problems = problems
        for problem in problems:
            log.warning("settings: %s", problem)
        return settings

    def save(self, settings: AppSettings) -> None:
        for key, value in to_plain(settings).items():
            # Key terms cannot contain newlines, so one term per line round-trips through
            # ``parse_keyterms``; INI lists would lose an empty list and mangle commas.
            self._qsettings.setValue(key, "\n".join(value) if isinstance(value, list) else value)
        self._sync()
        self.changed.emit(settings)

    # --- one-time flags ("this was shown once") ----------------------------------------------

    def flag(self, name: str) -> bool:
        return bool(self._qsettings.value(f"flags/{name}", False, type=bool))

    def set_flag(self, name: str) -> None:
        self._qsettings.setValue(f"flags/{name}", True)
        self._sync()

    # --- shortcuts ------------------------------------------------------------------------

    def shortcuts(self) -> dict[str, str]:
        """Action name -> key sequence ("" for none); invalid entries fall back to defaults."""
        result: dict[str, str] = {}
        self._shortcut_problems = []
        for name, default in DEFAULT_SHORTCUTS.items():
            key = f"{SHORTCUT_GROUP}/{name}"
            if not self._qsettings.contains(key):
                result[name] = default
                continue
            raw = self._qsettings.value(key)
            normal = normalise_shortcut(raw) if isinstance(raw, str) else None
            if normal is None:
                self._shortcut_problems.append(f"{key} was not a key sequence; using {default}")
                normal = default
            result[name] = normal
        return result

    def save_shortcuts(self, shortcuts: Mapping[str, str]) -> None:
        clean: dict[str, str] = {}
        for name in DEFAULT_SHORTCUTS:
            normal = normalise_shortcut(shortcuts.get(name, DEFAULT_SHORTCUTS[name]))
            if normal is None:
                raise ValueError(f"{shortcuts[name]!r} is not a key sequence")
            clean[name] = normal
        for name, value in clean.items():
            self._qsettings.setValue(f"{SHORTCUT_GROUP}/{name}", value)
        self._sync()
        self.shortcutsChanged.emit(clean)

    # --- where the overlay sits, per screen -------------------------------------------------

    def last_overlay_screen(self) -> str:
        return str(self._qsettings.value(f"{OVERLAY_GROUP}/last_screen", "") or "")

    def overlay_place(self, screen_id: str) -> OverlayPlace | None:
        """Where the overlay was on that screen; None if never saved, or damaged."""
        key = f"{OVERLAY_GROUP}/screens/{screen_id}"
        values = [self._qsettings.value(f"{key}/{name}") for name in ("x", "y", "width")]
        if any(v is None for v in values):
            return None
        try:
            x, y, width = (int(str(v)) for v in values)
        except ValueError:
            return None  # a damaged entry: fall back as if nothing was saved
        return OverlayPlace(x, y, width) if width > 0 else None

    def save_overlay_place(self, screen_id: str, place: OverlayPlace) -> None:
        """Remember the place on that screen, and that screen as the last one used."""
        self._qsettings.setValue(f"{OVERLAY_GROUP}/last_screen", screen_id)
        key = f"{OVERLAY_GROUP}/screens/{screen_id}"
        for name, value in (("x", place.x), ("y", place.y), ("width", place.width)):
            self._qsettings.setValue(f"{key}/{name}", value)
        self._sync()

    # --- where the main window sits ---------------------------------------------------------

    def main_window_geometry(self) -> QByteArray:
        """The main window's place and size as Qt saved it (empty if never saved, or junk:
        ``restoreGeometry`` refuses what it cannot read)."""
        value = self._qsettings.value(MAIN_WINDOW_GEOMETRY)
        return value if isinstance(value, QByteArray) else QByteArray()

    def save_main_window_geometry(self, geometry: QByteArray) -> None:
        self._qsettings.setValue(MAIN_WINDOW_GEOMETRY, geometry)
        self._sync()

    def _sync(self) -> None:
        self._qsettings.sync()
        if self._qsettings.status() != QSettings.Status.NoError:
            log.warning("settings could not be written to %s", self._qsettings.fileName())


def _plain(value: Any) -> Any:
    # An unquoted comma in an INI value reads back as a list; a scalar setting never is one.
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value
