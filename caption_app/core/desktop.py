"""The desktop session Caption App runs in, and how the overlay can stay on top there.

Qt-free decisions, from the environment a desktop session sets and the Qt platform in use:

- **Which Qt platform.** In a Wayland session no compositor lets a Wayland client keep a
  window above the others (xdg-shell has no such request), and weston, KWin and mutter ignore
  a Wayland window's position too. Through XWayland (Qt's ``xcb`` platform) the overlay stays on
  top under all three, measured by pixels in ``tests/wayland/``. So a Wayland session with an
  X server (``DISPLAY``) runs the app on ``xcb``, unless the person chose a platform themselves
  (``QT_QPA_PLATFORM``).
- **What kind of X window.** Under mutter (GNOME) a managed utility window stays on top, keeps
  its place and lets clicks through when locked (mutter honours the X input shape). KWin hides
  utility windows whenever their app is inactive, and weston places managed X windows itself, so
  there the overlay is an unmanaged (override-redirect) X window, which both draw on top at the
  place it asks for; neither passes a click through an X window's empty input shape, so Lock is
  not offered there.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class SessionKind(StrEnum):
    X11 = "X11"
    WAYLAND = "Wayland"
    XWAYLAND = "Wayland through XWayland"
    NONE = "no desktop"
    """Qt's offscreen or another display-less platform."""


class Compositor(StrEnum):
    MUTTER = "mutter"
    """GNOME Shell's compositor."""
    KWIN = "kwin"
    """KDE Plasma's compositor."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Desktop:
    session: SessionKind
    compositor: Compositor

    @property
    def name(self) -> str:
        """How the desktop is named to a person: "GNOME (Wayland through XWayland)"."""
        label = {Compositor.MUTTER: "GNOME", Compositor.KWIN: "KDE Plasma"}.get(
            self.compositor, "this desktop"
        )
        if self.session is SessionKind.NONE:
            return "this desktop"
        return f"{label} ({self.session.value})"


def _is_wayland_session(env: Mapping[str, str]) -> bool:
    return env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(env.get("WAYLAND_DISPLAY"))


def compositor_of(env: Mapping[str, str]) -> Compositor:
    """From ``XDG_CURRENT_DESKTOP`` (``ubuntu:GNOME``, ``KDE``), else the session's name."""
    names = [
        *env.get("XDG_CURRENT_DESKTOP", "").lower().split(":"),
        env.get("XDG_SESSION_DESKTOP", "").lower(),
        env.get("DESKTOP_SESSION", "").lower(),
    ]
    if any(n in ("gnome", "gnome-classic", "gnome-flashback", "unity") for n in names):
        return Compositor.MUTTER
    if any(n in ("kde", "plasma", "plasmawayland") for n in names):
        return Compositor.KWIN
    return Compositor.OTHER


def read_desktop(qt_platform: str, environ: Mapping[str, str] | None = None) -> Desktop:
    """The session as the running app sees it, given Qt's platform name."""
    env = os.environ if environ is None else environ
    if qt_platform.startswith("wayland"):
        session = SessionKind.WAYLAND
    elif qt_platform == "xcb":
        session = SessionKind.XWAYLAND if _is_wayland_session(env) else SessionKind.X11
    else:
        session = SessionKind.NONE
    return Desktop(session, compositor_of(env))


def _x_server_reachable(display: str) -> bool:
    """Whether ``DISPLAY`` names a local X server that is listening (its socket exists, or
    Linux's abstract socket of the same name is bound: both are tried by Xlib)."""
    if not display.startswith(":"):
        return bool(display)  # host:display; trust it, as Xlib would
    number = display[1:].split(".", maxsplit=1)[0]
    if not number.isdigit():
        return False
    if os.path.exists(f"/tmp/.X11-unix/X{number}"):  # noqa: S108 - the X11 socket directory
        return True
    import socket

    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(f"\0/tmp/.X11-unix/X{number}")
    except OSError:
        return False
    finally:
        probe.close()
    return True


