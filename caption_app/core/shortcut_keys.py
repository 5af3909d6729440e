"""A shortcut as Qt spells it ("Ctrl+Alt+Shift+S") in the terms an X11 key grab needs.

Qt's portable text names the modifiers and then one key; X names keys by keysym
("s", "F5", "comma") and modifiers by mask bits. Qt-free, so it is tested without a display.
"""

from __future__ import annotations

from dataclasses import dataclass

MODIFIER_NAMES = {"ctrl": "Control", "shift": "Shift", "alt": "Alt", "meta": "Super"}
"""Qt's modifier word (lower case) -> the X modifier it is on a usual keyboard."""

KEYSYM_NAMES = {
    "space": "space",
    "return": "Return",
    "enter": "Return",
    "esc": "Escape",
    "tab": "Tab",
    "backspace": "BackSpace",
    "ins": "Insert",
    "del": "Delete",
    "home": "Home",
    "end": "End",
    "pgup": "Prior",
    "pgdown": "Next",
    "left": "Left",
    "up": "Up",
    "right": "Right",
    "down": "Down",
    "pause": "Pause",
    "print": "Print",
    ",": "comma",
    ".": "period",
    "/": "slash",
    ";": "semicolon",
    "'": "apostrophe",
    "[": "bracketleft",
    "]": "bracketright",
    "\\": "backslash",
    "-": "minus",
    "=": "equal",
    "`": "grave",
}


@dataclass(frozen=True, slots=True)
class KeyChord:
    """X modifiers (``Control``, ``Shift``, ``Alt``, ``Super``) and one keysym name."""

    modifiers: frozenset[str]
    keysym: str


def parse_chord(portable: str) -> KeyChord | None:
    """``"Ctrl+Alt+Shift+S"`` -> its chord; None for "" (no shortcut) or keys X cannot grab
    (a sequence of several chords, an unknown key)."""
    text = portable.strip()
    if not text or "," in text.replace("+,", "+comma"):
        return None  # nothing, or a multi-chord sequence ("Ctrl+K, Ctrl+C")
    parts = text.split("+")
    if text.endswith("++"):  # the "+" key itself
        parts = [*text[:-2].split("+"), "+"]
    *mods, key = parts
    modifiers = set()
    for word in mods:
        name = MODIFIER_NAMES.get(word.strip().lower())
        if name is None:
            return None
        modifiers.add(name)
    keysym = _keysym(key.strip())
    return KeyChord(frozenset(modifiers), keysym) if keysym else None


def _keysym(key: str) -> str:
    if len(key) == 1 and key.isalnum() and key.isascii():
        return key.lower()
    if key[:1] in "Ff" and key[1:].isdigit() and 1 <= int(key[1:]) <= 35:
        return f"F{int(key[1:])}"
    return KEYSYM_NAMES.get(key.lower(), "plus" if key == "+" else "")
