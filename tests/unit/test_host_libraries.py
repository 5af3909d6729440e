"""The bundle's start-up check: each library it takes from the computer is opened by the real
dynamic loader; one that is missing is named with the package that brings it, before Qt or
anything else would fail on it. (The clean-system test shows it on a real bare Debian.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from caption_app import cli
from caption_app.exit_codes import ExitCode
from caption_app.host_libraries import describe, missing_for, qt_platforms

PRESENT = {"soname": "libc.so.6", "package": "libc6", "group": "core"}


def _manifest(tmp_path: Path, *rows: dict[str, str]) -> Path:
    path = tmp_path / "host-libraries.json"
    path.write_text(json.dumps([PRESENT, *rows]))
    return path


def _absent(group: str, name: str = "libcaption-absent") -> dict[str, str]:
    return {"soname": f"{name}.so.9", "package": f"{name}9", "group": group}


def test_nothing_is_checked_outside_a_bundle() -> None:
    assert missing_for(None, {}, None) == ([], False)


def test_a_missing_window_library_is_named_with_its_package(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, _absent("windows"))
    found, for_windows = missing_for(None, {"DISPLAY": ":0"}, manifest)
    assert [m.library.soname for m in found] == ["libcaption-absent.so.9"] and for_windows
    message = describe(found, for_windows=for_windows)
    assert "cannot open its windows" in message
    assert "libcaption-absent.so.9 (Debian/Ubuntu package libcaption-absent9)" in message
    assert "sudo apt-get install libcaption-absent9 (" in message
    assert "caption-app transcribe FILE" in message
    # The headless command does not need it.
    assert missing_for("transcribe", {}, manifest) == ([], False)


def test_everything_missing_is_told_at_once(tmp_path: Path) -> None:
    manifest = _manifest(
        tmp_path, _absent("core", "libcore-absent"), _absent("windows"), _absent("x11", "libx")
    )
    found, for_windows = missing_for(None, {"DISPLAY": ":0"}, manifest)
    assert {m.library.package for m in found} == {"libcore-absent9", "libcaption-absent9", "libx9"}
    assert not for_windows
    assert "sudo apt-get install libcaption-absent9 libcore-absent9 libx9 (" in describe(
        found, for_windows=False
    )
    found, _ = missing_for("transcribe", {}, manifest)
    assert [m.library.package for m in found] == ["libcore-absent9"]


def test_a_platform_library_counts_only_when_no_platform_can_load(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, _absent("wayland"))
    wayland_session = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    assert qt_platforms(wayland_session) == ["wayland", "x11"]
    assert missing_for(None, wayland_session, manifest) == ([], False)  # Qt falls back to xcb
    found, _ = missing_for(None, {"QT_QPA_PLATFORM": "wayland"}, manifest)
    assert [m.library.group for m in found] == ["wayland"]
    assert missing_for(None, {"QT_QPA_PLATFORM": "offscreen"}, manifest) == ([], False)


def test_the_command_line_stops_before_qt_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _manifest(tmp_path, _absent("windows"))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert cli.main(["--self-test"]) == ExitCode.NO_DISPLAY
    assert "libcaption-absent.so.9" in capsys.readouterr().err
    _manifest(tmp_path, _absent("core"))
    assert cli.main(["transcribe", "nothing.wav"]) == ExitCode.MISSING_LIBRARY
