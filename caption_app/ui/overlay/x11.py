"""What Qt cannot tell an X11 window manager about the overlay: click-through that holds under a
reparenting window manager, no taskbar entry, and the strut a docked overlay reserves.

- Qt's ``WindowTransparentForInput`` empties the input shape of the overlay's own window, but a
  reparenting window manager (openbox, xfwm4, KWin and mutter on X11) wraps it in a frame
  window of its own that still takes the click. While locked, the frames around the overlay
  get an empty input shape too (the SHAPE extension), so clicks reach the window below.
- ``_NET_WM_STATE_SKIP_TASKBAR`` / ``_SKIP_PAGER``: a Tool window is not always kept out of a
  panel's task list (LXQt lists it).
- ``_NET_WM_STRUT_PARTIAL`` (and ``_NET_WM_STRUT``): a docked overlay reserves its edge of the
  screen, so maximised windows are not covered (EWMH).

Only on the ``xcb`` platform; python-xlib is imported on first use. Elsewhere every call does
nothing (Wayland has its own ways; see the README).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)


def available() -> bool:
    return QGuiApplication.platformName() == "xcb"


@functools.cache
def _connection() -> Any:
    """One connection of our own to the X server, opened on first use."""
    from caption_app.qt.xlib_display import open_display

    return open_display()


def _frames(window_id: int) -> list[Any]:
    """The window manager's windows around ours, up to (not including) the root."""
    d = _connection()
    window = d.create_resource_object("window", window_id)
    root = d.screen().root.id
    frames = []
    for _ in range(8):  # a frame is one or two windows deep; bounded all the same
        parent = window.query_tree().parent
        if parent is None or parent.id in (0, root):
            break
        frames.append(parent)
        window = parent
    return frames


def pass_clicks_through_frames(window_id: int, through: bool) -> bool:
    """Empty (or restore) the input shape of the frames around the overlay's window."""
    if not available():
        return False
    try:
        from Xlib.ext import shape

        frames = _frames(window_id)
        for frame in frames:
            if through:
                frame.shape_rectangles(shape.SO.Set, shape.SK.Input, 0, 0, 0, [])
            else:
                frame.shape_mask(shape.SO.Set, shape.SK.Input, 0, 0, 0)  # no mask: all of it
        _connection().flush()
    except Exception:  # the X server or the window manager went away: nothing to shape
        log.info("could not shape the overlay's frames", exc_info=True)
        return False
    return bool(frames)


def keep_off_the_taskbar(window_id: int) -> None:
    """Ask the window manager (EWMH client message) to keep the overlay off task lists."""
    if not available():
        return
    try:
        from Xlib import X
        from Xlib.protocol import event

        d = _connection()
        root = d.screen().root
        state = d.intern_atom("_NET_WM_STATE")
        for name in ("_NET_WM_STATE_SKIP_TASKBAR", "_NET_WM_STATE_SKIP_PAGER"):
            message = event.ClientMessage(
                window=d.create_resource_object("window", window_id),
                client_type=state,
                data=(32, [1, d.intern_atom(name), 0, 1, 0]),  # 1 = add; 1 = from an application
            )
            mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
            root.send_event(message, event_mask=mask)
        d.flush()
    except Exception:
        log.info("could not keep the overlay off the taskbar", exc_info=True)


def reserve_edge(window_id: int, dock: str, geometry: QRect) -> None:
    """Reserve the overlay's strip of the screen (``dock`` "top" / "bottom"), or nothing."""
    if not available():
        return
    try:
        from Xlib import Xatom

        d = _connection()
        window = d.create_resource_object("window", window_id)
        partial, whole = d.intern_atom("_NET_WM_STRUT_PARTIAL"), d.intern_atom("_NET_WM_STRUT")
        if dock not in ("top", "bottom"):
            window.delete_property(partial)
            window.delete_property(whole)
            d.flush()
            return
        # Struts count from the edge of the whole X screen (the root window).
        root = d.screen()
        x0, x1 = geometry.left(), geometry.right()
        if dock == "top":
            top = geometry.bottom() + 1
            values = [0, 0, top, 0, 0, 0, 0, 0, x0, x1, 0, 0]
        else:
            bottom = root.height_in_pixels - geometry.top()
            values = [0, 0, 0, bottom, 0, 0, 0, 0, 0, 0, x0, x1]
        window.change_property(partial, Xatom.CARDINAL, 32, values)
        window.change_property(whole, Xatom.CARDINAL, 32, values[:4])
        d.flush()
    except Exception:
        log.info("could not reserve the screen edge for the overlay", exc_info=True)
