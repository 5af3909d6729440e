"""Plain-dict forms of transcript records, shared by the journal and the JSON export.

Decoding raises ``ValueError`` (or ``KeyError``/``TypeError``) on malformed input; callers turn
that into a message naming the file. Word text and speaker labels are interned on decode:
an 8-hour session repeats the same few thousand words and two or three labels.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from caption_app.core.model.gaps import Gap, Marker
from caption_app.core.model.turns import Translation, Turn, Word
from caption_app.core.transcript.model import SessionInfo, StreamInfo

JsonDict = dict[str, Any]


def info_to_dict(info: SessionInfo) -> JsonDict:
    return {
        "id": info.id,
        "started_at": info.started_at.astimezone(UTC).isoformat(),
        "engine": info.engine,
        "source": info.source,
        "settings": dict(info.settings),
        "title": info.title,
    }


def info_from_dict(data: JsonDict) -> SessionInfo:
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise ValueError("session settings are not an object")
    return SessionInfo(
        id=_str(data["id"]),
        started_at=parse_time(data["started_at"]),
        engine=_str(data.get("engine", "")),
        source=_str(data.get("source", "")),
        settings=settings,
        title=_str(data.get("title", "")),
    )


def parse_time(value: object) -> datetime:
    moment = datetime.fromisoformat(_str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # old or hand-edited files: treat as UTC
    return moment.astimezone(UTC)


def stream_to_dict(stream: StreamInfo) -> JsonDict:
    return {"index": stream.index, "session_id": stream.session_id, "offset_ms": stream.offset_ms}


def stream_from_dict(data: JsonDict) -> StreamInfo:
    session_id = data.get("session_id")
    return StreamInfo(
        index=_int(data["index"]),
        session_id=None if session_id is None else _str(session_id),
        offset_ms=_int(data.get("offset_ms", 0)),
    )


def gap_to_dict(gap: Gap) -> JsonDict:
    return {"start_ms": gap.start_ms, "end_ms": gap.end_ms, "reason": gap.reason}


def gap_from_dict(data: JsonDict) -> Gap:
    return Gap(_int(data["start_ms"]), _int(data["end_ms"]), _str(data.get("reason", "")))


def marker_to_dict(marker: Marker) -> JsonDict:
    return {"at_ms": marker.at_ms, "text": marker.text}


def marker_from_dict(data: JsonDict) -> Marker:
    return Marker(_int(data["at_ms"]), _str(data["text"]))


def turn_fields(turn: Turn) -> JsonDict:
    """Everything of a finished turn except its words."""
    return {
        "stream": turn.stream,
        "order": turn.order,
        "text": turn.text,
        "formatted": turn.formatted,
        "speaker": turn.speaker,
        "language": turn.language,
        "interrupted": turn.interrupted,
        "translation": translation_to_dict(turn.translation),
    }


def translation_to_dict(translation: Translation | None) -> JsonDict | None:
    if translation is None:
        return None
    return {"text": translation.text, "language": translation.language}


def translation_from_dict(data: object) -> Translation | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("a translation is not an object")
    return Translation(_str(data["text"]), sys.intern(_str(data["language"])))


def turn_from_fields(data: JsonDict, words: tuple[Word, ...]) -> Turn:
    return Turn(
        stream=_int(data["stream"]),
        order=_int(data["order"]),
        words=words,
        text=_str(data.get("text", "")),
        tail="",
        finished=True,
        formatted=bool(data.get("formatted", False)),
        speaker=_opt_label(data.get("speaker")),
        language=_opt_label(data.get("language")),
        interrupted=bool(data.get("interrupted", False)),
        translation=translation_from_dict(data.get("translation")),
    )


def word_to_row(word: Word) -> list[object]:
    """Compact journal form: [text, start_ms, end_ms, confidence, speaker(, false)]."""
    row: list[object] = [word.text, word.start_ms, word.end_ms, word.confidence, word.speaker]
    if not word.is_final:
        row.append(False)
    return row


def word_from_row(row: object) -> Word:
    if not isinstance(row, list) or len(row) not in (5, 6):
        raise ValueError("a word is not a 5- or 6-item list")
    return Word(
        text=sys.intern(_str(row[0])),
        start_ms=_int(row[1]),
        end_ms=_int(row[2]),
        confidence=_float(row[3]),
        is_final=bool(row[5]) if len(row) == 6 else True,
        speaker=_opt_label(row[4]),
    )


def word_to_dict(word: Word) -> JsonDict:
    """Self-describing export form."""
    return {
        "text": word.text,
        "start_ms": word.start_ms,
        "end_ms": word.end_ms,
        "confidence": word.confidence,
        "speaker": word.speaker,
        "is_final": word.is_final,
    }


def word_from_dict(data: object) -> Word:
    if not isinstance(data, dict):
        raise ValueError("a word is not an object")
    return Word(
        text=sys.intern(_str(data["text"])),
        start_ms=_int(data["start_ms"]),
        end_ms=_int(data["end_ms"]),
        confidence=_float(data.get("confidence", 0.0)),
        is_final=bool(data.get("is_final", True)),
        speaker=_opt_label(data.get("speaker")),
    )


def _opt_label(value: object) -> str | None:
    return None if value is None else sys.intern(_str(value))


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, found {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {type(value).__name__}")
    return value


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, found {type(value).__name__}")
    return float(value)
