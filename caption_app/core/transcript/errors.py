"""The one error type a reader of transcript files sees: it names the file and says why."""

from __future__ import annotations

from pathlib import Path


class TranscriptFileError(Exception):
    """A transcript file cannot be read or written. Nothing was changed or deleted."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
