"""The Engine menu: choose automatic, the cloud or this computer, and see which one is live."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from caption_app.core.engines.choice import ENGINE_LABELS
from caption_app.core.settings import EngineChoice

WHERE_AUDIO_GOES: dict[str, str] = {
    EngineChoice.ASSEMBLYAI: "Live: AssemblyAI — audio is sent to the cloud",
    EngineChoice.LOCAL: "Live: this computer — audio stays on this computer",
}


class EngineMenu(QMenu):
    engineChosen = Signal(str)
    """An ``EngineChoice`` value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("E&ngine", parent)
        self.setAccessibleName("Engine")
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._actions: dict[EngineChoice, QAction] = {}
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

    def set_chosen(self, preference: EngineChoice) -> None:
        self._actions[preference].setChecked(True)

    def chosen(self) -> EngineChoice:
        checked = self._group.checkedAction()
        return EngineChoice(checked.data()) if checked is not None else EngineChoice.AUTO

    @Slot(str)
    def show_live(self, kind: str) -> None:
        """An ``EngineChoice`` value of the engine live now, or "" when no session runs."""
        self.live_action.setText(WHERE_AUDIO_GOES.get(kind, "Not captioning"))
