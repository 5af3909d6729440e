"""Atomic file writes: a temporary file in the target's directory, fsync, then rename.

A reader (or a crash) sees either the old state or the whole new file, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class TargetExistsError(FileExistsError):
    """The target file exists and the caller did not allow replacing it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; choose another name or allow replacing it")
        self.filename = str(path)


def atomic_write_text(path: Path, text: str, *, overwrite: bool = False) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically; refuses an existing file unless allowed."""
    data = text.encode("utf-8")
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o644)  # an ordinary document, not mkstemp's owner-only 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_without_replacing(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_directory(directory)


def _link_without_replacing(tmp: Path, path: Path) -> None:
    # os.link fails if the target exists, so a file that appeared since the caller asked is
    # never clobbered; filesystems without hard links fall back to check-then-rename.
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise TargetExistsError(path) from None
    except OSError:
        if path.exists():
            raise TargetExistsError(path) from None
        os.replace(tmp, path)
        return
    tmp.unlink()


def fsync_directory(directory: Path) -> None:
    """Persist a directory entry (a new or renamed file); a no-op where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
