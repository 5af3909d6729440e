"""Help → About: the version, both engines and where their audio goes, the privacy note and the
licences (the model weights included), all reachable from the menu bar."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from caption_app import __version__
from caption_app.qt.session_controller import SessionController
from caption_app.ui.help.about import DOCS, AboutDialog
from caption_app.ui.main_window.window import MainWindow


def test_help_about_says_what_runs_where_and_links_its_documents(qtbot: QtBot) -> None:
    window = MainWindow(SessionController(), list, price_per_hour=0.0)
    qtbot.addWidget(window)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    help_menu = menus["&Help"]
    assert isinstance(help_menu, QMenu)
    (about,) = [a for a in help_menu.actions() if a.text().startswith("&About")]
    about.trigger()
    dialog = window.dialogs.get("about")
    assert isinstance(dialog, AboutDialog)
    about.trigger()
    assert window.dialogs.get("about") is dialog  # one About window, brought forward
    text = dialog.text.text()
    assert __version__ in text
    assert "audio never leaves this computer" in text and "audio goes to AssemblyAI" in text
    for name in ("privacy", "licences"):
        assert f'href="{name}"' in text and (DOCS / f"{name}.md").is_file()
    licences = (DOCS / "licences.md").read_text()
    assert "Whisper tiny.en model weights" in licences and "LGPL-3.0" in licences
    assert "never written to a settings file" in (DOCS / "privacy.md").read_text()
