"""The Qt-free core really is Qt-free: the import-linter contract catches a violation.

The test plants ``import PySide6`` in a scratch copy of the package and runs lint-imports on
it, proving the gate in scripts/test fails on exactly what it is meant to catch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run(
        [str(lint), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _copy_project(tmp_path: Path) -> Path:
    tree = tmp_path / "project"
    shutil.copytree(
        ROOT / "caption_app", tree / "caption_app", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_contract_holds_for_the_real_tree(tmp_path: Path) -> None:
    result = _lint_imports(_copy_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyside6_in_a_core_module_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy_project(tmp_path)
    settings = tree / "caption_app" / "core" / "settings.py"
    settings.write_text("import PySide6  # planted\n" + settings.read_text())
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "caption_app.core.settings -> PySide6" in result.stdout
