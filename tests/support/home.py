"""A private home for a test of the whole app: its settings, transcripts and temp files all
under the test's own folder, the OS keyring switched off, and the API key it is given."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest


def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_key: str | None) -> Path:
    for name in ("home", "data", "tmp"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CAPTION_APP_DATA_DIR", str(tmp_path / "data"))
    if api_key is None:
        monkeypatch.delenv("ASSEMBLYAI_API_KEY", raising=False)
    else:
        monkeypatch.setenv("ASSEMBLYAI_API_KEY", api_key)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path
