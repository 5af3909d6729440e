"""JSON export: everything the session knows (turns, words, times, confidence, speakers, gaps).

Metadata is indented for people; each entry sits on one line so an 8-hour session (about
70,000 words) stays fast to write (the C encoder only runs without ``indent``) and diffable.
``load_json_export`` reads it back into the same document.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.model.turns import Turn
from caption_app.core.transcript import codec
from caption_app.core.transcript.errors import TranscriptFileError
from caption_app.core.transcript.export.common import ExportOptions
from caption_app.core.transcript.model import Entry, TranscriptDocument

JSON_FORMAT = "caption-app-transcript"
JSON_VERSION = 1


def to_json(doc: TranscriptDocument, options: ExportOptions) -> str:
    del options  # the JSON export is always complete
    head: dict[str, Any] = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "session": codec.info_to_dict(doc.info),
        "ended_at": doc.ended_at.isoformat() if doc.ended_at else None,
        "summary": {
            "words": doc.word_count,
            "turns": sum(1 for _ in doc.turns),
            "duration_ms": doc.duration_ms,
            "speakers": list(doc.speakers),
            "languages": list(doc.languages),
            "inputs": list(doc.inputs),
            # What was captioned: the session's length less its gaps (paused, no input, no
            # connection). It was the session's length again (the ninth and tenth walks).
            "captioned_ms": max(0, doc.duration_ms - sum(g.duration_ms for g in doc.gaps)),
            "billed_audio_s": doc.billed_audio_s,
        },
        "streams": [codec.stream_to_dict(s) for s in doc.streams],
    }
    lines = ["{"]
    lines.extend(f"  {json.dumps(k)}: {_dumps(v)}," for k, v in head.items())
    lines.append('  "entries": [')
    lines.append(",\n".join("    " + _dumps(_entry_dict(e)) for e in doc.entries))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _entry_dict(entry: Entry) -> dict[str, Any]:
    if isinstance(entry, Gap):
        return {"type": "gap", **codec.gap_to_dict(entry)}
    if isinstance(entry, Marker):
        return {"type": "marker", **codec.marker_to_dict(entry)}
    record: dict[str, Any] = {"type": "turn", **codec.turn_fields(entry)}
    record["words"] = [codec.word_to_dict(w) for w in entry.words]
    return record


def load_json_export(path: Path) -> TranscriptDocument:
    """Read a JSON export back; a foreign, newer or damaged file raises TranscriptFileError."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise TranscriptFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TranscriptFileError(path, f"it is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise TranscriptFileError(path, "it is not a Caption App transcript export")
    version = data.get("version")
    if not isinstance(version, int) or version > JSON_VERSION:
        raise TranscriptFileError(
            path,
            f"it was written by a newer version of Caption App (format {version}; "
            f"this version reads up to {JSON_VERSION})",
        )
    try:
        ended = data.get("ended_at")
        entries = tuple(_entry_from_dict(e) for e in data["entries"])
        doc = TranscriptDocument(
            info=codec.info_from_dict(data["session"]),
            entries=entries,
            streams=tuple(codec.stream_from_dict(s) for s in data.get("streams", [])),
            ended_at=None if ended is None else codec.parse_time(ended),
        )
        return replace(doc, **_totals(data.get("summary"), doc.duration_ms))
    except (KeyError, TypeError, ValueError) as exc:
        raise TranscriptFileError(path, f"its content is damaged ({exc!r})") from None


def _entry_from_dict(data: dict[str, Any]) -> Entry:
    if data.get("type") == "gap":
        return codec.gap_from_dict(data)
    if data.get("type") == "marker":
        return codec.marker_from_dict(data)
    if data.get("type") == "turn":
        words = tuple(codec.word_from_dict(w) for w in data["words"])
        turn: Turn = codec.turn_from_fields(data, words)
        return turn
    raise ValueError(f"unknown entry type {data.get('type')!r}")


def _totals(summary: object, entries_end_ms: int) -> dict[str, Any]:
    """The session's measured length (when longer than its entries, which say the rest) and
    billed audio, when the summary holds them."""
    if not isinstance(summary, dict):
        return {}
    # The session's length: ``duration_ms``; files written before it existed as such held it
    # in ``captioned_ms``.
    duration = summary.get("duration_ms", summary.get("captioned_ms"))
    billed = summary.get("billed_audio_s")
    totals: dict[str, Any] = {}
    if isinstance(duration, int) and not isinstance(duration, bool) and duration > entries_end_ms:
        totals["captioned_ms"] = duration
    if isinstance(billed, int | float) and not isinstance(billed, bool) and billed >= 0:
        totals["billed_audio_s"] = float(billed)
    return totals
