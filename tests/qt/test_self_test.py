"""``caption-app --self-test [--json]``: what it checks, that it says why it cannot run, and that
with no display it explains instead of letting Qt abort the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from caption_app.exit_codes import ExitCode
from caption_app.self_test import NO_DISPLAY

SECRET = "sk-self-test-must-never-print-this-0123456789"


def _run(tmp_path: Path, *args: str, display: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        ASSEMBLYAI_API_KEY=SECRET,
    )
    if display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run(
        [sys.executable, "-m", "caption_app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )


def test_the_json_report_checks_everything_the_app_needs(tmp_path: Path) -> None:
    done = _run(tmp_path, "--self-test", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["frozen"] is False
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks) == {
        "qt",
        "host libraries",
        "audio",
        "sound server tools",
        "keyring",
        "engine: assemblyai",
        "engine: local",
        "data directory",
        "windows",
        "desktop",
        "overlay",
    }
    assert report["session"] == "no desktop"  # offscreen
    assert report["overlay"]["click_through"] is True
    assert checks["qt"]["detail"] == "platform offscreen"
    assert checks["host libraries"]["detail"].startswith("not a bundle")  # the bundle's own
    assert checks["engine: local"]["ok"] and "sha256 verified" in checks["engine: local"]["detail"]
    assert checks["engine: assemblyai"]["ok"]
    assert "no keyring available" in checks["keyring"]["detail"]
    assert str(tmp_path / "data") in checks["data directory"]["detail"]
    assert SECRET not in done.stdout + done.stderr


def test_an_unwritable_data_folder_fails_the_self_test_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the folder should be")
    done = _run(tmp_path, "--self-test")
    assert done.returncode == 1
    assert done.stdout.startswith("self-test: FAILED")
    assert "FAILED  data directory:" in done.stdout


def test_with_no_display_it_says_so_instead_of_aborting(tmp_path: Path) -> None:
    done = _run(tmp_path, "--self-test", "--json", display=False)
    assert done.returncode == ExitCode.NO_DISPLAY, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["checks"][0]["detail"] == NO_DISPLAY
    window = _run(tmp_path, display=False)
    assert window.returncode == ExitCode.NO_DISPLAY
    assert window.stderr.strip() == f"caption-app: {NO_DISPLAY}"
    assert "caption-app transcribe FILE" in NO_DISPLAY
