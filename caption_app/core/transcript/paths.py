"""Where session journals live: the platform's user data directory, overridable for tests."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "caption-app"
DATA_DIR_ENV = "CAPTION_APP_DATA_DIR"


def data_dir() -> Path:
    """``$CAPTION_APP_DATA_DIR`` when set, else the platform's user data dir (XDG on Linux)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def transcripts_dir(*, create: bool = True) -> Path:
    directory = data_dir() / "transcripts"
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    return directory
