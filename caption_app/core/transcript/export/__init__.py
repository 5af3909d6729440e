"""Transcript exports: TXT, Markdown, SRT, WebVTT and JSON, written atomically."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from caption_app.core.transcript.atomic import TargetExistsError, atomic_write_text
from caption_app.core.transcript.export.common import ExportOptions
from caption_app.core.transcript.export.json_format import load_json_export, to_json
from caption_app.core.transcript.export.subtitles import to_srt, to_vtt
from caption_app.core.transcript.export.text import to_markdown, to_txt
from caption_app.core.transcript.model import TranscriptDocument

__all__ = [
    "FORMATS",
    "ExportOptions",
    "TargetExistsError",
    "export_document",
    "format_for_path",
    "load_json_export",
    "suggested_file_name",
    "write_export",
]

_Renderer = Callable[[TranscriptDocument, ExportOptions], str]
_RENDERERS: dict[str, _Renderer] = {
    "txt": to_txt,
    "md": to_markdown,
    "srt": to_srt,
    "vtt": to_vtt,
    "json": to_json,
}
FORMATS: dict[str, str] = {
    "txt": "Plain text",
    "md": "Markdown",
    "srt": "SubRip subtitles",
    "vtt": "WebVTT subtitles",
    "json": "JSON (complete)",
}
_SUFFIXES = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".srt": "srt",
    ".vtt": "vtt",
    ".json": "json",
}
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def suggested_file_name(title: str, fallback: str, fmt: str = "txt") -> str:
    """A file name from a session title that every file system accepts (no ``/``, ``:``…)."""
    name = " ".join(_UNSAFE_FILE_CHARS.sub(" ", title).split()).strip(" .")
    return f"{name or fallback}.{fmt}"


def export_document(doc: TranscriptDocument, fmt: str, options: ExportOptions | None = None) -> str:
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderer(doc, options or ExportOptions())


def format_for_path(path: Path) -> str:
    """The format a file name asks for (``notes.md`` -> ``md``)."""
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"Cannot tell the export format from {path.name!r}")
    return fmt


def write_export(
    doc: TranscriptDocument,
    path: Path,
    fmt: str | None = None,
    options: ExportOptions | None = None,
    *,
    overwrite: bool = False,
) -> None:
    """Render and write atomically as UTF-8; ``TargetExistsError`` if ``path`` exists and
    ``overwrite`` is False (ask the person, then call again with ``overwrite=True``)."""
    if not overwrite and path.exists():
        raise TargetExistsError(path)  # early, before rendering; the write checks again
    text = export_document(doc, fmt or format_for_path(path), options)
    atomic_write_text(path, text, overwrite=overwrite)
