"""A smoke alarm for module size: none of ``caption_app`` grows past 500 lines.

A module past it is usually two concepts; the fix is to find them, never to cut one concept in
two to pass (ARCHITECTURE.md).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "caption_app"
LIMIT = 500


def test_no_module_is_over_the_limit() -> None:
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 50  # the package really was read
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
