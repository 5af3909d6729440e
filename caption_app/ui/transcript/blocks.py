"""What one block of the transcript view shows: a turn's row, or the words of a gap."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QTextBlock

from caption_app.core.model.gaps import Gap
from caption_app.core.model.turns import Turn, line_tag, shown_text
from caption_app.core.transcript.export.common import GAP_REASONS, spoken_duration


@dataclass(frozen=True, slots=True)
class TurnRow:
    """What one turn's block shows; kept instead of the Turn so long sessions stay small."""

    start_ms: int
    speaker: str | None
    text: str
    tail: str = ""
    language: str | None = None
    """The language tag: the detected language (only when detection is on), ``es→en`` when
    the line is its English translation."""
    under: str = ""
    """The translation, shown under the line in a smaller type."""
    under_language: str = ""

    @classmethod
    def of(cls, turn: Turn, captions: str = "both") -> TurnRow:
        shown = shown_text(turn, captions)
        tag = line_tag(turn, captions, shown) or None
        return cls(
            turn.start_ms,
            turn.speaker,
            shown.main,
            shown.tail,
            tag,
            shown.under,
            shown.under_language,
        )


@dataclass(slots=True)
class FinishedBlock:
    block: QTextBlock
    line: TurnRow


def gap_text(gap: Gap) -> str:
    """The words shown for a gap, e.g. "— 12 s not captioned: no connection —"."""
    reason = GAP_REASONS.get(gap.reason, gap.reason)
    span = spoken_duration(max(1000, gap.duration_ms))
    return f"— {span} not captioned: {reason} —" if reason else f"— {span} not captioned —"
