"""Global shortcuts through an X11 key grab: keys that reach Caption App whichever window has
the focus.

The grab is made on the X server's root window over a connection of its own (python-xlib),
whose socket a ``QSocketNotifier`` watches: a key press wakes the GUI thread, nothing polls.
Each chord is grabbed with and without Num Lock and Caps Lock, which X counts as modifiers.
A chord another application holds is reported by name, not silently dropped. Under XWayland
the compositor sends keys to the X server only while one of its windows has the focus, so
there the grab is not global (``core/desktop.py`` says so in Settings).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot

from caption_app.core.shortcut_keys import KeyChord, parse_chord
from caption_app.qt.xlib_display import open_display

log = logging.getLogger(__name__)

REPEAT_GAP_S = 0.3
"""A held key repeats its press: presses closer together than this are one press."""


class X11KeyGrab(QObject):
    """Grabs chords for named actions; ``triggered(name)`` when one is pressed."""

    triggered = Signal(str)

    def __init__(self, display_name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from Xlib import X

        self._X = X
        self._display = open_display(display_name)
        self._root = self._display.screen().root
        self._grabbed: dict[tuple[int, int], str] = {}
        self._last_press: dict[str, float] = {}
        self._masks = self._modifier_masks()
        self._notifier = QSocketNotifier(self._display.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    def _modifier_masks(self) -> dict[str, int]:
        """X modifier name -> its mask bit on this server (Alt and Super vary by keymap)."""
        X = self._X
        masks = {"Control": X.ControlMask, "Shift": X.ShiftMask, "Lock": X.LockMask}
        wanted = {"Alt": ("Alt_L", "Alt_R", "Meta_L"), "Super": ("Super_L", "Super_R")}
        wanted["NumLock"] = ("Num_Lock",)
        from Xlib import XK

        mapping = self._display.get_modifier_mapping()
        for index, keycodes in enumerate(mapping):
            syms = {self._display.keycode_to_keysym(code, 0) for code in keycodes if code}
            for name, keysyms in wanted.items():
                if name not in masks and syms & {XK.string_to_keysym(k) for k in keysyms}:
                    masks[name] = 1 << index
        masks.setdefault("Alt", X.Mod1Mask)
        masks.setdefault("Super", X.Mod4Mask)
        masks.setdefault("NumLock", X.Mod2Mask)
        return masks

    def bind(self, chords: Mapping[str, str]) -> dict[str, str]:
        """Grab ``action name -> portable key sequence`` ("" for none), releasing the old
        grabs first. Returns action name -> why it could not be grabbed (absent when it was)."""
        from Xlib import XK, error

        self.release()
        problems: dict[str, str] = {}
        for name, portable in chords.items():
            if not portable:
                continue
            chord = parse_chord(portable)
            keycode = self._keycode(chord, XK) if chord else 0
            if chord is None or not keycode:
                problems[name] = f"{portable} cannot be used as a global shortcut"
                continue
            caught = error.CatchError(error.BadAccess)
            mask = self._mask(chord)
            for extra in self._lock_variants():
                self._root.grab_key(
                    keycode,
                    mask | extra,
                    True,
                    self._X.GrabModeAsync,
                    self._X.GrabModeAsync,
                    onerror=caught,
                )
            self._display.sync()
            if caught.get_error() is not None:
                for extra in self._lock_variants():
                    self._root.ungrab_key(keycode, mask | extra)
                problems[name] = f"{portable} is taken by another application"
                continue
            self._grabbed[(keycode, mask)] = name
        self._display.flush()
        return problems

    def release(self) -> None:
        for keycode, mask in self._grabbed:
            for extra in self._lock_variants():
                self._root.ungrab_key(keycode, mask | extra)
        self._grabbed.clear()
        self._display.flush()

    def close(self) -> None:
        self._notifier.setEnabled(False)
        self.release()
        self._display.close()

    def _keycode(self, chord: KeyChord, XK: Any) -> int:
        keysym = XK.string_to_keysym(chord.keysym)
        return int(self._display.keysym_to_keycode(keysym)) if keysym else 0

    def _mask(self, chord: KeyChord) -> int:
        mask = 0
        for name in chord.modifiers:
            mask |= self._masks[name]
        return mask

    def _lock_variants(self) -> tuple[int, ...]:
        lock, num = self._masks["Lock"], self._masks["NumLock"]
        return (0, lock, num, lock | num)

    @Slot()
    def _read(self) -> None:
        ignored = self._masks["Lock"] | self._masks["NumLock"]
        while self._display.pending_events():
            event = self._display.next_event()
            if event.type != self._X.KeyPress:
                continue
            name = self._grabbed.get((event.detail, event.state & ~ignored & 0xFF))
            if name is None:
                continue
            now = time.monotonic()
            repeat = now - self._last_press.get(name, 0.0) < REPEAT_GAP_S
            self._last_press[name] = now
            if not repeat:
                self.triggered.emit(name)
