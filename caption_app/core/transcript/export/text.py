"""Plain text and Markdown: a transcript to read, paste into notes, or print."""

from __future__ import annotations

import re

from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.model.turns import Turn, line_tag, shown_text
from caption_app.core.transcript.export.common import (
    ExportOptions,
    clock,
    gap_line,
    header_facts,
)
from caption_app.core.transcript.model import TranscriptDocument, speaker_name


def to_txt(doc: TranscriptDocument, options: ExportOptions) -> str:
    paragraphs: list[str] = []
    tagged = _tags_languages(doc)
    if options.header:
        title = doc.info.display_title
        facts = " · ".join(f"{label}: {value}" for label, value in header_facts(doc))
        paragraphs.append(f"{title}\n{facts}")
    for entry in doc.entries:
        if isinstance(entry, Gap):
            paragraphs.append(gap_line(entry))
        elif isinstance(entry, Marker):
            paragraphs.append(f"[{entry.text}]")
        elif (shown := shown_text(entry, options.captions)).main:
            paragraph = _lead(entry, options, tagged) + shown.main
            if shown.under:
                paragraph += f"\n    [{shown.under_language}] {shown.under}"
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) + "\n"


def to_markdown(doc: TranscriptDocument, options: ExportOptions) -> str:
    blocks: list[str] = []
    tagged = _tags_languages(doc)
    if options.header:
        blocks.append(f"# {_escape(doc.info.display_title)}")
        blocks.append("\n".join(f"- **{k}:** {_escape(v)}" for k, v in header_facts(doc)))
    for entry in doc.entries:
        if isinstance(entry, Gap):
            blocks.append(f"*{_escape(gap_line(entry))}*")
        elif isinstance(entry, Marker):
            blocks.append(f"*{_escape(entry.text)}*")
        elif (shown := shown_text(entry, options.captions)).main:
            lead = _lead(entry, options, tagged)
            text = _escape(shown.main)
            block = f"**{_escape(lead.strip())}** {text}" if lead else text
            if shown.under:
                block += f"  \n*[{shown.under_language}] {_escape(shown.under)}*"
            blocks.append(block)
    return "\n\n".join(blocks) + "\n"


def _tags_languages(doc: TranscriptDocument) -> bool:
    """Lines carry their language when anything but English was spoken."""
    return any(language != "en" for language in doc.languages)


def _lead(turn: Turn, options: ExportOptions, tagged: bool) -> str:
    parts = []
    if options.timestamps:
        parts.append(f"[{clock(turn.start_ms)}]")
    if tagged and turn.language:
        parts.append(f"[{line_tag(turn, options.captions)}]")
    if options.speakers and turn.speaker:
        parts.append(f"{speaker_name(turn.speaker)}:")
    return " ".join(parts) + " " if parts else ""


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_<>#|])")


def _escape(text: str) -> str:
    # Spoken text rarely holds Markdown syntax, but a stray "*" or "#" must not restyle notes.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
