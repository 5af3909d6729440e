"""Non-modal notices: what went wrong and what the person can do, without a blocking dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from caption_app.ui.labels import show_text

MAX_KEPT_OFFERS = 5


@dataclass(frozen=True)
class _Notice:
    text: str
    action_text: str = ""
    action: Callable[[], None] | None = None
    topic: str = ""
    on_dismiss: Callable[[], None] | None = None

    @property
    def offers_action(self) -> bool:
        return bool(self.action_text and self.action)


class NoticeBar(QFrame):
    """Shows the latest notice with an optional action button and a dismiss button.

    A notice that offers an action (export a recovered session, enter a key) is not lost when a
    later notice arrives: it comes back when the later one is dismissed. A notice given a
    ``topic`` is withdrawn when its cause is resolved (``withdraw``); ``on_dismiss`` lets its
    owner remember that the person dismissed it.
    """

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
        self.dismiss_button.clicked.connect(self._dismiss)
        layout = QHBoxLayout(self)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.dismiss_button)
        self._current: _Notice | None = None
        self._kept: list[_Notice] = []
        self.action_button.clicked.connect(self._run_action)
        self.hide()

    def show_notice(
        self,
        text: str,
        action_text: str = "",
        action: Callable[[], None] | None = None,
        *,
        topic: str = "",
        on_dismiss: Callable[[], None] | None = None,
    ) -> None:
        current = self._current
        if current is not None and current.offers_action and not self.isHidden():
            self._kept = [n for n in self._kept if n.text != current.text][-MAX_KEPT_OFFERS:]
            self._kept.append(current)
        self._display(_Notice(text, action_text, action, topic, on_dismiss))

    def withdraw(self, topic: str) -> None:
        """The cause of the notices on ``topic`` is resolved: they go, whether shown or kept."""
        self._kept = [n for n in self._kept if n.topic != topic]
        if self._current is not None and self._current.topic == topic:
            self._next()
        elif self._current is not None:
            self._display(self._current)  # the count of kept notices may have changed

    def text(self) -> str:
        return self.message.text()

    def _display(self, notice: _Notice) -> None:
        self._current = notice
        show_text(self.message, notice.text)
        self.action_button.setText(notice.action_text)
        self.action_button.setVisible(notice.offers_action)
        more = len(self._kept)
        self.dismiss_button.setText(f"Dismiss ({more} more)" if more else "Dismiss")
        self.show()

    @Slot()
    def _dismiss(self) -> None:
        on_dismiss = self._current.on_dismiss if self._current is not None else None
        self._next()
        if on_dismiss is not None:
            on_dismiss()

    @Slot()
    def _next(self) -> None:
        """Dismissed (or acted on): back to the latest kept offer, else hide."""
        if self._kept:
            self._display(self._kept.pop())
        else:
            self._current = None
            self.hide()

    @Slot()
    def _run_action(self) -> None:
        action = self._current.action if self._current is not None else None
        self._next()
        if action is not None:
            action()
