"""SRT and WebVTT from the cue builder.

WebVTT also says, in ``NOTE`` blocks between the cues, where nothing was captioned and why (a
pause, a lost connection) and where captions moved to another engine, as the text export does
(the fifth walk: a 40 s pause left an unexplained hole in the cues); players do not show them.
SRT has no comments.
"""

from __future__ import annotations

from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.transcript.cues import Cue, CueRules, build_cues
from caption_app.core.transcript.export.common import ExportOptions, gap_line, subtitle_time
from caption_app.core.transcript.model import TranscriptDocument, speaker_name


def to_srt(doc: TranscriptDocument, options: ExportOptions) -> str:
    blocks = []
    for number, cue in enumerate(_cues(doc, options), start=1):
        timing = f"{subtitle_time(cue.start_ms, ',')} --> {subtitle_time(cue.end_ms, ',')}"
        blocks.append(f"{number}\n{timing}\n{cue.text}\n")
    return "\n".join(blocks)


def to_vtt(doc: TranscriptDocument, options: ExportOptions) -> str:
    blocks = ["WEBVTT\n"]
    notes = sorted(_notes(doc), key=lambda timed: timed[0])
    for cue in _cues(doc, options):
        while notes and notes[0][0] <= cue.start_ms:
            blocks.append(_note(notes.pop(0)[1]))
        timing = f"{subtitle_time(cue.start_ms, '.')} --> {subtitle_time(cue.end_ms, '.')}"
        text = _vtt_escape(cue.text)
        if cue.speaker and options.speakers:
            # The voice span lets players and tools know the speaker; the visible prefix
            # (first cue of a turn) is what a viewer reads, since browsers don't show voices.
            text = f"<v {_vtt_escape(speaker_name(cue.speaker))}>{text}"
        blocks.append(f"{timing}\n{text}\n")
    blocks += [_note(entry) for _, entry in notes]
    return "\n".join(blocks)


def _notes(doc: TranscriptDocument) -> list[tuple[int, Gap | Marker]]:
    """The gaps and markers, each with its time."""
    found: list[tuple[int, Gap | Marker]] = []
    for entry in doc.entries:
        if isinstance(entry, Gap) and entry.duration_ms > 0:
            found.append((entry.start_ms, entry))
        elif isinstance(entry, Marker):
            found.append((entry.at_ms, entry))
    return found


def _note(entry: Gap | Marker) -> str:
    # A NOTE may not hold "-->": the times are written "from … to …".
    if isinstance(entry, Gap):
        span = f"{subtitle_time(entry.start_ms, '.')} to {subtitle_time(entry.end_ms, '.')}"
        text = f"{span} {gap_line(entry)}"
    else:
        text = f"{subtitle_time(entry.at_ms, '.')} {entry.text}"
    return f"NOTE {text.replace('-->', '->')}\n"


def _cues(doc: TranscriptDocument, options: ExportOptions) -> list[Cue]:
    return build_cues(doc.entries, CueRules(speakers=options.speakers, captions=options.captions))


def _vtt_escape(text: str) -> str:
    # "&", "<" and ">" are markup in WebVTT cue text (and "-->" may not appear at all).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
