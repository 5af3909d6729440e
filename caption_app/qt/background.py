"""Run one short blocking call (a keyring read, a file read) off the GUI thread.

The call runs on its own ``QThread`` through ``start_worker`` (so the thread checks in the tests
see it); its result or exception comes back to the GUI thread as a queued signal and is handed
to the callbacks there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from caption_app.qt.threads import start_worker


class _Call(QObject):
    returned = Signal(object)
    raised = Signal(object)
    finished = Signal()

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._fn = fn

    @Slot()
    def run(self) -> None:
        try:
            value = self._fn()
        except Exception as exc:  # noqa: BLE001 - handed to the caller's on_error
            self.raised.emit(exc)
        else:
            self.returned.emit(value)
        finally:
            self.finished.emit()


class _Relay(QObject):
    """Lives on the GUI thread, so the call's signals reach it queued."""

    def __init__(
        self, on_result: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        super().__init__()
        self._on_result, self._on_error = on_result, on_error

    @Slot(object)
    def deliver(self, value: object) -> None:
        self._on_result(value)

    @Slot(object)
    def fail(self, exc: BaseException) -> None:
        self._on_error(exc)


def call_in_background(
    fn: Callable[[], Any],
    on_result: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    name: str,
) -> QThread:
    """Call ``fn`` on a new thread; ``on_result`` or ``on_error`` then runs on this one."""
    relay = _Relay(on_result, on_error)
    call = _Call(fn)
    call.returned.connect(relay.deliver)
    call.raised.connect(relay.fail)
    return start_worker(call, name, keep_alive=(relay,))
