"""Regression guard for the PySide6 6.12.0 refcount bug on ``True`` (see pyproject.toml pin).

6.12.0 on Python 3.11 drops one reference to ``True`` per ``Signal.emit()`` and aborts the
interpreter after ~570 emits. If an upgrade brings it back, this test fails instead of the app.

From Python 3.12 ``True`` is immortal: its count is a constant that can neither fall nor
abort, so the count of ``True`` proves something only on 3.11. The same emits therefore carry
mortal objects too (a list, a large int, a fresh string), whose counts prove on every Python
that an emit neither drops nor leaks a reference to what it carries.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 10_000


class _Emitter(QObject):
    flag = Signal(bool)
    text = Signal(str)
    number = Signal(int)
    thing = Signal(object)


def test_ten_thousand_emits_keep_the_refcounts_of_what_they_carry() -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.flag.connect(received.append)
    emitter.text.connect(lambda _s: None)
    emitter.number.connect(lambda _n: None)
    emitter.thing.connect(lambda _o: None)
    payload: list[str] = ["mortal"]
    big = 1_000_000 + len(received)  # made at run time: not a cached small int
    word = "".join(["cap", "tion"])  # a fresh, mortal string
    counts = {name: sys.getrefcount(obj) for name, obj in _carried(payload, big, word).items()}
    for _ in range(EMITS):
        emitter.flag.emit(True)
        emitter.text.emit(word)
        emitter.number.emit(big)
        emitter.thing.emit(payload)
        received.clear()
    after = {name: sys.getrefcount(obj) for name, obj in _carried(payload, big, word).items()}
    changed = {name: after[name] - counts[name] for name in counts}
    assert all(abs(delta) <= 2 for delta in changed.values()), changed


def _carried(payload: list[str], big: int, word: str) -> dict[str, object]:
    carried: dict[str, object] = {"list": payload, "int": big, "str": word}
    if sys.version_info < (3, 12):  # immortal from 3.12: its count would prove nothing
        carried["True"] = True
    return carried
