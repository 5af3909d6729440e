"""Where the app leans on how Qt behaves inside rather than on its documented API, this names
the Qt versions it was checked on and fails on any other, so an upgrade is checked on purpose.

- ``ui/transcript/view.py`` holds back ``QPlainTextDocumentLayout``'s signals while it rewrites
  one block or adds one at the end, and tells the scroll bar the document's new size itself:
  ``QPlainTextEdit`` otherwise repaints its whole viewport for every edit (ten a second while
  someone speaks). What it relies on: the view repaints only what the layout's ``update``
  signal asks for, and nothing but the scroll bar needs ``documentSizeChanged`` at once. The
  repaint and pixel-equality tests in ``tests/qt/test_transcript_view.py`` check it; run them
  on a new Qt, then add its version here.
- The same view gives its document a new ``QPlainTextDocumentLayout`` now and then, because
  only that frees the blocks' layouts (Qt keeps each block's shaped text while the document
  lives). ``test_a_long_session_lets_go_of_the_layouts_of_lines_out_of_view`` checks it.
"""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

CHECKED_ON = ("6.10", "6.11")


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def test_qt_is_a_version_the_transcript_views_repaint_was_checked_on() -> None:
    assert _minor(qVersion()) in CHECKED_ON, (
        f"Qt {qVersion()}: check the transcript view's held-back layout signals (see this "
        "module's docstring), then add the version to CHECKED_ON"
    )
    assert _minor(pyside_version) == _minor(qVersion())  # the bindings match the Qt they wrap
