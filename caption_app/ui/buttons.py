"""Dialog buttons a keyboard user can reach: in the Tab order, named for screen readers, and
never the default button that would take Enter from the dialog's main control (the History
table opens a session on Enter; the key field checks the key)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton


def dialog_button(text: str, accessible_name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible_name)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setAutoDefault(False)
    return button
