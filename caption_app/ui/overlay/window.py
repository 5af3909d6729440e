"""The caption overlay: a frameless, always-on-top, translucent bar showing the last lines.

Locking makes it click-through (``Qt.WindowTransparentForInput``) so it can sit over a meeting
window without ever taking a click; it is unlocked from the tray or the main window, since a
locked overlay cannot receive one.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QSizeGrip, QWidget

from caption_app.core.caption_lines import CaptionLines, Line, Run, line_text
from caption_app.core.model.session import EngineInUse, SessionState
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.settings import OverlayStyle
from caption_app.qt.settings_store import SettingsStore
from caption_app.ui.overlay import geometry as overlay_geometry
from caption_app.ui.overlay import keys as overlay_keys
from caption_app.ui.overlay.lines import CaptionPainter

MIN_WIDTH = 240
FOCUS_WAIT_MS = 500  # how long the desktop gets to give the overlay the keyboard
GRIP_SIZE = 16
WINDOW_FLAGS = (
    Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.Tool  # no taskbar entry
    | Qt.WindowType.WindowDoesNotAcceptFocus  # never takes the keyboard from the meeting
)


STATUS_TEXT = {
    SessionState.CONNECTING: "Connecting…",
    SessionState.RECONNECTING: "Reconnecting… captions resume shortly",
    SessionState.UNREACHABLE: "Cannot reach the captioning service",
    SessionState.PAUSED: "Paused",
    SessionState.FAILED: "Captions stopped: see Caption App",
}
"""What the overlay says when it is not captioning, so silence never looks like an outage."""
BADGE_TEXT = "On this computer"
BADGE_STYLE = (
    "QLabel { color: #ffffff; background: rgba(0, 0, 0, 200); border: 1px solid #ffffff;"
    " border-radius: 6px; padding: 1px 6px; font-size: 11pt; }"
)
FIRST_HINT = "Press Start captions (Ctrl+Shift+S); captions appear here"
LISTENING = "Listening…"
"""Live, and nothing said yet: the overlay says it hears, so a quiet room is not an outage."""


class CaptionOverlay(QWidget):
    """Shows the recent turns; drag it by its body and widen it by the corner grip."""

    lockedChanged = Signal(bool)
    keyboardDone = Signal()
    """Keyboard moving ended (Esc or Enter): the caller gives the focus back."""
    keyboardRefused = Signal()
    """The desktop would not give the overlay the keyboard: moving by keyboard did not start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, WINDOW_FLAGS)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWindowTitle("Live captions")
        self.setAccessibleName("Live captions")
        self.setMinimumWidth(MIN_WIDTH)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self._model = CaptionLines()
        self._lines: list[Line] | None = None  # laid out lazily, at most once per paint
        self._locked = False
        self._status = ""
        self._badge = QLabel("", self)
        self._badge.setObjectName("engine-badge")
        self._badge.setStyleSheet(BADGE_STYLE)
        self._badge.hide()
        self._language = QLabel("", self)  # the detected language, when detection is on
        self._language.setObjectName("language-tag")
        self._language.setStyleSheet(BADGE_STYLE)
        self._language.hide()
        self._hint = FIRST_HINT
        """Shown until the first session starts, so an empty overlay says what to do."""
        self._drag_from: QPoint | None = None
        self._keyboard = False
        self._was_locked = False
        self._silence = QTimer(self)
        self._silence.setSingleShot(True)
        self._silence.timeout.connect(self.clear)
        self._grip = QSizeGrip(self)
        self._grip.resize(GRIP_SIZE, GRIP_SIZE)
        self._painter = CaptionPainter(OverlayStyle())
        self.set_style(OverlayStyle())
        self.resize(
            overlay_geometry.default_geometry(self.screen(), self.height(), MIN_WIDTH).size()
        )

    # --- content ----------------------------------------------------------------------------

    @Slot(object)
    def apply_update(self, update: TurnUpdate) -> None:
        self._hint = ""
        if update.turn.language and update.turn.language.upper() != self._language.text():
            self._show_language(update.turn.language.upper())
        if not self._model.apply(update):
            return
        if update.kind in (UpdateKind.FINISHED, UpdateKind.REPLACED):
            # Screen readers get each finished sentence once, not every partial.
            self.setAccessibleDescription(update.turn.display_text)
        self._repaint_changed_rows()
        if self._silence.interval() > 0:
            self._silence.start()

    @Slot(object, str)
    def show_state(self, state: SessionState, _detail: str = "") -> None:
        """A dim status line at the bottom whenever the session is not live."""
        if (state is not SessionState.IDLE or self._hint == LISTENING) and self._hint:
            self._hint = ""
            self._invalidate()
        if state is SessionState.LIVE and not self._model.visible_segments():
            self._hint = LISTENING  # until the first words arrive (``apply_update``)
            self._invalidate()
        status = STATUS_TEXT.get(state, "")
        if status == self._status:
            return
        self._status = status
        if status:
            self.setAccessibleDescription(status)
        self._invalidate()

    def status(self) -> str:
        return self._status

    @Slot(object)
    def show_engine(self, engine: EngineInUse) -> None:
        """A small "On this computer" badge while the local engine stands in for the cloud."""
        self._badge.setText(BADGE_TEXT if engine.standing_in else "")
        self._badge.setVisible(engine.standing_in)
        self._badge.adjustSize()
        self._place_badge()
        self.setAccessibleDescription(BADGE_TEXT if engine.standing_in else "Live captions")
        self._invalidate()  # the lines wrap short of the badge while it is shown

    def _show_language(self, code: str) -> None:
        self._language.setText(code)
        self._language.setAccessibleName(f"Detected language: {code}")
        self._language.adjustSize()
        self._language.show()
        self._place_badge()
        self._invalidate()

    def language_tag(self) -> str:
        """The detected-language tag while it is shown, else ""."""
        return self._language.text() if self._language.isVisibleTo(self) else ""

    def badge(self) -> str:
        """The badge's text while it is shown, else ""."""
        return self._badge.text() if self._badge.isVisibleTo(self) else ""

    def _text_box_width(self) -> int:
        """The width lines are wrapped to: all of it, or up to the tags so they hide no word."""
        tags = [t for t in (self._language, self._badge) if t.isVisibleTo(self)]
        if tags:
            return max(1, min(t.x() for t in tags) - 4)
        return self.width()

    def _place_badge(self) -> None:
        right = self.width() - 10
        for tag in (self._badge, self._language):  # right to left: badge, then language
            if tag.isVisibleTo(self):
                tag.move(right - tag.width(), 6)
                right = tag.x() - 6

    @Slot()
    def clear(self) -> None:
        self._silence.stop()
        self._model.clear()
        self._language.hide()
        self._language.setText("")
        self._invalidate()

    def clear_pending(self) -> bool:
        """Whether the silence timer is running (it is not when clearing is switched off)."""
        return self._silence.isActive()

    def rendered_lines(self) -> list[str]:
        """The text of each line as drawn, top to bottom (for tests and accessibility)."""
        return [line_text(line) for line in self.rendered_runs()]

    def rendered_runs(self) -> list[Line]:
        """The lines as drawn, each a sequence of solid, dimmed or label runs."""
        if self._lines is None:
            lines = self._painter.layout(self._model.visible_segments(), self._text_box_width())
            status = overlay_keys.HELP if self._keyboard else self._status
            if status:
                room = max(0, self._painter.style.lines - 1)
                lines = [*lines[len(lines) - room :], (Run(status, dim=True),)]
            elif not lines and self._hint:
                lines = [(Run(self._hint, dim=True),)]
            self._lines = lines
        return self._lines

    def model(self) -> CaptionLines:
        return self._model

    # --- style ------------------------------------------------------------------------------

    def set_style(self, style: OverlayStyle) -> None:
        style = style.validate()
        self._painter = CaptionPainter(style)
        self._model.finished_lines_only = style.finished_lines_only
        self._model.show_speakers = style.show_speakers
        self._silence.setInterval(style.clear_after_silence_s * 1000)
        if style.clear_after_silence_s == 0:
            self._silence.stop()
        bottom = self.geometry().bottom()
        self.setFixedHeight(self._painter.box_height())
        if self.isVisible():
            self.move(self.x(), bottom - self.height() + 1)  # grow upwards, like captions do
        self._invalidate()

    def style_in_use(self) -> OverlayStyle:
        return self._painter.style

    # --- lock (click-through) -----------------------------------------------------------------

    @Slot(bool)
    def set_locked(self, locked: bool) -> None:
        if locked == self._locked:
            return
        self._locked = locked
        geometry, visible = self.geometry(), self.isVisible()
        # Changing window flags recreates the native window and hides it: put it back.
        self.setWindowFlag(Qt.WindowType.WindowTransparentForInput, locked)
        self._grip.setVisible(not locked)
        self.setGeometry(geometry)
        if visible:
            self.show()
        self.lockedChanged.emit(locked)

    def is_locked(self) -> bool:
        return self._locked

    # --- position -----------------------------------------------------------------------------

    @Slot()
    def reset_position(self) -> None:
        """Back to the bottom of the primary screen, unlocked and shown: the way out for a
        person who cannot find it or cannot drag (keyboard only)."""
        self.set_locked(False)
        primary = QGuiApplication.primaryScreen()
        self.setGeometry(overlay_geometry.default_geometry(primary, self.height(), MIN_WIDTH))
        self.show()

    @Slot()
    def keep_on_screen(self) -> None:
        """After a screen went away: pull the overlay back onto one that is there."""
        area = overlay_geometry.screen_of(self.geometry()).availableGeometry()
        self.setGeometry(overlay_geometry.clamped(self.geometry(), area))

    def save_geometry(self, store: SettingsStore) -> None:
        overlay_geometry.save_geometry(store, self.geometry())

    def restore_geometry(self, store: SettingsStore) -> None:
        self.setGeometry(overlay_geometry.restored_geometry(store, self.height(), MIN_WIDTH))

    # --- keyboard -----------------------------------------------------------------------------

    @Slot()
    def start_keyboard_moving(self) -> None:
        """Take the keyboard (only now) so arrows move it and Ctrl+arrows resize it."""
        if self._keyboard:
            return
        self._keyboard = True
        self._was_locked = self._locked
        self.set_locked(False)
        self._set_focusable(True)
        self.setAccessibleDescription(overlay_keys.HELP)
        self._invalidate()
        self.activateWindow()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        QTimer.singleShot(FOCUS_WAIT_MS, self._check_focus_taken)

    @Slot()
    def _check_focus_taken(self) -> None:
        """A desktop may refuse to activate the overlay: leave the mode rather than keep a
        window that can take the keyboard from the meeting later."""
        if self._keyboard and not self.hasFocus():
            self._stop_keyboard_moving(give_back=False)
            self.keyboardRefused.emit()

    def keyboard_moving(self) -> bool:
        return self._keyboard

    def _stop_keyboard_moving(self, *, give_back: bool) -> None:
        """End the mode as it began: unfocusable, locked again if it was. ``give_back`` (Esc
        or Enter) returns the keyboard to Caption App; a click elsewhere keeps it there."""
        self._keyboard = False
        self._set_focusable(False)
        self.set_locked(self._was_locked)
        self._invalidate()
        if give_back:
            self.keyboardDone.emit()

    def _set_focusable(self, focusable: bool) -> None:
        geometry, visible = self.geometry(), self.isVisible()
        # Changing window flags recreates the native window and hides it: put it back.
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus, not focusable)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if focusable else Qt.FocusPolicy.NoFocus)
        self.setGeometry(geometry)
        if visible:
            self.show()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._keyboard:
            super().keyPressEvent(event)
            return
        if event.key() in overlay_keys.DONE_KEYS:
            self._stop_keyboard_moving(give_back=True)
            return
        area = overlay_geometry.screen_of(self.geometry()).availableGeometry()
        target = overlay_keys.moved(self.geometry(), event, MIN_WIDTH, area)
        if target is None:
            super().keyPressEvent(event)
        else:
            self.setGeometry(target)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self._keyboard:
            self._stop_keyboard_moving(give_back=False)  # clicked elsewhere: let it go there
        super().focusOutEvent(event)

    # --- Qt events ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._painter.paint(painter, QRectF(self.rect()), self.rendered_runs(), event.rect())
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._grip.move(self.width() - self._grip.width(), self.height() - self._grip.height())
        self._place_badge()
        self._invalidate()
        super().resizeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        handle = self.windowHandle()
        # The window manager moves it where it can (Wayland allows nothing else).
        if handle is not None and handle.startSystemMove():
            return
        self._drag_from = event.globalPosition().toPoint() - self.pos()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_from)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None

    def _invalidate(self) -> None:
        self._lines = None
        self.update()

    def _repaint_changed_rows(self) -> None:
        """Most updates add a word to the bottom line: repaint the rows that changed, not the
        whole box (blending the whole box was most of an update's cost)."""
        before = self._lines
        self._lines = None
        after = self.rendered_runs()
        if before is None or len(before) != len(after):
            self.update()
            return
        box = QRectF(self.rect())
        for row, (old, new) in enumerate(zip(before, after, strict=True)):
            if old != new:
                self.update(self._painter.row_rect(box, len(after), row, (old, new)))
