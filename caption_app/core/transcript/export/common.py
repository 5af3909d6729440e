"""Shared wording and time formats for the human-readable exports."""

from __future__ import annotations

from dataclasses import dataclass

from caption_app.core.model.gaps import Gap, GapReason, Marker, inputs_fact, stood_in_ms
from caption_app.core.transcript.model import TranscriptDocument, whole_seconds

GAP_REASONS: dict[str, str] = {
    GapReason.RECONNECT: "no connection",  # lost, or never made (the seventh walk)
    GapReason.PAUSE: "paused",
    GapReason.DEVICE: "audio input changed",
    GapReason.INPUT_LOST: "audio input lost",
    GapReason.ROLLOVER: "session renewed",
    GapReason.SWITCH: "switching engines",
}


@dataclass(frozen=True, slots=True)
class ExportOptions:
    timestamps: bool = False
    """TXT/Markdown: start each turn with its time on the session clock."""
    speakers: bool = True
    """Name the speaker of each turn (TXT/Markdown) or cue (SRT/WebVTT) when known."""
    header: bool = True
    """TXT/Markdown: title, date, length and source above the transcript."""
    captions: str = "both"
    """Where turns were translated: ``both`` (each translation under its line), ``original``
    or ``translation`` (the translation alone, as a subtitle track of its own)."""


def clock(ms: int) -> str:
    """``HH:MM:SS`` on the session clock (hours grow past 99 if they must)."""
    seconds = max(0, ms) // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def subtitle_time(ms: int, separator: str) -> str:
    """``HH:MM:SS,mmm`` (SRT) or ``HH:MM:SS.mmm`` (WebVTT)."""
    ms = max(0, ms)
    seconds, millis = divmod(ms, 1000)
    return (
        f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{separator}{millis:03d}"
    )


def spoken_duration(ms: int) -> str:
    """``12 s``, ``3 min 5 s``, ``1 h 2 min``: how a person says a length."""
    seconds = whole_seconds(ms)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def gap_line(gap: Gap) -> str:
    reason = GAP_REASONS.get(gap.reason, gap.reason or "no captions")
    return f"[… {spoken_duration(gap.duration_ms)} not captioned: {reason} …]"


def header_facts(doc: TranscriptDocument) -> list[tuple[str, str]]:
    """(label, value) pairs describing the session, local time for the date."""
    started = doc.info.started_at.astimezone()
    facts = [
        ("Date", f"{started:%Y-%m-%d %H:%M} ({started:%Z})"),
        ("Length", spoken_duration(doc.duration_ms) + _so_far(doc)),
        ("Words", f"{doc.word_count:,}"),
    ]
    if doc.info.source:
        facts.append(("Source", inputs_fact(doc.inputs)))
    if doc.info.engine:
        facts.append(("Engine", engine_fact(doc)))
    return facts


def _so_far(doc: TranscriptDocument) -> str:
    """Said of a session exported while it ran (its length so far, no end yet)."""
    if doc.ended_at is None and doc.captioned_ms > 0:
        return " so far (captions were still running; the line being spoken is not in it)"
    return ""


def engine_fact(doc: TranscriptDocument) -> str:
    """The engine the session began with, and how long this computer's stood in for it (the
    third walk: a session captioned partly here was headed with the cloud's name alone)."""
    markers = [e for e in doc.entries if isinstance(e, Marker)]
    gaps = [e for e in doc.entries if isinstance(e, Gap)]
    here_ms = stood_in_ms(markers, doc.duration_ms, gaps)
    if here_ms <= 0:
        return doc.info.engine
    if here_ms >= doc.duration_ms - 1000:
        return f"on this computer, in place of {doc.info.engine}"
    return f"{doc.info.engine}, and on this computer for {spoken_duration(here_ms)}"
