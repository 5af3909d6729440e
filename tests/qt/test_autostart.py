"""Start with the desktop: off by default; the Settings switch writes a valid XDG autostart
entry that runs this same program, and switching it off removes it."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.qt import autostart
from caption_app.ui.app import CaptionApp
from caption_app.ui.settings.dialog import SettingsDialog
from tests.support.home import private_home


@pytest.fixture
def app(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CaptionApp:
    private_home(tmp_path, monkeypatch, "test-key")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    captions = CaptionApp(build_parser().parse_args([]), settings)
    qtbot.addWidget(captions.window)
    qtbot.addWidget(captions.overlay)
    captions.show()
    return captions


def test_the_settings_switch_writes_and_removes_the_autostart_entry(
    app: CaptionApp, tmp_path: Path
) -> None:
    entry = tmp_path / "config" / "autostart" / "caption-app.desktop"
    assert autostart.entry_path() == entry
    app.open_settings()
    dialog = app.dialog("settings")
    assert isinstance(dialog, SettingsDialog)
    assert not dialog.desktop_page.autostart_check.isChecked(), "off by default"
    dialog.desktop_page.autostart_check.setChecked(True)
    assert dialog.apply()
    text = entry.read_text()
    assert "Type=Application" in text and "Name=Caption App" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec="))[:1] == autostart.launch_command()[:1]
    validate = shutil.which("desktop-file-validate")
    assert validate, "desktop-file-validate is installed by scripts/bootstrap.sh"
    checked = subprocess.run([validate, str(entry)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    dialog.desktop_page.autostart_check.setChecked(False)
    assert dialog.apply()
    assert not entry.exists()


def test_a_program_path_with_spaces_and_percent_is_quoted_for_the_exec_key() -> None:
    line = autostart.exec_line(["/opt/My Apps/caption-app", "--x=100%", 'say "hi"'])
    assert line == '"/opt/My Apps/caption-app" --x=100%% "say \\"hi\\""'


def test_a_folder_that_cannot_be_written_is_reported(
    app: CaptionApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blocked").write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "blocked"))
    app.desktop_session.start_with_desktop(True)
    assert "Could not change starting with the desktop" in app.window.notices.text()
