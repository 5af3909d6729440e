"""Where the overlay sits: remembered per screen, restored onto a screen that still exists.

A screen is known by its name and geometry, so a monitor that was unplugged, or whose
resolution changed, counts as gone. The settings store keeps one place per screen, so docking
and undocking a laptop brings the overlay back to where it was on each screen.

``Home`` is where it lives (floating at a place, or docked at an edge with its floating place
kept), apart from where it waits while one of the app's dialogs needs its place.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QGuiApplication, QScreen

from caption_app.qt.settings_store import OverlayPlace, SettingsStore

DEFAULT_WIDTH_SHARE = 0.6
"""A new overlay spans this share of the screen's width."""
BOTTOM_MARGIN_SHARE = 0.08
"""...and sits this share of the screen's height above its bottom edge."""


def screen_id(screen: QScreen) -> str:
    g = screen.geometry()
    raw = f"{screen.name() or 'screen'}_{g.width()}x{g.height()}_{g.x()}_{g.y()}"
    return re.sub(r"[^A-Za-z0-9_-]", "_", raw)  # QSettings treats / and \ as separators


def screen_of(rect: QRect) -> QScreen:
    return QGuiApplication.screenAt(rect.center()) or QGuiApplication.primaryScreen()


def docked(current: QRect, edge: str) -> QRect:
    """Across the whole width of its screen, at its ``edge`` ("top" or "bottom")."""
    area = screen_of(current).geometry()
    rect = QRect(area.left(), area.top(), area.width(), current.height())
    if edge == "bottom":
        rect.moveBottom(area.bottom())
    return rect


def undocked(floated_at: QRect) -> QRect:
    """Back where it floated before it was docked, on the screen's whole area: the area
    left free by other windows' docks still leaves out the overlay's own docked edge now
    (the third walk: the default place, worked out then, put it 100 px up, over the main
    window)."""
    return clamped(floated_at, screen_of(floated_at).geometry())


class Home:
    def __init__(self) -> None:
        self.dock = "floating"
        self.floated_at: QRect | None = None
        """Where it floated before it was docked: where it goes back to."""
        self.left: QRect | None = None
        """Where it was when it stepped aside for a dialog: where it goes back to then."""

    def of(self, current: QRect) -> QRect:
        """Its home, ``current`` unless it waits aside for a dialog."""
        return self.left if self.left is not None else current

    def set_height(self, height: int) -> None:
        """A new style's height: the places it goes back to grow upwards too, as it does."""
        self.left = _with_height(self.left, height)
        self.floated_at = _with_height(self.floated_at, height)

    def docked_at(self, dock: str, current: QRect) -> QRect | None:
        """Dock at ``dock`` ("floating" undocks): its new home (``None``: the default place,
        no floating place being known). Docked from Settings while it made way for them, it
        docks from its home, not from where it waited (the sixth walk: it went back to float
        over the main window, the edge reserved for nothing)."""
        was, self.dock = self.dock, dock
        home = self.of(current)
        if dock != "floating":
            if was == "floating":
                self.floated_at = home
            home = docked(home, dock)
        elif was != "floating":
            if self.floated_at is None:
                return None
            home = undocked(self.floated_at)
        if self.left is not None:
            self.left = home  # it goes there once the dialog is closed
        return home


def _with_height(place: QRect | None, height: int) -> QRect | None:
    """``place`` grown or shrunk upwards to ``height`` (its bottom stays)."""
    if place is None:
        return None
    return QRect(place.x(), place.bottom() + 1 - height, place.width(), height)


def save_geometry(store: SettingsStore, rect: QRect) -> None:
    store.save_overlay_place(
        screen_id(screen_of(rect)), OverlayPlace(rect.x(), rect.y(), rect.width())
    )


def restored_geometry(store: SettingsStore, height: int, min_width: int) -> QRect:
    """The saved place on the last screen if it still exists, else on another remembered
    screen, else the bottom centre of the primary screen; always clamped to be visible."""
    primary = QGuiApplication.primaryScreen()
    screens = {screen_id(s): s for s in QGuiApplication.screens()}
    order = [store.last_overlay_screen(), screen_id(primary), *screens]
    for sid in order:
        screen = screens.get(sid)
        saved = store.overlay_place(sid) if screen is not None else None
        if screen is not None and saved is not None:
            rect = QRect(saved.x, saved.y, max(saved.width, min_width), height)
            return clamped(rect, screen.availableGeometry())
    return default_geometry(primary, height, min_width)


def default_geometry(screen: QScreen, height: int, min_width: int) -> QRect:
    area = screen.availableGeometry()
    width = max(min_width, round(area.width() * DEFAULT_WIDTH_SHARE))
    bottom = area.bottom() - round(area.height() * BOTTOM_MARGIN_SHARE)
    rect = QRect(0, 0, width, height)
    rect.moveCenter(QPoint(area.center().x(), 0))
    rect.moveBottom(bottom)
    return clamped(rect, area)


def clamped(rect: QRect, area: QRect) -> QRect:
    """Shrink to fit and move inside ``area`` so the whole overlay can be seen and grabbed."""
    out = QRect(rect)
    out.setWidth(min(rect.width(), area.width()))
    out.setHeight(min(rect.height(), area.height()))
    out.moveLeft(max(area.left(), min(out.left(), area.right() - out.width() + 1)))
    out.moveTop(max(area.top(), min(out.top(), area.bottom() - out.height() + 1)))
    return out
