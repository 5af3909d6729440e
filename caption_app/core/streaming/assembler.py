"""Turn assembly: Turn messages in, immutable caption snapshots out.

The service sends many messages per turn, keyed by ``turn_order``. Two server behaviours exist
(protocol doc section 5.3): legacy formatting sends an unformatted end-of-turn message followed by
a formatted one with the same ``turn_order``; current servers format inline and send a single
end-of-turn message. The robust rule, used here: key turns by (stream, turn_order), update the
live turn in place, and let the last end-of-turn message for a key replace the turn. A turn is
therefore never shown twice, and a formatted swap happens exactly once. Universal-3 Pro partials
carry the whole text so far with every word non-final; they are drawn as one dimmed tail.

A *stream* is one streaming connection. Reconnects and rollovers open a new stream whose
``turn_order`` starts again at 0 and whose word times start again at 0; ``begin_stream`` gives
each stream its offset on the session clock so every time handed out is on one clock, and
where the words before it end: a new connection hears again the audio after the last word the
one before it reported (and a little before, so a word cut at the boundary is heard whole), so
a word it reports that lies mostly before that point was captioned already and is left out.
A text is therefore never captioned twice across a reconnect or a switch of engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from caption_app.core.model.turns import (
    Attribution,
    SpeakerRevision,
    Translation,
    Turn,
    TurnKey,
    TurnMessage,
    TurnUpdate,
    UpdateKind,
    Word,
    WordMessage,
)


class TurnAssembler:
    """Builds turn snapshots from Turn messages; costs O(1) per message at any session length.

    It keeps only what later messages can still change: the live turn of each stream, and the
    finished turns (by key) that a legacy formatted message or a speaker revision may replace.
    """

    def __init__(self, attribute: Attribution | None = None) -> None:
        self.attribute = attribute
        """Names speakers the service did not (the input changes it when it switches)."""
        self._offsets: dict[int, int] = {}
        self._captioned_until: dict[int, int] = {}
        self._live: dict[int, Turn] = {}
        self._finished: dict[TurnKey, Turn] = {}
        self._early: dict[TurnKey, Translation] = {}
        """Translations that came before their turn ended (kept until it does)."""
        self._cut_short: dict[TurnKey, int] = {}
        """Turns whose connection was ended while they were being spoken: their last words,
        flushed by the engine as it closes, end the line mid-sentence; unless the flush has
        no more words than this many, which ended a sentence as they were heard."""

    def begin_stream(self, stream: int, offset_ms: int, captioned_until_ms: int = 0) -> None:
        """Start a stream whose audio begins ``offset_ms`` after the session's audio began;
        its words that lie mostly before ``captioned_until_ms`` were captioned already."""
        self._offsets[stream] = offset_ms
        if captioned_until_ms > offset_ms:
            self._captioned_until[stream] = captioned_until_ms

    def apply(self, stream: int, message: TurnMessage) -> list[TurnUpdate]:
        """Fold one Turn message in; returns what changed (nothing for a stale message).

        Usually one update; two when the service moved on to a new turn without ending the
        live one, which is then finished as heard so far (a turn is never left unfinished).
        """
        key = (stream, message.turn_order)
        new = self._new_words(stream, message)
        if new is None:
            return []  # all of it was captioned before this connection began
        words, transcript = new
        previous = self._finished.get(key)
        if previous is not None and not message.end_of_turn:
            return []  # a late partial for a turn that has already ended
        speaker = message.speaker_label
        if speaker is None and self.attribute is not None:
            words = _attributed(words, self.attribute)
            speaker = _main_speaker(words)
        tail = " ".join(w.text for w in words if not w.is_final)
        text = transcript.strip()
        if not message.end_of_turn and not any(w.is_final for w in words):
            # Universal-3 Pro partials: every word non-final and the whole text so far (often
            # ending in an em dash) in ``transcript``. It is all tail: drawn dimmed, once.
            text, tail = "", text or tail
        turn = Turn(
            stream=stream,
            order=message.turn_order,
            words=words,
            text=text,
            tail="" if message.end_of_turn else tail,
            finished=message.end_of_turn,
            formatted=message.turn_is_formatted,
            speaker=speaker or (previous.speaker if previous else None),
            language=message.language_code or (previous.language if previous else None),
            translation=previous.translation if previous else None,
        )
        updates = []
        live = self._live.get(stream)
        if live is not None and message.turn_order > live.order:
            # The service moved on without ending the old turn; never leave it unfinished.
            # (A legacy formatted repeat of an *earlier* turn leaves the live one alone.)
            abandoned = self.end_stream(stream)
            if abandoned is not None:
                updates.append(abandoned)
        if not message.end_of_turn:
            if live is not None and message.turn_order < live.order:
                return updates  # a partial for an older turn: stale, the live one stays
            self._live[stream] = turn
            return [*updates, TurnUpdate(UpdateKind.LIVE, turn)]
        if live is not None and live.order == message.turn_order:
            del self._live[stream]
        turn = self._as_cut_short(turn)
        if previous is not None:
            if previous.text == turn.text and previous.formatted == turn.formatted:
                return updates  # an exact repeat changes nothing a reader can see
            self._finished[key] = turn
            return [*updates, TurnUpdate(UpdateKind.REPLACED, turn)]
        early = self._early.pop(key, None)
        if early is not None:
            turn = replace(turn, translation=early)
        self._finish(turn)
        return [*updates, TurnUpdate(UpdateKind.FINISHED, turn)]

    def _new_words(self, stream: int, message: TurnMessage) -> tuple[tuple[Word, ...], str] | None:
        """The message's words on the session clock and its transcript, without the words
        captioned before its stream began (None when they all were)."""
        offset = self._offsets.get(stream, 0)
        words = tuple(_on_session_clock(w, offset) for w in message.words)
        cut = self._captioned_until.get(stream)
        if cut is None or not words or words[0].start_ms + words[0].end_ms >= 2 * cut:
            return words, message.transcript
        words, transcript = _after(cut, words, message.transcript)
        return (words, transcript) if words else None

    def translate(self, stream: int, turn_order: int, translation: Translation) -> list[TurnUpdate]:
        """A turn's translation, whenever it comes: the finished turn gets it (and is updated
        wherever it is shown); one that comes before its turn has ended waits for it."""
        key = (stream, turn_order)
        turn = self._finished.get(key)
        if turn is None:
            if stream in self._offsets:
                self._early[key] = translation
            return []
        if turn.translation == translation:
            return []
        turn = replace(turn, translation=translation)
        self._finished[key] = turn
        return [TurnUpdate(UpdateKind.TRANSLATED, turn)]

    def cut_short(self, stream: int, words_since_ms: int | None = None) -> None:
        """The words stopped mid-turn (an input unplugged; a Pause or Stop while someone
        spoke): that turn's last words, flushed as its connection ends, end as cut off (the
        third walk: the cut line read as a whole one, "…rather selfish is").
        ``words_since_ms``: only if its words still came then (a line finished a while ago
        is not cut however loud the room is). A line whose live words, formatted as they
        came, end a sentence was heard whole: what was cut, if anything, came after it, and
        no word of it was heard (the eighth walk: "…moves to Thursday…" for a live
        "…moves to Thursday.")."""
        live = self._live.get(stream)
        if live is None or (words_since_ms is not None and live.end_ms < words_since_ms):
            return
        self._cut_short[live.key] = len(live.words) if _ends_a_sentence(live) else -1

    def end_stream(self, stream: int) -> TurnUpdate | None:
        """Finish the stream's live turn as heard so far (marked interrupted), if it has one."""
        live = self._live.pop(stream, None)
        if live is None or not (live.text or live.tail):
            return None
        words = tuple(replace(w, is_final=True) for w in live.words)
        text = cut_off(" ".join(w.text for w in words) or live.display_text)
        turn = replace(live, words=words, text=text, tail="", finished=True, interrupted=True)
        self._finish(turn)
        return TurnUpdate(UpdateKind.FINISHED, turn)

    def revise_speakers(
        self, stream: int, revisions: Iterable[SpeakerRevision]
    ) -> list[TurnUpdate]:
        updates = []
        for revision in revisions:
            key = (stream, revision.turn_order)
            turn = self._finished.get(key)
            if turn is None:
                continue
            turn = replace(
                turn,
                speaker=revision.speaker_label,
                words=_relabel(turn.words, revision.word_speakers),
            )
            self._finished[key] = turn
            updates.append(TurnUpdate(UpdateKind.RELABELLED, turn))
        return updates

    def forget_stream(self, stream: int) -> None:
        """Drop a stream's finished turns once it has ended: nothing can change them any more."""
        for key in [k for k in self._finished if k[0] == stream]:
            del self._finished[key]
        for key in [k for k in self._early if k[0] == stream]:
            del self._early[key]
        self._cut_short = {k: n for k, n in self._cut_short.items() if k[0] != stream}
        self._offsets.pop(stream, None)
        self._captioned_until.pop(stream, None)

    def live_turns(self) -> list[Turn]:
        return list(self._live.values())

    def _as_cut_short(self, turn: Turn) -> Turn:
        """A finished turn, marked cut off if its connection was ended while it was spoken
        (a formatted flush may have ended it with a full stop)."""
        heard_whole = self._cut_short.get(turn.key)
        if heard_whole is None or len(turn.words) <= heard_whole:
            return turn  # not cut, or its flush adds no word to a sentence heard to its end
        return replace(turn, text=cut_off(turn.text.rstrip(" .…")), interrupted=True)

    def _finish(self, turn: Turn) -> None:
        self._finished[turn.key] = turn


