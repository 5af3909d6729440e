"""Which Qt platform and which kind of overlay window each desktop session gets."""

from __future__ import annotations

import pytest

from caption_app.core import desktop
from caption_app.core.desktop import (
    Compositor,
    Desktop,
    SessionKind,
    compositor_of,
    overlay_plan,
    preferred_qt_platform,
    read_desktop,
)

GNOME_WAYLAND = {
    "XDG_SESSION_TYPE": "wayland",
    "WAYLAND_DISPLAY": "wayland-0",
    "DISPLAY": ":0",
    "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
}


@pytest.fixture
def x_server_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desktop, "_x_server_reachable", lambda display: display == ":0")
    monkeypatch.setattr("ctypes.util.find_library", lambda name: f"lib{name}.so")


@pytest.mark.usefixtures("x_server_up")
def test_a_wayland_session_with_xwayland_runs_the_app_through_it() -> None:
    assert preferred_qt_platform(GNOME_WAYLAND) == "xcb"


@pytest.mark.usefixtures("x_server_up")
@pytest.mark.parametrize(
    "change",
    [
        {"QT_QPA_PLATFORM": "wayland"},  # the person's choice stands
        {"DISPLAY": ""},  # no XWayland
        {"DISPLAY": ":7"},  # an X display nobody listens on
        {"XDG_SESSION_TYPE": "x11", "WAYLAND_DISPLAY": ""},  # an X11 session: Qt's own choice
    ],
)
def test_qt_chooses_when_xwayland_is_not_there_or_not_wanted(change: dict[str, str]) -> None:
    env = {k: v for k, v in {**GNOME_WAYLAND, **change}.items() if v}
    assert preferred_qt_platform(env) is None


def test_without_qts_xcb_cursor_library_the_app_stays_on_wayland(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(desktop, "_x_server_reachable", lambda display: True)
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    assert preferred_qt_platform(GNOME_WAYLAND) is None


@pytest.mark.parametrize(
    ("env", "compositor"),
    [
        ({"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}, Compositor.MUTTER),
        ({"XDG_CURRENT_DESKTOP": "GNOME-Classic:GNOME"}, Compositor.MUTTER),
        ({"XDG_CURRENT_DESKTOP": "KDE"}, Compositor.KWIN),
        ({"XDG_SESSION_DESKTOP": "plasmawayland"}, Compositor.KWIN),
        ({"XDG_SESSION_DESKTOP": "weston"}, Compositor.OTHER),
        ({}, Compositor.OTHER),
    ],
)
def test_the_compositor_is_known_by_the_desktops_name(
    env: dict[str, str], compositor: Compositor
) -> None:
    assert compositor_of(env) is compositor


def test_the_session_kind_follows_the_qt_platform() -> None:
    assert read_desktop("xcb", GNOME_WAYLAND).session is SessionKind.XWAYLAND
    assert read_desktop("wayland", GNOME_WAYLAND).session is SessionKind.WAYLAND
    assert read_desktop("xcb", {"XDG_SESSION_TYPE": "x11"}).session is SessionKind.X11
    assert read_desktop("offscreen", GNOME_WAYLAND).session is SessionKind.NONE
    assert read_desktop("xcb", GNOME_WAYLAND).name == "GNOME (Wayland through XWayland)"


def test_under_mutter_through_xwayland_the_overlay_is_managed_and_lock_works() -> None:
    plan = overlay_plan(Desktop(SessionKind.XWAYLAND, Compositor.MUTTER))
    assert not plan.unmanaged and plan.stays_on_top and plan.click_through


@pytest.mark.parametrize("compositor", [Compositor.KWIN, Compositor.OTHER])
def test_elsewhere_through_xwayland_it_is_unmanaged_and_lock_says_why_not(
    compositor: Compositor,
) -> None:
    plan = overlay_plan(Desktop(SessionKind.XWAYLAND, compositor))
    assert plan.unmanaged and plan.stays_on_top
    assert not plan.click_through
    assert "not available" in plan.no_click_through and "Wayland through XWayland" in (
        plan.no_click_through
    )


@pytest.mark.parametrize("compositor", list(Compositor))
def test_a_native_wayland_window_cannot_stay_on_top_and_the_notice_says_what_to_do(
    compositor: Compositor,
) -> None:
    plan = overlay_plan(Desktop(SessionKind.WAYLAND, compositor))
    assert plan.stays_on_top is False
    assert "cannot keep itself above" in plan.not_on_top
    assert "XWayland" in plan.not_on_top


def test_an_x11_session_keeps_the_managed_always_on_top_window() -> None:
    plan = overlay_plan(Desktop(SessionKind.X11, Compositor.KWIN))
    assert not plan.unmanaged and plan.stays_on_top and plan.click_through
