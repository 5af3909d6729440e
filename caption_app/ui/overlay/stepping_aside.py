"""Caption App's own dialogs open where the overlay is not.

The overlay stays on top of everything, so a dialog opened under it (Export's file types, the
key dialog's buttons, Settings) would be covered and its clicks swallowed. Each dialog of the
application is placed, as it is shown, above or below the overlay on the same screen (or beside
it). A dialog too big for that makes the overlay step aside: it moves to the top or bottom edge
of the screen away from the dialog until the dialog closes, and where even that is not free it
lets clicks through meanwhile.

The main window is placed the same way when it first opens (a laptop's screen leaves the
overlay's first place across the window's foot, where Start and the status line are); later it
stays wherever the person puts it, except out of the edge the overlay docks at (a window
manager leaves a window already open under a new reserved edge).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

from caption_app.ui.overlay import geometry as overlay_geometry
from caption_app.ui.overlay.window import CaptionOverlay

FRAME_ALLOWANCE = 32
"""The window manager's title bar and borders, not known before the dialog is mapped."""
GAP = 8
WINDOW_MANAGER_WAIT_MS = 500
"""How long the main window's first place waits for a window manager that never moves it."""
SETTLE_MS = 1500
"""A dialog moved this soon after it is shown was placed by the window manager, which may come
after the app's own placing on a busy machine (the seventh walk: openbox centred Settings on
the main window, under the overlay): it is placed again,"""
MOVES_SETTLE_MS = 150
"""...once its moves have settled: the window system may first report a place it has left
(the fifth walk's "at 0, 0"), then the one it is at."""


def free_place(dialog: QRect, overlay: QRect, area: QRect) -> QRect | None:
    """Where ``dialog`` (its frame allowed for) can go in ``area`` without covering
    ``overlay``: moved as little as possible. None when it fits nowhere."""
    framed = dialog.adjusted(0, -FRAME_ALLOWANCE, 0, 0)
    if not framed.intersects(overlay):
        # Clear of it: nearer than a moved one's gap is no reason to move; off the screen's
        # edge is (the seventh walk: Export's foot 15 px past the bottom).
        inside = _inside(framed, area)
        if inside.intersects(overlay):
            return dialog  # (too tall to fit between them: it stays clear of the overlay)
        return inside.adjusted(0, FRAME_ALLOWANCE, 0, 0)
    candidates = []
    above = framed.translated(0, overlay.top() - GAP - framed.bottom() - 1)
    below = framed.translated(0, overlay.bottom() + GAP + 1 - framed.top())
    left = framed.translated(overlay.left() - GAP - framed.right() - 1, 0)
    right = framed.translated(overlay.right() + GAP + 1 - framed.left(), 0)
    for place, sideways in ((above, False), (below, False), (left, True), (right, True)):
        inside = _inside(place, area)
        if sideways and inside.top() != framed.top():
            continue  # moved both ways, to the screen's edge (the third walk: x = 0)
        if area.contains(inside) and not inside.intersects(overlay):
            candidates.append(inside)
    if not candidates:
        return None
    best = min(candidates, key=lambda r: (r.center() - framed.center()).manhattanLength())
    return best.adjusted(0, FRAME_ALLOWANCE, 0, 0)


def overlay_place(overlay: QRect, dialog: QRect, area: QRect) -> QRect | None:
    """Where the overlay can wait, at the top or bottom edge of ``area``, clear of ``dialog``."""
    for top in (area.top(), area.bottom() - overlay.height() + 1):
        place = QRect(overlay.left(), top, overlay.width(), overlay.height())
        if not place.intersects(dialog):
            return place
    return None


def _inside(rect: QRect, area: QRect) -> QRect:
    """``rect`` slid (not resized) into ``area`` where it can be."""
    out = QRect(rect)
    out.moveLeft(max(area.left(), min(out.left(), area.right() - out.width() + 1)))
    out.moveTop(max(area.top(), min(out.top(), area.bottom() - out.height() + 1)))
    return out


