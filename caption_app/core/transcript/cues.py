"""Subtitle cues from word times, for SRT and WebVTT.

Rules (the usual broadcast limits): at most 2 lines of at most 42 characters, at most 7 s on
screen, never two cues at once. A cue never spans two turns; inside a turn a cue ends early at
a sentence end (or else a clause end) rather than mid-phrase, and at a long pause. The text is
the turn's display text (formatted when the service formatted it); when formatting changed the
word count ("twenty five" -> "25"), tokens get times proportionally from the words. A turn's
translation either goes under the original in each of its cues (shared out among them in
proportion to their words: bilingual subtitles), or makes the cues alone (a translation track),
its words timed proportionally over the turn's words in the same way.
Turns without word times cannot be placed on the timeline and are left out; gaps show as time
with no cue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from caption_app.core.model.turns import Turn
from caption_app.core.transcript.model import Entry, speaker_name

SENTENCE_ENDS = (".", "?", "!", "…", '."', '?"', '!"')
CLAUSE_ENDS = (",", ";", ":", "—", "-")


@dataclass(frozen=True, slots=True)
class CueRules:
    max_chars: int = 42
    max_lines: int = 2
    max_duration_ms: int = 7000
    min_duration_ms: int = 1000
    """Short cues are held this long when the next cue leaves room (readability)."""
    pause_break_ms: int = 2000
    """A silence this long inside a turn ends the cue."""
    speakers: bool = True
    """Prefix a cue that starts a turn with its speaker's name, when known."""
    captions: str = "both"
    """``original``, ``translation`` (the translation alone, where a turn has one) or
    ``both`` (the translation under the original in each cue)."""


@dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    """Display lines; the first one starts with ``prefix`` when there is one."""
    speaker: str | None = None
    prefix: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start_ms: int
    end_ms: int


def build_cues(entries: Iterable[Entry], rules: CueRules = CueRules()) -> list[Cue]:
    turns = sorted((e for e in entries if isinstance(e, Turn) and e.words), key=_turn_start)
    cues: list[Cue] = []
    for turn in turns:
        cues.extend(_turn_cues(turn, rules))
    return _fix_timing(cues, rules)


def _turn_start(turn: Turn) -> int:
    return turn.start_ms


def _turn_cues(turn: Turn, rules: CueRules) -> list[Cue]:
    translation = turn.translation.text.split() if turn.translation else []
    texts = turn.text.split()
    # A translation track's line left untranslated (Whisper wrote the spoken language back;
    # a translation that never came) says so: "[es] muchas gracias…", never passed as English.
    tag = ""
    if translation and (rules.captions == "translation" or not texts):
        texts, translation = translation, []
    elif rules.captions == "original":
        translation = []
    elif rules.captions == "translation" and turn.language:
        tag = f"[{turn.language}] "
    cues = _cues_of(turn, texts, rules, tag)
    if not translation or not cues:
        return cues
    return _with_translation(cues, translation, rules)


def _with_translation(cues: list[Cue], words: list[str], rules: CueRules) -> list[Cue]:
    """Each cue with its share of the translation's words under its own lines."""
    sizes = [sum(len(line.split()) for line in cue.lines) for cue in cues]
    total = sum(sizes) or 1
    result, used, seen = [], 0, 0
    for cue, size in zip(cues, sizes, strict=True):
        seen += size
        upto = len(words) if cue is cues[-1] else round(len(words) * seen / total)
        share, used = words[used:upto], upto
        lines = cue.lines + tuple(_wrapped(share, rules.max_chars))
        result.append(Cue(cue.start_ms, cue.end_ms, lines, cue.speaker, cue.prefix))
    return result


