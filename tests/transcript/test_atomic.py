"""Atomic writes: whole file or nothing, UTF-8, and no silent overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest

from caption_app.core.transcript import TargetExistsError, atomic_write_text, write_export
from tests.transcript.builders import meeting


def test_writes_utf8_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    atomic_write_text(target, "Grüße — 你好\n")
    assert target.read_bytes() == "Grüße — 你好\n".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_existing_file_is_never_overwritten_without_asking(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("my edits", encoding="utf-8")
    with pytest.raises(TargetExistsError) as caught:
        atomic_write_text(target, "new")
    assert isinstance(caught.value, FileExistsError)
    assert str(target) in str(caught.value)
    assert target.read_text(encoding="utf-8") == "my edits"
    with pytest.raises(FileExistsError):
        write_export(meeting().snapshot(), target)
    assert target.read_text(encoding="utf-8") == "my edits"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_overwrite_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.srt"
    target.write_text("old content that is longer than the new one", encoding="utf-8")
    write_export(meeting().snapshot(), target, overwrite=True)
    assert target.read_text(encoding="utf-8").startswith("1\n00:00:01,000 --> ")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.srt"]


def test_failed_write_leaves_the_target_untouched(tmp_path: Path) -> None:
    missing_dir = tmp_path / "gone" / "notes.txt"
    with pytest.raises(FileNotFoundError):
        atomic_write_text(missing_dir, "text")
    assert list(tmp_path.iterdir()) == []
