"""The command line works without a display: --version, --help, and usage errors."""

from __future__ import annotations

import os
import subprocess
import sys

from caption_app import __version__


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, "-m", "caption_app", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_version_prints_the_version() -> None:
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"caption-app {__version__}"


def test_help_lists_the_options_without_importing_qt() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for option in ("--api-host", "--source", "--device", "--start", "transcribe"):
        assert option in result.stdout


def test_transcribe_help_documents_exit_codes() -> None:
    result = _run("transcribe", "--help")
    assert result.returncode == 0
    assert "--list-devices" in result.stdout
    assert "3 authentication" in result.stdout


def test_unknown_option_is_a_usage_error() -> None:
    result = _run("--no-such-option")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_installed_console_script_matches_module() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "caption-app")
    result = subprocess.run(
        [script, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == f"caption-app {__version__}"
