"""Advisory file locks that tell a journal being written from one whose writer died.

The kernel drops a process's locks when it dies (kill -9 included), so "locked" means "a live
writer has it open". Where ``fcntl`` is missing (Windows) nothing is locked and every journal
without an end record counts as unfinished.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_exclusive(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits out a probe's brief shared lock


def unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def in_use(path: Path) -> bool:
    """True while a live writer (in any process) holds the journal open."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