def _wrapped(words: Sequence[str], max_chars: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _cues_of(turn: Turn, texts: list[str], rules: CueRules, tag: str = "") -> list[Cue]:
    tokens = _timed_tokens(turn, texts, rules.max_chars)
    prefix = ""
    if rules.speakers and turn.speaker:
        prefix = f"{speaker_name(turn.speaker)}: "
        if len(prefix) > rules.max_chars // 2:
            prefix = ""  # a name that long would crowd out the words
    prefix = tag + prefix
    cues = []
    i = 0
    while i < len(tokens):
        cue_prefix = prefix if i == 0 else ""
        j = _extend(tokens, i, cue_prefix, rules)
        if j < len(tokens):
            j = _preferred_break(tokens, i, j)
        chunk = tokens[i:j]
        lines = _balanced_lines([t.text for t in chunk], cue_prefix, rules)
        cues.append(Cue(chunk[0].start_ms, chunk[-1].end_ms, lines, turn.speaker, cue_prefix))
        i = j
    return cues


def _extend(tokens: Sequence[_Token], i: int, prefix: str, rules: CueRules) -> int:
    """The end (exclusive) of the longest run from ``i`` that fits the line and time limits."""
    lines_used = 1
    line_len = len(prefix) + len(tokens[i].text)
    j = i + 1
    while j < len(tokens):
        token = tokens[j]
        if token.end_ms - tokens[i].start_ms > rules.max_duration_ms:
            break
        if token.start_ms - tokens[j - 1].end_ms >= rules.pause_break_ms:
            break
        if line_len + 1 + len(token.text) <= rules.max_chars:
            line_len += 1 + len(token.text)
        elif lines_used < rules.max_lines:
            lines_used += 1
            line_len = len(token.text)
        else:
            break
        j += 1
    return j


def _preferred_break(tokens: Sequence[_Token], i: int, j: int) -> int:
    """Move a forced break back to a sentence (or clause) end if that keeps the cue sizable."""
    full = sum(len(t.text) + 1 for t in tokens[i:j])
    for ends, share in ((SENTENCE_ENDS, 0.25), (CLAUSE_ENDS, 0.5)):
        if tokens[j - 1].text.endswith(ends):
            return j
        size = full
        for k in range(j - 1, i, -1):
            size -= len(tokens[k].text) + 1
            if size < share * full:
                break
            if tokens[k - 1].text.endswith(ends):
                return k
    return j


def _balanced_lines(words: Sequence[str], prefix: str, rules: CueRules) -> tuple[str, ...]:
    one = prefix + " ".join(words)
    if len(one) <= rules.max_chars or len(words) == 1 or rules.max_lines < 2:
        return (one,)
    # Two lines as even as possible (a lopsided 42 + 3 split reads badly).
    best: tuple[str, str] | None = None
    best_width = 0
    for k in range(1, len(words)):
        first = prefix + " ".join(words[:k])
        second = " ".join(words[k:])
        width = max(len(first), len(second))
        if width <= rules.max_chars and (best is None or width < best_width):
            best, best_width = (first, second), width
    if best is None:  # cannot happen for runs built by _extend; keep the text anyway
        return (one,)
    return best


def _timed_tokens(turn: Turn, texts: list[str], max_chars: int) -> list[_Token]:
    words = turn.words
    texts = texts or [w.text for w in words]
    if len(texts) == len(words):
        timed = [_Token(t, w.start_ms, w.end_ms) for t, w in zip(texts, words, strict=True)]
    else:
        count, n = len(texts), len(words)
        timed = []
        for index, text in enumerate(texts):
            first = index * n // count
            last = max(first, ((index + 1) * n - 1) // count)
            timed.append(_Token(text, words[first].start_ms, words[last].end_ms))
    tokens: list[_Token] = []
    for token in timed:
        if len(token.text) <= max_chars:
            tokens.append(token)
        else:  # a URL or similar longer than a line: cut it into line-sized pieces
            for at in range(0, len(token.text), max_chars):
                tokens.append(_Token(token.text[at : at + max_chars], token.start_ms, token.end_ms))
    return tokens


def _fix_timing(cues: list[Cue], rules: CueRules) -> list[Cue]:
    """No overlaps, no empty or over-long cues, short cues held for reading when room allows."""
    starts: list[int] = []
    ends: list[int] = []
    for cue in cues:
        start = cue.start_ms if not starts else max(cue.start_ms, starts[-1] + 1)
        end = min(max(cue.end_ms, start + 1), start + rules.max_duration_ms)
        if ends and ends[-1] > start:
            ends[-1] = start  # clamp the earlier cue; word times can overlap across streams
        starts.append(start)
        ends.append(end)
    fixed = []
    for index, cue in enumerate(cues):
        start, end = starts[index], ends[index]
        limit = starts[index + 1] if index + 1 < len(cues) else end + rules.min_duration_ms
        held = min(start + rules.min_duration_ms, limit, start + rules.max_duration_ms)
        fixed.append(Cue(start, max(end, held), cue.lines, cue.speaker, cue.prefix))
    return fixed
