"""The caption overlay: a frameless, always-on-top, translucent bar showing the last lines.

Locking makes it click-through (``Qt.WindowTransparentForInput``) so it can sit over a meeting
window without ever taking a click; it is unlocked from the tray or the main window, since a
locked overlay cannot receive one. The desktop decides how it is made (``core/desktop.py``).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QMoveEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QSizeGrip, QWidget

from caption_app.core.caption_lines import CaptionLines, Line, fit_message, line_text
from caption_app.core.desktop import OverlayPlan
from caption_app.core.model.status import SessionStatus
from caption_app.core.model.turns import TurnUpdate, UpdateKind, line_tag, shown_text
from caption_app.core.settings import OverlayStyle
from caption_app.qt.settings_store import SettingsStore
from caption_app.ui.overlay import geometry as overlay_geometry
from caption_app.ui.overlay import keys as overlay_keys
from caption_app.ui.overlay import x11
from caption_app.ui.overlay.lines import CaptionPainter
from caption_app.ui.overlay.message import badge, overlay_message
from caption_app.ui.overlay.tags import OverlayTags

MIN_WIDTH = 240
FOCUS_WAIT_MS = 500  # how long the desktop gets to give the overlay the keyboard
GRIP_SIZE = 16
WINDOW_FLAGS = (
    Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.Tool  # no taskbar entry
    | Qt.WindowType.WindowDoesNotAcceptFocus  # never takes the keyboard from the meeting
)

PLACE_SETTLE_MS = 500
FIRST_HINT = "Captions appear here. Start: Ctrl+Shift+S"
LISTENING = "Listening…"
"""Live, and nothing said yet: the overlay says it hears, so a quiet room is not an outage."""


class CaptionOverlay(QWidget):
    """Shows the recent turns; drag it by its body and widen it by the corner grip."""

    lockedChanged = Signal(bool)
    keyboardDone = Signal()
    """Keyboard moving ended (Esc or Enter): the caller gives the focus back."""
    keyboardRefused = Signal()
    """The desktop would not give the overlay the keyboard: moving by keyboard did not start."""
    placeChanged = Signal()
    """Moved or resized (by the person or the keyboard), settled for a moment: worth saving."""
    dockChanged = Signal(str)
    """Docked at "top" or "bottom", or back to "floating" (it may wait aside meanwhile)."""
    lockRefused = Signal(str)
    """Lock was asked for where clicks cannot pass through the overlay: why, in a sentence."""

    def __init__(self, parent: QWidget | None = None, plan: OverlayPlan | None = None) -> None:
        self._plan = plan or OverlayPlan(unmanaged=False, stays_on_top=None, click_through=True)
        flags = WINDOW_FLAGS
        if self._plan.unmanaged:  # placed and kept above by the compositor, moved by the app
            flags |= Qt.WindowType.X11BypassWindowManagerHint
        super().__init__(parent, flags)
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
        self._tags = OverlayTags(self)
        self._badge = self._tags.badge  # tests find it by its object name, "engine-badge"
        self._hint = FIRST_HINT
        """Shown until the first session starts, so an empty overlay says what to do."""
        self._drag_from: QPoint | None = None
        self._home = overlay_geometry.Home()
        self._aside = False
        self._tell_window_manager = False
        """Shown again: the window manager's frame is new, say what Qt cannot (``x11``)."""
        self._keyboard = False
        self._was_locked = False
        self._silence = QTimer(self)
        self._silence.setSingleShot(True)
        self._silence.timeout.connect(self.clear)
        self._settled = QTimer(self)  # one save after a drag, not one per pixel of it
        self._settled.setSingleShot(True)
        self._settled.setInterval(PLACE_SETTLE_MS)
        self._settled.timeout.connect(self.placeChanged)
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
        tag = line_tag(update.turn, self._model.captions).upper()
        if update.turn.language and tag != self._tags.language.text():
            self._tags.set_language(tag)
            self._invalidate()
        if update.kind is UpdateKind.FINISHED and self.speaking():
            self._set_speaking(False)
        if not self._model.apply(update):
            return
        if update.kind in (UpdateKind.FINISHED, UpdateKind.REPLACED):
            # Screen readers get each finished sentence once, not every partial.
            self.setAccessibleDescription(shown_text(update.turn, self._model.captions).main)
        elif update.kind is UpdateKind.TRANSLATED and update.turn.translation is not None:
            self.setAccessibleDescription(update.turn.translation.text)
        self._repaint_changed_rows()
        if self._silence.interval() > 0:
            self._silence.start()

    @Slot(object)
    def show_status(self, status: SessionStatus) -> None:
        """Say what is true of the session now: a dim line whenever captions are not simply
        flowing (connecting, paused, stopped…), and the "On this computer" badge while the
        local engine stands in for the cloud."""
        hint = self._hint
        if status.running:
            hint = LISTENING if status.live and not self._model.visible_segments() else ""
        elif hint == LISTENING:
            hint = ""
        message = overlay_message(status)
        if hint != self._hint or message != self._status:
            self._hint, self._status = hint, message
            if message:
                self.setAccessibleDescription(message)
            self._invalidate()
        if not status.live and self.speaking():
            self._set_speaking(False)  # a lost or paused connection hears nobody
        shown = badge(status)
        if shown != self.badge():
            self._tags.set_badge(shown)
            self.setAccessibleDescription(shown or "Live captions")
            self._invalidate()  # the lines wrap short of the badge while it is shown

    def status(self) -> str:
        return self._status

    @Slot()
    def show_speech_started(self) -> None:
        """Someone started speaking; their words may take a while (few partials)."""
        self._set_speaking(True)

    def speaking(self) -> bool:
        return bool(self._tags.shown(self._tags.speaking))

    def _set_speaking(self, on: bool) -> None:
        self._tags.set_speaking(on)
        self._invalidate()

    def set_captions(self, captions: str) -> None:
        """Where turns are translated: the translation under each line, or alone."""
        if captions != self._model.captions:
            self._model.captions = captions
            self._invalidate()

    def language_tag(self) -> str:
        """The detected-language tag while it is shown, else ""."""
        return self._tags.shown(self._tags.language)

    def badge(self) -> str:
        """The badge's text while it is shown, else ""."""
        return self._tags.shown(self._tags.badge)

    def _text_box_width(self) -> int:
        """The width lines are wrapped to: all of it, or up to the tags so they hide no word."""
        left = self._tags.left_edge()
        return self.width() if left is None else max(1, left - 4)

    @Slot()
    def clear(self) -> None:
        self._silence.stop()
        self._model.clear()
        self._tags.set_speaking(False)
        self._tags.set_language("")
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
            width = self._text_box_width()
            lines = self._painter.layout(self._model.visible_segments(), width)
            status = overlay_keys.HELP if self._keyboard else self._status
            if not status and not lines:
                status = self._hint
            if status:
                # The message wraps at whole words (never "…captions appea"); the newest
                # caption lines keep the rows it does not need.
                rows = self._painter.style.lines
                said = self._fit(status, rows)
                room = max(0, rows - len(said))
                lines = [*(lines[len(lines) - room :] if room else []), *said]
            self._lines = lines
        return self._lines

    def _fit(self, message: str, max_lines: int) -> list[Line]:
        width = self._painter.text_width(self._text_box_width())
        return fit_message(message, width, self._painter.advance, max(1, max_lines))

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
        self._home.set_height(self.height())
        self._set_dock(style.dock)
        self._invalidate()

    # --- docked at an edge of the screen ----------------------------------------------------

    def docked(self) -> str:
        """ "top" or "bottom" while docked, else "floating"."""
        return self._home.dock

    def _set_dock(self, dock: str) -> None:
        """Dock at ``dock`` or float; docked at the same edge again, it is placed and the edge
        reserved again for its height (a style change: it grew off the screen's top edge)."""
        if dock == self._home.dock == "floating":
            return
        home = self._home.docked_at(dock, self.geometry())
        self._grip.setVisible(dock == "floating" and not self._locked)
        if home is None:
            self.reset_position()
        elif self._home.left is None:  # (else it goes home once the dialog closes)
            self.setGeometry(home)
        if self.isVisible():
            x11.reserve_edge(int(self.winId()), dock, self._home.of(self.geometry()))
        self.dockChanged.emit(dock)

    def style_in_use(self) -> OverlayStyle:
        return self._painter.style

    # --- lock (click-through) -----------------------------------------------------------------

    @Slot(bool)
    def set_locked(self, locked: bool) -> None:
        if locked == self._locked:
            return
        if locked and not self._plan.click_through:
            self.lockRefused.emit(self._plan.no_click_through)
            self.lockedChanged.emit(False)  # a checked Lock switch goes back off
            return
        self._locked = locked
        self._let_clicks_through(locked or self._aside)
        self.lockedChanged.emit(locked)

    def step_aside(self, place: QRect | None, *, clicks_through: bool = False) -> None:
        """Make way for one of Caption App's dialogs that fits nowhere else
        (``stepping_aside.py``): move to ``place`` meanwhile, or let clicks through when no
        place is free; ``None`` comes back. The lock is the person's and stays as it was."""
        home = self._home
        if place is not None or clicks_through:
            if home.left is None:
                home.left = self.geometry()
            if place is not None:
                self.setGeometry(place)
        elif home.left is not None:
            self.setGeometry(home.left)
            home.left = None
        self._aside = clicks_through
        self._let_clicks_through(self._locked or clicks_through)

    def _let_clicks_through(self, through: bool) -> None:
        flags = self.windowFlags()
        if bool(flags & Qt.WindowType.WindowTransparentForInput) == through:
            return
        self._set_window_flag(Qt.WindowType.WindowTransparentForInput, through)
        self._grip.setVisible(not through and self._home.dock == "floating")
        if self.isVisible():  # the same window in the same frame: shape the frame now
            x11.pass_clicks_through_frames(int(self.winId()), through=through)

    def _set_window_flag(self, flag: Qt.WindowType, on: bool) -> None:
        """Change one flag of the shown window in place. ``QWidget.setWindowFlag`` hides the
        window and shows it anew: mutter then drops a locked overlay from the screen, and
        compositors that place windows themselves put it back elsewhere."""
        flags = self.windowFlags() | flag if on else self.windowFlags() & ~flag
        self.overrideWindowFlags(flags)  # what the widget reports, without re-creating it
        handle = self.windowHandle()
        if handle is not None:
            handle.setFlags(flags)

    def plan(self) -> OverlayPlan:
        """How this overlay was made for the desktop, and whether Lock works there."""
        return self._plan

    def lets_clicks_through(self) -> bool:
        return bool(self.windowFlags() & Qt.WindowType.WindowTransparentForInput)

    def is_locked(self) -> bool:
        return self._locked

    # --- position -----------------------------------------------------------------------------

    @Slot()
    def reset_position(self) -> None:
        """Back to the bottom of the primary screen, unlocked and shown: the way out for a
        person who cannot find it or cannot drag (keyboard only)."""
        self.set_locked(False)
        primary = QGuiApplication.primaryScreen()
        if self._home.dock == "floating":
            geometry = overlay_geometry.default_geometry(primary, self.height(), MIN_WIDTH)
            self.setGeometry(geometry)
        else:
            self.setGeometry(overlay_geometry.docked(self.geometry(), self._home.dock))
        self.show()

    @Slot()
    def keep_on_screen(self) -> None:
        """After a screen went away: pull the overlay back onto one that is there."""
        area = overlay_geometry.screen_of(self.geometry()).availableGeometry()
        self.setGeometry(overlay_geometry.clamped(self.geometry(), area))

    def save_geometry(self, store: SettingsStore) -> None:
        if self._home.dock == "floating":  # a docked overlay's place is its edge
            overlay_geometry.save_geometry(store, self._home.of(self.geometry()))

    def restore_geometry(self, store: SettingsStore) -> None:
        """Where it floated last; docked, it goes back there later and sits at its edge now
        (the fifth walk: it floated at the bottom, reserving the top 920 px of the screen)."""
        place = overlay_geometry.restored_geometry(store, self.height(), MIN_WIDTH)
        if self._home.dock != "floating":
            self._home.floated_at = place
            place = overlay_geometry.docked(place, self._home.dock)
        self.setGeometry(place)

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
        self._set_window_flag(Qt.WindowType.WindowDoesNotAcceptFocus, not focusable)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if focusable else Qt.FocusPolicy.NoFocus)

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

    def showEvent(self, event: QShowEvent) -> None:
        self._tell_window_manager = True  # once its frame is there: at the first paint
        super().showEvent(event)

    def _told_window_manager(self) -> None:
        """Mapped in a (new) frame: keep it off task lists, let clicks through the frame
        while locked, and reserve the docked edge (X11; nothing elsewhere)."""
        self._tell_window_manager = False
        window = int(self.winId())
        x11.keep_off_the_taskbar(window)
        if self.lets_clicks_through():
            x11.pass_clicks_through_frames(window, through=True)
        if self._home.dock != "floating":
            x11.reserve_edge(window, self._home.dock, self.geometry())

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._tell_window_manager:
            self._told_window_manager()
        painter = QPainter(self)
        try:
            self._painter.paint(painter, QRectF(self.rect()), self.rendered_runs(), event.rect())
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._grip.move(self.width() - self._grip.width(), self.height() - self._grip.height())
        self._tags.place()
        self._invalidate()
        if self.isVisible():
            self._settled.start()
        super().resizeEvent(event)

    def moveEvent(self, event: QMoveEvent) -> None:
        if self.isVisible():
            self._settled.start()
        super().moveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._home.dock != "floating":
            return  # a docked overlay stays at its edge
        handle = self.windowHandle()
        # The window manager moves it where it can (Wayland allows nothing else); no window
        # manager handles an unmanaged window, so that one moves itself.
        if not self._plan.unmanaged and handle is not None and handle.startSystemMove():
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
