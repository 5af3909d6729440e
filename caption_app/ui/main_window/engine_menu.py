"""The Engine menu: choose automatic, the cloud or this computer, and see which one is live."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from caption_app.core.engines.choice import CLOUD, ENGINE_LABELS, LOCAL

WHERE_AUDIO_GOES = {
    CLOUD: "Live: AssemblyAI — audio is sent to the cloud",
    LOCAL: "Live: this computer — audio stays on this computer",
}


class EngineMenu(QMenu):
    engineChosen = Signal(str)
    """One of ``ENGINE_CHOICES``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("E&ngine", parent)
        self.setAccessibleName("Engine")
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._actions: dict[str, QAction] = {}
        for value, label in ENGINE_LABELS.items():
            action = QAction(label, self, checkable=True)
            action.setData(value)
            action.triggered.connect(lambda _checked=False, v=value: self.engineChosen.emit(v))
            self._group.addAction(action)
            self.addAction(action)
            self._actions[value] = action
        self.addSeparator()
        self.live_action = QAction("Not captioning", self)
        self.live_action.setEnabled(False)  # information, not a command
        self.addAction(self.live_action)

    def set_chosen(self, preference: str) -> None:
        action = self._actions.get(preference)
        if action is not None:
            action.setChecked(True)

    def chosen(self) -> str:
        checked = self._group.checkedAction()
        return str(checked.data()) if checked is not None else "auto"

    @Slot(str)
    def show_live(self, kind: str) -> None:
        """``assemblyai``, ``local``, or "" when no session runs."""
        self.live_action.setText(WHERE_AUDIO_GOES.get(kind, "Not captioning"))
