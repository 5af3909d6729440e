"""ARCHITECTURE.md names every module of ``caption_app``, in the row of its own folder, and
every module opens with a docstring that names its one concept.

A module missing from it is a module a newcomer cannot find; this keeps the map true as the
code moves.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "caption_app"
DOC = ROOT / "ARCHITECTURE.md"


def _is_listed(module: Path, lines: list[str]) -> bool:
    relative = module.relative_to(PACKAGE)
    folder = relative.parent
    name = f"`{module.name}`"
    if folder == Path("."):
        folder_marks = ["`caption_app/", "`caption_app/"]
    else:
        folder_marks = [f"`{folder.as_posix()}/", f"`{folder.name}/`"]
    for line in lines:
        if f"{relative.as_posix()}`" in line:
            return True
        if name in line and any(mark in line for mark in folder_marks):
            return True
    return False


def test_every_module_is_in_the_architecture_document() -> None:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    modules = [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in {"__init__.py", "__main__.py"} and "__pycache__" not in path.parts
    ]
    assert len(modules) > 100  # the package really was read
    missing = [str(m.relative_to(PACKAGE)) for m in modules if not _is_listed(m, lines)]
    assert missing == []


def test_every_module_opens_with_a_docstring_naming_its_concept() -> None:
    undocumented = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert undocumented == []
