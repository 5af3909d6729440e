"""Small factories for transcript tests: real Turn/Word objects with chosen times."""

from __future__ import annotations

from datetime import UTC, datetime

from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind, Word
from caption_app.core.transcript import SessionInfo, SessionTranscript, new_session_id

STARTED = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def make_info(
    *, title: str = "", started_at: datetime = STARTED, source: str = "Built-in Microphone"
) -> SessionInfo:
    return SessionInfo(
        id=new_session_id(started_at),
        started_at=started_at,
        engine="assemblyai",
        source=source,
        settings={"speech_model": "universal-streaming-english", "speaker_labels": True},
        title=title,
    )


def make_turn(
    stream: int,
    order: int,
    text: str,
    start_ms: int,
    *,
    word_ms: int = 300,
    step_ms: int = 400,
    speaker: str | None = None,
    language: str | None = "en",
    formatted: bool = True,
) -> Turn:
    words = tuple(
        Word(w, start_ms + i * step_ms, start_ms + i * step_ms + word_ms, 0.91, True, speaker)
        for i, w in enumerate(text.split())
    )
    return Turn(
        stream=stream,
        order=order,
        words=words,
        text=text,
        tail="",
        finished=True,
        formatted=formatted,
        speaker=speaker,
        language=language,
    )


def finished(turn: Turn) -> TurnUpdate:
    return TurnUpdate(UpdateKind.FINISHED, turn)


def meeting(info: SessionInfo | None = None) -> SessionTranscript:
    """Two speakers, a reconnect gap and a second stream: the shape of a real session."""
    transcript = SessionTranscript(info or make_info(title="Weekly sync"))
    transcript.add_stream(0, "sess-0", 0)
    transcript.apply(finished(make_turn(0, 0, "Good morning, everyone.", 1_000, speaker="A")))
    transcript.apply(
        finished(make_turn(0, 1, "Morning! Shall we start with the budget?", 3_000, speaker="B"))
    )
    transcript.add_gap(7_000, 19_000, "reconnect")
    transcript.add_stream(1, "sess-1", 19_000)
    transcript.apply(
        finished(
            make_turn(1, 0, "Yes, the numbers for März are ready & final.", 19_500, speaker="A")
        )
    )
    return transcript
