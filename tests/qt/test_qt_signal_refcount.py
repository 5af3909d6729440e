"""Regression guard for the PySide6 6.12.0 refcount bug on ``True`` (see pyproject.toml pin).

6.12.0 on Python 3.11 drops one reference to ``True`` per ``Signal.emit()`` and aborts the
interpreter after ~570 emits. If an upgrade brings it back, this test fails instead of the app.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    flag = Signal(bool)
    text = Signal(str)


def test_ten_thousand_emits_keep_the_refcount_of_true() -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.flag.connect(received.append)
    emitter.text.connect(lambda _s: None)
    before = sys.getrefcount(True)
    for _ in range(10_000):
        emitter.flag.emit(True)
        emitter.text.emit("x")
    received.clear()
    assert abs(sys.getrefcount(True) - before) <= 2
