"""The application's modeless dialogs: one of each at a time, kept while open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog


class DialogShelf:
    """Asking for a dialog that is open brings it forward, so what was typed stays; each is
    kept referenced while open, so tests and the person can find it."""

    def __init__(self) -> None:
        self._dialogs: dict[str, QDialog] = {}

    def show(self, name: str, make: Callable[[], QDialog]) -> QDialog:
        old = self._dialogs.get(name)
        if old is not None and old.isVisible():
            old.raise_()
            old.activateWindow()
            return old
        if old is not None:
            old.deleteLater()
        dialog = make()
        dialog.setModal(False)  # Stop, the transcript and the shortcuts stay usable
        self._dialogs[name] = dialog
        dialog.show()
        return dialog

    def get(self, name: str) -> QDialog | None:
        return self._dialogs.get(name)
