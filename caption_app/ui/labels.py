"""Status labels that screen readers follow.

A QLabel given an accessible name is announced by that name, not by its text; so a label whose
text changes (state, time, a result count) mirrors the text into its accessible description.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def show_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setAccessibleDescription(text)


def hold_size(label: QLabel, widest: str) -> None:
    """Fix a label whose text changes every second at the size of its widest text, opaque: a
    new text then repaints the label alone, instead of laying the window out again and
    repainting what is behind it."""
    text = label.text()
    label.setText(widest)
    label.setFixedSize(label.sizeHint())
    label.setText(text)
    label.setAutoFillBackground(True)
