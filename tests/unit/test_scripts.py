"""The README's first command works, and is quick the second time (nothing to install)."""

from __future__ import annotations

import subprocess
import time

from caption_app import __version__
from tests.support.paths import REPO_ROOT


def _run_script(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [str(REPO_ROOT / "scripts" / "run"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result, time.monotonic() - started


def test_scripts_run_installs_and_launches_then_is_quick() -> None:
    first, _ = _run_script("--version")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"caption-app {__version__}"
    second, took = _run_script("--version")
    assert second.returncode == 0, second.stderr
    assert took < 15.0
    assert "installing" not in second.stderr
