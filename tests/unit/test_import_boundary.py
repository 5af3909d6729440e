"""The import-linter contracts catch what they are meant to: Qt in the core, a cycle between
packages, two sibling packages leaning on each other (in the core and among the widgets).

Each test plants one offending import in a scratch copy of the package and runs lint-imports
on it, proving the gate in scripts/test fails on exactly that.
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


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(f"{line}  # planted\n" + path.read_text())


def test_a_cycle_back_into_the_session_breaks_the_layers(tmp_path: Path) -> None:
    # The transcript model importing the live session is the cycle the model layer removed.
    tree = _copy_project(tmp_path)
    _plant(tree, "caption_app.core.transcript.model", "import caption_app.core.streaming.session")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "Layers" in result.stdout and "BROKEN" in result.stdout
    assert "caption_app.core.transcript.model -> caption_app.core.streaming.session" in (
        result.stdout
    )


def test_the_domain_model_imports_nothing_above_it(tmp_path: Path) -> None:
    tree = _copy_project(tmp_path)
    _plant(tree, "caption_app.core.model.turns", "import caption_app.core.transcript.model")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "caption_app.core.model.turns -> caption_app.core.transcript.model" in result.stdout


def test_sibling_packages_stay_independent(tmp_path: Path) -> None:
    tree = _copy_project(tmp_path)
    _plant(tree, "caption_app.core.transcript.cues", "import caption_app.core.engines.base")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "caption_app.core.transcript.cues -> caption_app.core.engines.base" in result.stdout


def test_the_command_line_and_the_headless_runner_do_not_import_each_other(
    tmp_path: Path,
) -> None:
    tree = _copy_project(tmp_path)
    _plant(tree, "caption_app.headless", "import caption_app.cli")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "caption_app.headless -> caption_app.cli" in result.stdout


def test_the_overlay_does_not_import_history(tmp_path: Path) -> None:
    tree = _copy_project(tmp_path)
    _plant(tree, "caption_app.ui.overlay.window", "import caption_app.ui.history.dialog")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "caption_app.ui.overlay.window -> caption_app.ui.history.dialog" in result.stdout


def test_window_packages_do_not_import_each_other(tmp_path: Path) -> None:
    # Settings and History are siblings: what they share lives in a package below both.
    tree = _copy_project(tmp_path)
    _plant(tree, "caption_app.ui.settings.pages", "import caption_app.ui.history.model")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "caption_app.ui.settings.pages -> caption_app.ui.history.model" in result.stdout


def test_a_widget_package_does_not_reach_up_into_the_composition_root(tmp_path: Path) -> None:
    tree = _copy_project(tmp_path)
    _plant(tree, "caption_app.ui.transcript.view", "import caption_app.ui.app")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "caption_app.ui.transcript.view -> caption_app.ui.app" in result.stdout