class DialogsStepAside(QObject):
    """Installed on the application: watches every dialog of it being shown or closed."""

    def __init__(self, overlay: CaptionOverlay) -> None:
        super().__init__(overlay)
        self._overlay = overlay
        self._letting_through: set[QDialog] = set()
        self._moved_to: dict[QDialog, QRect] = {}
        """Where a dialog being shown was just moved: until the window system reports the
        move, Qt may still give its first place (the fifth walk: looked at again a moment
        later, the key dialog was "at 0, 0" and moved to the screen's left edge)."""
        self._window_to_place: QMainWindow | None = None
        self._window_placed = False
        self._window: QMainWindow | None = None
        self._undocked = False
        """Back to floating, and the main window not yet moved out of its way."""
        overlay.dockChanged.connect(self._dock_changed)
        overlay.placeChanged.connect(self._keep_the_main_window_clear)
        self._settling: dict[QDialog, QElapsedTimer] = {}
        """Dialogs shown a moment ago: a move now is the window manager's placing."""
        self._looks: dict[QDialog, QTimer] = {}
        """A look at each settling dialog once its moves have settled."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QMainWindow):
            self._window = watched
            if not self._window_placed:
                self._first_show(watched, event)
        if isinstance(watched, QDialog) and watched.isWindow():
            if event.type() == QEvent.Type.Show:
                self._place(watched)
                self._settling[watched] = shown = QElapsedTimer()
                shown.start()
                # Once laid out and placed by the window manager, look again (a dialog that
                # grows to its messages, one the window manager centred after all).
                QTimer.singleShot(0, lambda dialog=watched: self._place_again(dialog))
            elif event.type() == QEvent.Type.Move and self._placed_by_window_manager(watched):
                self._look_once_settled(watched)
            elif event.type() == QEvent.Type.Hide:
                self._settling.pop(watched, None)
                if (look := self._looks.pop(watched, None)) is not None:
                    look.stop()
                    look.deleteLater()
                if watched in self._letting_through:
                    self._letting_through.discard(watched)
                    if not self._letting_through:
                        self._overlay.step_aside(None)
                        # Home already (docked from the dialog): no move will say so.
                        QTimer.singleShot(0, self._keep_the_main_window_clear)
        return False

    def _placed_by_window_manager(self, dialog: QDialog) -> bool:
        shown = self._settling.get(dialog)
        if shown is None or shown.hasExpired(SETTLE_MS):
            self._settling.pop(dialog, None)
            return False
        return True

    def _look_once_settled(self, dialog: QDialog) -> None:
        look = self._looks.get(dialog)
        if look is None:
            look = self._looks[dialog] = QTimer(self)
            look.setSingleShot(True)
            look.setInterval(MOVES_SETTLE_MS)
            look.timeout.connect(lambda: self._look_after_moves(dialog))
        look.start()  # (again: from the last move)

    def _look_after_moves(self, dialog: QDialog) -> None:
        if shiboken6.isValid(dialog) and dialog.isVisible() and dialog not in self._letting_through:
            self._place(dialog)

    def _place_again(self, dialog: QDialog) -> None:
        if not shiboken6.isValid(self._overlay):  # the overlay (and this watcher) went first
            return
        moved_to = self._moved_to.pop(dialog, None)
        if shiboken6.isValid(dialog) and dialog.isVisible() and dialog not in self._letting_through:
            self._place(dialog, moved_to)
        self._moved_to.pop(dialog, None)  # (kept only between a show and its second look)

    def _first_show(self, window: QMainWindow, event: QEvent) -> None:
        """Place the main window once the window manager has (its first move after it is
        shown; at the latest a moment after, for a manager that leaves it where it was)."""
        if event.type() == QEvent.Type.Show:
            self._window_to_place = window
            QTimer.singleShot(WINDOW_MANAGER_WAIT_MS, lambda: self._place_window(window))
        elif event.type() == QEvent.Type.Move and self._window_to_place is window:
            QTimer.singleShot(0, lambda: self._place_window(window))

    def _place_window(self, window: QMainWindow) -> None:
        if self._window_placed or self._window_to_place is not window:
            return
        self._window_placed, self._window_to_place = True, None
        overlay = self._overlay
        if not (shiboken6.isValid(overlay) and shiboken6.isValid(window)):
            return
        if not overlay.isVisible() or not window.isVisible():
            return
        self._place_window_clear(window)

    def _place_window_clear(self, window: QMainWindow) -> None:
        area = _screen_of(window).availableGeometry()
        place = free_place(window.geometry(), self._overlay.frameGeometry(), area)
        if place is not None and place.topLeft() != window.geometry().topLeft():
            window.move(window.pos() + QPoint(place.topLeft() - window.geometry().topLeft()))

    def _keep_the_main_window_clear(self) -> None:
        """The overlay docked, or back to floating, at its home (not waiting aside for a
        dialog): the main window moves out of its way. A person's drag of the floating
        overlay over the main window moves nothing."""
        overlay, window = self._overlay, self._window
        if window is None or not shiboken6.isValid(window) or not window.isVisible():
            return
        if self._letting_through or overlay.frameGeometry() != overlay_home(overlay):
            return  # (waiting aside for a dialog: not yet)
        dock = overlay.docked()
        if dock != "floating":
            self._clear_the_docked_edge(window, dock)
        elif self._undocked:
            # Back where it floated, which may be where the main window went meanwhile (the
            # eighth walk: over its menu bar and toolbar, their clicks lost).
            self._undocked = False
            self._place_window_clear(window)

    def _dock_changed(self, dock: str) -> None:
        self._undocked = dock == "floating"
        if self._letting_through and dock != "floating":
            # Docked (Apply) while a dialog too big for the screen has its place: it takes its
            # edge now, letting clicks through to the dialog (the seventh walk: nothing showed
            # until OK). It goes home as usual once the dialog closes.
            self._overlay.step_aside(overlay_home(self._overlay), clicks_through=True)

    def _clear_the_docked_edge(self, window: QMainWindow, dock: str) -> None:
        """Docked, the overlay reserves its edge, yet openbox leaves a window that is open
        already under it (the seventh walk: on a 1280x800 screen the main window's title and
        menu bar lay under the bar, their clicks lost): the main window moves clear of it."""
        bar = self._overlay.frameGeometry()
        frame = window.frameGeometry()
        if not frame.intersects(bar):
            return
        screen = _screen_of(window).geometry()
        free = QRect(screen)
        if dock == "top":
            free.setTop(bar.bottom() + 1)
        else:
            free.setBottom(bar.top() - 1)
        borders = frame.height() - window.height()  # the title bar and frame
        height = min(frame.height(), free.height())  # shorter, if it must be, to fit
        window.resize(window.width(), height - borders)
        top = free.top() if dock == "top" else free.bottom() - height + 1
        window.move(frame.left(), top)

    def _place(self, dialog: QDialog, moved_to: QRect | None = None) -> None:
        overlay = self._overlay
        if not overlay.isVisible():
            return
        screen = _screen_of(dialog)
        area = screen.availableGeometry()
        opens = _where_it_opens(dialog, area)
        if moved_to is not None:
            opens.moveTopLeft(moved_to.topLeft())  # its size as laid out now
        place = free_place(opens, overlay.frameGeometry(), area)
        if place is None:
            self._letting_through.add(dialog)
            framed = opens.adjusted(0, -FRAME_ALLOWANCE, 0, 0)
            aside = overlay_place(overlay.geometry(), framed, area)
            overlay.step_aside(aside, clicks_through=aside is None)
        elif place.topLeft() != dialog.geometry().topLeft() or not dialog.testAttribute(
            Qt.WidgetAttribute.WA_Moved
        ):
            dialog.move(dialog.pos() + QPoint(place.topLeft() - dialog.geometry().topLeft()))
            self._moved_to[dialog] = place


def _where_it_opens(dialog: QDialog, area: QRect) -> QRect:
    """The dialog's place, or, while it has none yet (Qt and the window manager centre it
    on its window only after it is shown), the middle of its window: placed from the corner
    it is at before, it was moved to the screen's left edge (walks 3 and 4)."""
    rect = QRect(dialog.geometry())
    parent = dialog.parentWidget()
    if dialog.testAttribute(Qt.WidgetAttribute.WA_Moved) or parent is None:
        return rect
    rect.moveCenter(parent.window().frameGeometry().center())
    return _inside(rect, area)


def overlay_home(overlay: CaptionOverlay) -> QRect:
    """Where the overlay is at home: docked, across its edge; floating, where it is (it
    waits aside only while the watcher lets a dialog have its place)."""
    place = overlay.frameGeometry()
    dock = overlay.docked()
    return place if dock == "floating" else overlay_geometry.docked(place, dock)


def _screen_of(window: QWidget) -> QScreen:
    return QGuiApplication.screenAt(window.geometry().center()) or QGuiApplication.primaryScreen()


def watch_dialogs(overlay: CaptionOverlay, app: QWidget | QObject) -> DialogsStepAside:
    watcher = DialogsStepAside(overlay)
    app.installEventFilter(watcher)
    return watcher
