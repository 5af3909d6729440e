"""Noticing, the moment it happens, that the SDK's read thread died.

SDK 1.8.2 parses every server frame on its read thread and lets anything it cannot read (a
binary frame, JSON that is a list or a string, a Turn or Warning with a wrongly typed field)
escape as an exception. The thread ends, no handler is called, and Python's default
``threading.excepthook`` prints the traceback to the terminal; captions would stop until the
session's watchdog gives up on the silent connection seconds later.

``watch`` chains a hook in front of whatever ``threading.excepthook`` was: for a watched thread
it logs the traceback through ``logging`` (masked: a server's text can quote anything) instead
of printing it, and calls the connection's callback at once, so the session reconnects now.
Every other thread's exception goes to the previous hook unchanged. The previous hook is put
back when the last watched thread is let go (``unwatch``), unless someone has chained another
hook on top since, in which case ours stays in the chain (and is not installed twice).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

from caption_app.core.log_masking import masking_filter

log = logging.getLogger(__name__)

Died = Callable[[BaseException | None], None]
"""Called on the dying thread with its exception; it must only enqueue."""


class _Chain:
    """The watched threads and the hook ours stands in front of."""

    def __init__(self) -> None:
        self.previous: Callable[[threading.ExceptHookArgs], object] | None = None


_lock = threading.Lock()
_watched: dict[threading.Thread, Died] = {}
_chain = _Chain()


def _hook(args: threading.ExceptHookArgs) -> None:
    thread = args.thread
    with _lock:
        died = _watched.pop(thread, None) if thread is not None else None
        previous = _chain.previous
    if died is None:
        if previous is not None:
            previous(args)
        return
    name = args.exc_type.__name__
    text = masking_filter().mask(str(args.exc_value))
    stack = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    log.warning("the AssemblyAI SDK's reader stopped on a message it could not read: %s", name)
    log.debug("%s: %s\n%s", name, text, masking_filter().mask(stack))
    try:
        died(args.exc_value)
    except Exception:
        log.exception("reporting the lost reader failed")


def watch(thread: threading.Thread, died: Died) -> None:
    """Report ``thread``'s death by exception through ``died`` (once), instead of stderr."""
    with _lock:
        for old in [t for t in _watched if t.ident is not None and not t.is_alive()]:
            del _watched[old]  # ended quietly, never unwatched: nothing left to report
        _watched[thread] = died
        if _chain.previous is None:  # not in the chain yet (or put back): install in front
            _chain.previous = threading.excepthook
            threading.excepthook = _hook


def unwatch(thread: threading.Thread) -> None:
    """Stop watching ``thread``; the last one out puts the previous hook back."""
    with _lock:
        _watched.pop(thread, None)
        if not _watched and threading.excepthook is _hook and _chain.previous is not None:
            threading.excepthook = _chain.previous
            _chain.previous = None


def watching() -> int:
    """How many threads are watched now (for tests: none once every connection closed)."""
    with _lock:
        return len(_watched)
