"""The overlay as each desktop allows it, and what a later launch asks of the running app."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from caption_app.cli import TOGGLES, build_parser
from caption_app.core.desktop import Compositor, Desktop, SessionKind, overlay_plan
from caption_app.qt.single_instance import SingleInstance, instance_path
from caption_app.ui import desktop_session
from caption_app.ui.app import CaptionApp
from caption_app.ui.main_window.commands import toggles
from caption_app.ui.main_window.window import LOCK_UNAVAILABLE
from caption_app.ui.overlay.window import CaptionOverlay
from tests.support.home import private_home

KWIN_THROUGH_XWAYLAND = overlay_plan(Desktop(SessionKind.XWAYLAND, Compositor.KWIN))


def _app(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, desktop: Desktop | None = None
) -> CaptionApp:
    private_home(tmp_path, monkeypatch, "test-key")
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    if desktop is not None:  # another desktop than the offscreen platform's
        monkeypatch.setattr(desktop_session, "read_desktop", lambda platform: desktop)
    captions = CaptionApp(build_parser().parse_args([]), settings)
    qtbot.addWidget(captions.window)
    qtbot.addWidget(captions.overlay)
    captions.show()
    return captions


class HideCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.hides = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide:
            self.hides += 1
        return False


def test_locking_changes_the_shown_window_in_place_never_hiding_it(qtbot: QtBot) -> None:
    """mutter drops a window that is hidden and shown anew with other flags from the screen;
    compositors that place windows themselves put it back elsewhere."""
    overlay = CaptionOverlay()
    qtbot.addWidget(overlay)
    overlay.setGeometry(100, 500, 700, overlay.height())
    overlay.show()
    qtbot.waitExposed(overlay)
    counter = HideCounter()
    overlay.installEventFilter(counter)
    overlay.set_locked(True)
    handle = overlay.windowHandle()
    assert handle is not None and handle.flags() & Qt.WindowType.WindowTransparentForInput
    overlay.set_locked(False)
    assert not handle.flags() & Qt.WindowType.WindowTransparentForInput
    assert counter.hides == 0 and overlay.isVisible()
    assert overlay.geometry().topLeft().toTuple() == (100, 500)


def test_where_clicks_cannot_pass_lock_is_refused_and_the_switch_says_why(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    captions = _app(qtbot, tmp_path, monkeypatch, Desktop(SessionKind.XWAYLAND, Compositor.KWIN))
    overlay, window = captions.overlay, captions.window
    assert overlay.windowFlags() & Qt.WindowType.X11BypassWindowManagerHint
    assert not window.lock_action.isEnabled()
    assert window.lock_action.text() == LOCK_UNAVAILABLE
    assert "not available on KDE Plasma" in window.lock_action.toolTip()
    with qtbot.waitSignal(overlay.lockRefused) as refused:
        overlay.set_locked(True)
    assert not overlay.is_locked()
    assert not overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert window.notices.text() == refused.args[0] == KWIN_THROUGH_XWAYLAND.no_click_through


def test_where_it_cannot_stay_on_top_the_window_says_what_to_do(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    captions = _app(qtbot, tmp_path, monkeypatch, Desktop(SessionKind.WAYLAND, Compositor.MUTTER))
    assert "Always on Top" in captions.window.notices.text()
    assert captions.window.lock_action.isEnabled()


def test_a_managed_overlay_has_no_bypass_hint(qtbot: QtBot) -> None:
    overlay = CaptionOverlay(plan=overlay_plan(Desktop(SessionKind.XWAYLAND, Compositor.MUTTER)))
    qtbot.addWidget(overlay)
    assert not overlay.windowFlags() & Qt.WindowType.X11BypassWindowManagerHint


@pytest.fixture
def app(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CaptionApp:
    return _app(qtbot, tmp_path, monkeypatch)


def test_every_command_line_toggle_does_something_in_the_window(app: CaptionApp) -> None:
    assert set(toggles(app.window)) == set(TOGGLES)


def test_a_later_launchs_toggles_reach_the_running_app(app: CaptionApp) -> None:
    app.desktop_session.handle_request({"toggle": ["overlay"]})
    assert not app.overlay.isVisible() and not app.window.overlay_action.isChecked()
    app.desktop_session.handle_request({"toggle": ["overlay", "lock"]})
    assert app.overlay.isVisible() and app.overlay.is_locked()
    ask = app.desktop_session.handle_request
    ask({"toggle": ["pause"]})  # not captioning: Pause is not offered
    assert not app.window.pause_action.isChecked()
    ask({"toggle": ["no-such-thing"], "start": "junk"})  # ignored, not raised


def test_a_plain_later_launch_brings_the_window_back(app: CaptionApp, qtbot: QtBot) -> None:
    app.window.showMinimized()
    qtbot.waitUntil(app.window.isMinimized)
    app.desktop_session.handle_request({"start": False, "toggle": []})
    assert app.window.isVisible() and not app.window.isMinimized()


def test_one_instance_per_settings_file_and_a_later_one_hands_its_request_over(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = instance_path(str(tmp_path / "settings.conf"))
    assert instance_path(str(tmp_path / "other.conf")) != path
    first, second = SingleInstance(path), SingleInstance(path)
    assert first.claim()
    try:
        assert not second.claim()
        with qtbot.waitSignal(first.requested, timeout=5000) as got:
            assert second.forward({"start": True, "toggle": ["captions"]})
        assert got.args == [{"start": True, "toggle": ["captions"]}]
    finally:
        first.release()
    third = SingleInstance(path)
    assert third.claim(), "a released (or crashed) instance's place is taken over"
    third.release()


def test_settings_show_the_global_shortcuts_and_what_this_desktop_allows(
    app: CaptionApp, qtbot: QtBot
) -> None:
    from caption_app.ui.settings.dialog import SettingsDialog

    app.open_settings()
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    page = dialog.shortcuts_page
    assert page.edits["global_captions"].keySequence().toString() == "Ctrl+Alt+Shift+S"
    assert page.global_status.text() == app.desktop_session.global_shortcuts.note
    assert "offers Caption App no global shortcuts" in page.global_status.text()
    assert "caption-app --toggle captions" in page.global_status.text()
    page.edits["global_overlay"].setKeySequence(QKeySequence("Ctrl+Alt+Shift+F7"))
    with qtbot.waitSignal(app.store.shortcutsChanged) as saved:
        assert dialog.apply()
    assert saved.args[0]["global_overlay"] == "Ctrl+Alt+Shift+F7"
    assert app.store.shortcuts()["global_overlay"] == "Ctrl+Alt+Shift+F7"
