"""Moving and resizing the overlay from the keyboard, for people who cannot drag.

The overlay never takes the keyboard from the meeting: it accepts focus only while a person
asks for it (the "Move overlay with the keyboard" shortcut) and gives it back on Esc or Enter.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QKeyEvent

STEP_PX = 10
LARGE_STEP_PX = 50  # with Shift
REFUSED = (
    "The overlay could not take the keyboard on this desktop: drag it with the mouse, or use "
    "View → Reset overlay position."
)
HELP = "Arrows move · Ctrl+←/→ narrower/wider · Shift: bigger steps · Esc or Enter: done"

_DIRECTIONS = {
    Qt.Key.Key_Left: QPoint(-1, 0),
    Qt.Key.Key_Right: QPoint(1, 0),
    Qt.Key.Key_Up: QPoint(0, -1),
    Qt.Key.Key_Down: QPoint(0, 1),
}
DONE_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter)


def moved(geometry: QRect, event: QKeyEvent, min_width: int, area: QRect) -> QRect | None:
    """Where an arrow key puts the overlay (None for other keys); it stays inside ``area``."""
    direction = _DIRECTIONS.get(Qt.Key(event.key()))
    if direction is None:
        return None
    modifiers = event.modifiers()
    step = LARGE_STEP_PX if modifiers & Qt.KeyboardModifier.ShiftModifier else STEP_PX
    result = QRect(geometry)
    if modifiers & Qt.KeyboardModifier.ControlModifier:
        if direction.x() == 0:
            return result  # the height follows the number of lines, set in Settings
        width = max(min_width, min(area.width(), geometry.width() + direction.x() * step))
        result.setWidth(width)
    else:
        result.translate(direction * step)
    x = min(max(result.x(), area.left()), area.right() + 1 - result.width())
    y = min(max(result.y(), area.top()), area.bottom() + 1 - result.height())
    result.moveTo(x, y)
    return result