def preferred_qt_platform(environ: Mapping[str, str] | None = None) -> str | None:
    """``"xcb"`` when the app should run through XWayland, else None (Qt chooses)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None  # the person's choice stands
    if not _is_wayland_session(env) or not env.get("DISPLAY"):
        return None
    if ctypes.util.find_library("xcb-cursor") is None:
        return None  # Qt's xcb platform would not load: stay on Wayland
    return "xcb" if _x_server_reachable(env["DISPLAY"]) else None


@dataclass(frozen=True, slots=True)
class OverlayPlan:
    """How the overlay window is made on a desktop, and what it can do there."""

    unmanaged: bool
    """An override-redirect X window: placed where it asks and kept above by the compositor,
    moved by the app itself (the window manager does not handle it)."""
    stays_on_top: bool | None
    """Whether it stays above the other windows: known yes, known no, or None (no desktop)."""
    click_through: bool
    """Whether Lock can pass clicks through it to the window below."""
    no_click_through: str = ""
    """Why Lock cannot, in the words shown beside the switch."""
    not_on_top: str = ""
    """What the person can do when the overlay cannot stay on top."""


NOT_ON_TOP = (
    "On {desktop} the caption overlay cannot keep itself above other windows, so a click on "
    "the meeting hides it. {remedy}"
)
REMEDY = {
    Compositor.MUTTER: "Keep it on top from its window menu (Alt+Space → Always on Top), or "
    "start Caption App without QT_QPA_PLATFORM=wayland so it runs through XWayland.",
    Compositor.KWIN: "Keep it on top from its window menu (Alt+F3 → More Actions → Keep "
    "Above Others), or start Caption App without QT_QPA_PLATFORM=wayland so it runs through "
    "XWayland.",
    Compositor.OTHER: "Start Caption App without QT_QPA_PLATFORM=wayland so it runs through "
    'XWayland, or use the compositor\'s own rule to keep the "Live captions" window above.',
}
NO_CLICK_THROUGH = (
    "Lock (click-through) is not available on {desktop}: the compositor does not pass clicks "
    "through the overlay. Move it where it covers nothing you click, or hide it from the "
    "View menu."
)


def overlay_plan(desktop: Desktop) -> OverlayPlan:
    if desktop.session is SessionKind.XWAYLAND and desktop.compositor is not Compositor.MUTTER:
        reason = NO_CLICK_THROUGH.format(desktop=desktop.name)
        return OverlayPlan(
            unmanaged=True, stays_on_top=True, click_through=False, no_click_through=reason
        )
    if desktop.session is SessionKind.WAYLAND:
        note = NOT_ON_TOP.format(desktop=desktop.name, remedy=REMEDY[desktop.compositor])
        return OverlayPlan(unmanaged=False, stays_on_top=False, click_through=True, not_on_top=note)
    on_top = None if desktop.session is SessionKind.NONE else True
    return OverlayPlan(unmanaged=False, stays_on_top=on_top, click_through=True)


GLOBAL_KEYS_X11 = "These keys work anywhere on the desktop, whichever window has the focus."
GLOBAL_KEYS_XWAYLAND = (
    "On {desktop} the compositor gives an application no keys pressed in another "
    "application's window, so these reach Caption App only while one of its windows, or "
    "another X11 application, has the focus. For the meeting too, add a shortcut in the "
    "desktop's keyboard settings that runs: caption-app --toggle captions (or pause, overlay)."
)
GLOBAL_KEYS_NONE = (
    "{desktop} offers Caption App no global shortcuts. Add a shortcut in the desktop's "
    "keyboard settings that runs: caption-app --toggle captions (or pause, overlay)."
)


def grabs_keys(desktop: Desktop) -> bool:
    """Whether an X11 key grab is the way to global shortcuts here (X11, or XWayland)."""
    return desktop.session in (SessionKind.X11, SessionKind.XWAYLAND)


def global_keys_note(desktop: Desktop, *, grabbed: bool) -> str:
    """What Settings → Shortcuts says about the global shortcuts on this desktop."""
    if grabbed and desktop.session is SessionKind.X11:
        return GLOBAL_KEYS_X11
    if grabbed and desktop.session is SessionKind.XWAYLAND:
        return GLOBAL_KEYS_XWAYLAND.format(desktop=desktop.name)
    return GLOBAL_KEYS_NONE.format(desktop=desktop.name[:1].upper() + desktop.name[1:])
