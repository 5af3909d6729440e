"""Non-modal notices: what went wrong and what the person can do, without a blocking dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class NoticeBar(QFrame):
    """Shows the latest notice with an optional action button and a dismiss button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Notice")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.action_button = QPushButton()
        self.action_button.setAccessibleName("Notice action")
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss notice")
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.dismiss_button)
        self._action: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._run_action)
        self.hide()

    def show_notice(
        self, text: str, action_text: str = "", action: Callable[[], None] | None = None
    ) -> None:
        self.message.setText(text)
        self.message.setAccessibleDescription(text)
        self._action = action
        self.action_button.setText(action_text)
        self.action_button.setVisible(bool(action_text and action))
        self.show()

    def text(self) -> str:
        return self.message.text()

    @Slot()
    def _run_action(self) -> None:
        action = self._action
        self.hide()
        if action is not None:
            action()
