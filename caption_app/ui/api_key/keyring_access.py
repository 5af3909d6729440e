"""The key dialog's keyring, read and written off the GUI thread.

A locked keyring's unlock prompt, or a Secret Service slow to wake, may take seconds; the
window must keep painting meanwhile. Each read (the backend, whether it works, the stored key:
``KeyStore.state``) and each write runs through ``qt/background.py``; answers come back on the
GUI thread, and a read asked for while one runs is made again after it (never two at once).
"""

from __future__ import annotations

from collections.abc import Callable

from caption_app.core.secrets.store import (
    KeyringProblem,
    KeyringState,
    KeyringUnavailable,
    KeyStore,
)
from caption_app.qt.background import call_in_background


class KeyringAccess:
    def __init__(self, store: KeyStore, alive: Callable[[], bool]) -> None:
        """``alive``: whether whoever asked is still there to be answered."""
        self._store = store
        self._alive = alive
        self.reading = False
        self.writing = False
        self._read_again: Callable[[KeyringState], None] | None = None

    def read(self, answer: Callable[[KeyringState], None]) -> None:
        if self.reading:
            self._read_again = answer
            return
        self.reading = True

        def read(state: object) -> None:
            if not self._alive():
                return
            self.reading = False
            again, self._read_again = self._read_again, None
            if again is not None:
                self.read(again)
            elif isinstance(state, KeyringState):
                answer(state)

        def failed(exc: BaseException) -> None:
            text = f"The keyring could not be read ({type(exc).__name__})."  # not its words
            problem = KeyringUnavailable(KeyringProblem.FAILED, text)
            read(KeyringState("unknown", False, problem, None))

        call_in_background(self._store.state, read, failed, "keyring-read")

    def write(
        self,
        change: Callable[[], None],
        done: Callable[[], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Store or remove the key; ``done`` or ``failed`` is called on the GUI thread."""
        self.writing = True

        def answered(_: object) -> None:
            if self._alive():
                self.writing = False
                done()

        def not_written(exc: BaseException) -> None:
            if self._alive():
                self.writing = False
                failed(exc)

        call_in_background(change, answered, not_written, "keyring-write")
