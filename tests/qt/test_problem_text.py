"""The window's advice names menus, items and settings pages that really exist.

"Enter a valid key in Settings → API key." once pointed at a menu that was never there; here
every "A → B" and every named menu in the GUI's problem wording is looked up in the real main
window and the real Settings dialog.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from caption_app.core.model.problems import ProblemKind
from caption_app.core.settings import AppSettings
from caption_app.qt.session_controller import SessionController
from caption_app.ui.main_window.problem_text import GUI_ACTIONS
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.settings.dialog import SettingsDialog

PATH = re.compile(r"(\w+) → ([\w ]+…?)")
NAMED_MENU = re.compile(r"in the (\w+) menu")


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def test_every_path_in_the_advice_exists(qtbot: QtBot) -> None:
    window = MainWindow(SessionController(), list, price_per_hour=0.0)
    qtbot.addWidget(window)
    dialog = SettingsDialog(AppSettings(), window)
    qtbot.addWidget(dialog)
    menus: dict[str, QMenu] = {}
    for action in window.menuBar().actions():
        found = action.menu()
        if isinstance(found, QMenu):
            menus[_plain(action.text())] = found
    tabs = {_plain(dialog.tabs.tabText(i)) for i in range(dialog.tabs.count())}
    checked = 0
    for kind, advice in GUI_ACTIONS.items():
        for top, item in PATH.findall(advice):
            if top == "Settings":
                assert item in tabs, (kind, advice, tabs)
            else:
                top_menu = menus.get(top)
                assert top_menu is not None, (kind, advice, sorted(menus))
                assert item in {_plain(a.text()) for a in top_menu.actions()}, (kind, advice)
            checked += 1
        for name in NAMED_MENU.findall(advice):
            assert name in menus, (kind, advice, sorted(menus))
            checked += 1
    assert checked >= 5  # the wording really points somewhere
    assert "Tools → API key…" in GUI_ACTIONS[ProblemKind.AUTH]
