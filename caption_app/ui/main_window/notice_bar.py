"""Non-modal notices: what is wrong now and what the person can do, without a blocking dialog.

The bar does not decide what to say: it is handed every notice whose condition holds now
(``window_words.notices``) each time the state changes, shows the first one not dismissed, and
counts the rest on its Dismiss button. A notice whose condition ended is simply not in the next
list, so it goes at once. A dismissed notice stays away while its condition lasts (for a quiet
input, for the rest of the session), and comes back if the condition ends and holds again.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from caption_app.ui.labels import show_text
from caption_app.ui.main_window.window_words import NoticeItem


class NoticeBar(QFrame):
    dismissed = Signal(str)
    """The key of a notice the person dismissed (or acted on)."""

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
        self._items: tuple[NoticeItem, ...] = ()
        self._current: NoticeItem | None = None
        self._dismissed: dict[str, bool] = {}
        """Dismissed keys, and whether the dismissal lasts the session."""
        self.action_button.clicked.connect(self._run_action)
        self.hide()

    def show_notices(self, items: Sequence[NoticeItem]) -> None:
        """Every notice that holds now, the most pressing first."""
        keys = {item.key for item in items}
        # A dismissal ends with its condition (unless it lasts the session).
        self._dismissed = {
            k: lasting for k, lasting in self._dismissed.items() if lasting or k in keys
        }
        self._items = tuple(items)
        self._display()

    def forget_dismissals(self) -> None:
        """A new session: what was dismissed for the last one may be said again."""
        self._dismissed.clear()
        self._display()

    def showing(self) -> tuple[NoticeItem, ...]:
        """The notices not dismissed, the one on show first."""
        return tuple(item for item in self._items if item.key not in self._dismissed)

    def text(self) -> str:
        return self.message.text() if self._current is not None else ""

    def _display(self) -> None:
        waiting = self.showing()
        current = waiting[0] if waiting else None
        if current is None:
            self._current = None
            self.hide()
            return
        if current != self._current or current.action is not getattr(self._current, "action", None):
            self._current = current
            show_text(self.message, current.text)
            self.action_button.setText(current.action_text)
            self.action_button.setVisible(current.offers_action)
        more = len(waiting) - 1
        self.dismiss_button.setText(f"Dismiss ({more} more)" if more else "Dismiss")
        self.show()

    @Slot()
    def _dismiss(self) -> None:
        current = self._put_away()
        if current is not None and current.on_dismiss is not None:
            current.on_dismiss()

    @Slot()
    def _run_action(self) -> None:
        current = self._put_away()
        if current is not None and current.action is not None:
            current.action()

    def _put_away(self) -> NoticeItem | None:
        """The shown notice, taken off the bar (its action or dismissal follows) and said to
        be dismissed; None when none is shown."""
        current = self._current
        if current is None:
            return None
        self._dismissed[current.key] = current.dismissed_for_the_session
        self._display()
        self.dismissed.emit(current.key)
        return current