SENTENCE_END = (".", "?", "!", '."', '?"', '!"')
TITLES = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "mt.", "jr.", "sr."})
"""Words with a full stop that end no sentence ("I spoke to Mr.")."""


def _ends_a_sentence(turn: Turn) -> bool:
    """The turn's live words, formatted as they came, end a sentence."""
    shown = turn.display_text.rstrip()
    last = shown.rsplit(" ", 1)[-1].lower()
    return turn.formatted and shown.endswith(SENTENCE_END) and last not in TITLES


def cut_off(text: str) -> str:
    """The words of a turn the service never finished, formatted as far as can be done
    without it: a capital first letter, and an ellipsis that says the line was cut off."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if text.endswith(".."):  # dots an engine wrote for an ellipsis: one ellipsis
        return f"{text.rstrip('.')}…"
    return text if text.endswith(("…", ".", "?", "!")) else f"{text.rstrip(',;:—-')}…"


def _after(cut_ms: int, words: tuple[Word, ...], transcript: str) -> tuple[tuple[Word, ...], str]:
    """The words that lie mostly after ``cut_ms``, and the transcript without the others
    (word for word when the transcript has a token per word, as the services send it)."""
    kept = tuple(w for w in words if w.start_ms + w.end_ms >= 2 * cut_ms)
    dropped = len(words) - len(kept)
    tokens = transcript.split()
    if len(tokens) == len(words):
        text = " ".join(tokens[dropped:])
    else:
        text = " ".join(w.text for w in kept) if transcript.strip() else ""
    if text[:1].islower() and tokens[:1] != [] and tokens[0][:1].isupper():
        text = text[0].upper() + text[1:]  # a formatted turn still starts with a capital
    return kept, text


def _on_session_clock(word: WordMessage, offset_ms: int) -> Word:
    return Word(
        text=word.text,
        start_ms=word.start_ms + offset_ms,
        end_ms=word.end_ms + offset_ms,
        confidence=word.confidence,
        is_final=word.is_final,
        speaker=word.speaker,
    )


def _attributed(words: tuple[Word, ...], attribute: Attribution) -> tuple[Word, ...]:
    return tuple(
        w if w.speaker is not None else replace(w, speaker=attribute(w.start_ms, w.end_ms))
        for w in words
    )


def _main_speaker(words: tuple[Word, ...]) -> str | None:
    """The speaker who spoke longest in the turn (words without a speaker do not vote)."""
    spoken: dict[str, int] = {}
    for w in words:
        if w.speaker is not None:
            spoken[w.speaker] = spoken.get(w.speaker, 0) + max(1, w.end_ms - w.start_ms)
    return max(spoken, key=lambda s: spoken[s]) if spoken else None


def _relabel(words: tuple[Word, ...], speakers: Sequence[str | None]) -> tuple[Word, ...]:
    if len(speakers) != len(words):
        return words  # revisions never change words; a mismatched list is ignored, not guessed
    return tuple(replace(w, speaker=s) for w, s in zip(words, speakers, strict=True))
