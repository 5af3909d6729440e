"""SRT and WebVTT from the cue builder."""

from __future__ import annotations

from caption_app.core.transcript.cues import Cue, CueRules, build_cues
from caption_app.core.transcript.export.common import ExportOptions, subtitle_time
from caption_app.core.transcript.model import TranscriptDocument, speaker_name


def to_srt(doc: TranscriptDocument, options: ExportOptions) -> str:
    blocks = []
    for number, cue in enumerate(_cues(doc, options), start=1):
        timing = f"{subtitle_time(cue.start_ms, ',')} --> {subtitle_time(cue.end_ms, ',')}"
        blocks.append(f"{number}\n{timing}\n{cue.text}\n")
    return "\n".join(blocks)


def to_vtt(doc: TranscriptDocument, options: ExportOptions) -> str:
    blocks = ["WEBVTT\n"]
    for cue in _cues(doc, options):
        timing = f"{subtitle_time(cue.start_ms, '.')} --> {subtitle_time(cue.end_ms, '.')}"
        text = _vtt_escape(cue.text)
        if cue.speaker and options.speakers:
            # The voice span lets players and tools know the speaker; the visible prefix
            # (first cue of a turn) is what a viewer reads, since browsers don't show voices.
            text = f"<v {_vtt_escape(speaker_name(cue.speaker))}>{text}"
        blocks.append(f"{timing}\n{text}\n")
    return "\n".join(blocks)


def _cues(doc: TranscriptDocument, options: ExportOptions) -> list[Cue]:
    return build_cues(doc.entries, CueRules(speakers=options.speakers, captions=options.captions))


def _vtt_escape(text: str) -> str:
    # "&", "<" and ">" are markup in WebVTT cue text (and "-->" may not appear at all).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
