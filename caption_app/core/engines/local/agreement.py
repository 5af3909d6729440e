"""Local agreement: a word becomes final once two consecutive decodes agree on it.

As in ufal/whisper_streaming's ``HypothesisBuffer``: the utterance is decoded again as it grows;
the longest common prefix of the last two hypotheses (after the words already committed) is
committed, and a committed word never changes afterwards. Times are ms on the stream clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from caption_app.core.engines.local.decoder import DecodedWord, normalized

OVERLAP_SLACK_MS = 80
"""A re-decoded word may start this much before the committed word it follows ends."""
MAX_OVERLAP_WORDS = 5
MAX_WORDS_BEFORE = 2
"""Words a final reading may add before all the committed ones."""


def keys(words: Sequence[DecodedWord]) -> list[str]:
    return [normalized(w.text) for w in words]


def after_committed(
    committed: Sequence[DecodedWord], hypothesis: Sequence[DecodedWord]
) -> list[DecodedWord]:
    """The part of a whole-utterance hypothesis that follows the committed words."""
    n = len(committed)
    if n == 0:
        return list(hypothesis)
    if keys(hypothesis[:n]) == keys(committed):
        return list(hypothesis[n:])
    # The decode re-read the committed part differently: go by time, then drop a repeat of
    # the committed words' last few (the same words, aligned a little earlier).
    last_end = committed[-1].end_ms
    rest = [w for w in hypothesis if w.start_ms >= last_end - OVERLAP_SLACK_MS]
    done = keys(committed)
    rest_keys = keys(rest)
    for size in range(min(MAX_OVERLAP_WORDS, len(done), len(rest)), 0, -1):
        if done[-size:] == rest_keys[:size]:
            return rest[size:]
    return rest


def common_prefix(a: Sequence[DecodedWord], b: Sequence[DecodedWord]) -> list[DecodedWord]:
    """The words of ``b`` that ``a`` agrees with, from the start (``b``'s forms are newer)."""
    agreed = []
    for old, new in zip(a, b, strict=False):
        if normalized(old.text) != normalized(new.text):
            break
        agreed.append(new)
    return agreed


def merge_final(
    committed: Sequence[DecodedWord], final: Sequence[DecodedWord]
) -> list[DecodedWord]:
    """The turn's words at its end: the committed words, in the final decode's formatted form
    where it agrees, then whatever the final decode heard after them. A partial may have
    committed half of what the final decode writes as one hyphenated word ("ill" of
    "ill-disposed."): the final's halves are then matched one by one, so the second half is
    kept, not lost behind the committed first."""
    n = len(committed)
    done = keys(committed)
    halves = split_hyphenated(final)
    for words in (list(final), halves):
        read = keys(words)
        # The final reading may also hear a word or two before the committed ones that the
        # live readings lost at the utterance's start ("And | Mr. John Dashwood..."): kept.
        for before in range(MAX_WORDS_BEFORE + 1):
            if read[before : before + n] == done:
                return words
    return [*committed, *after_committed(committed, halves)]


def split_hyphenated(words: Sequence[DecodedWord]) -> list[DecodedWord]:
    """ "ill-disposed." as "ill" and "-disposed." (``join_words`` joins them again), the time
    shared out by letters."""
    out: list[DecodedWord] = []
    for word in words:
        first, dash, rest = word.text.partition("-")
        if not (dash and first and rest):
            out.append(word)
            continue
        span = max(0, word.end_ms - word.start_ms)
        cut = word.start_ms + span * len(first) // len(word.text)
        out.append(DecodedWord(first, word.start_ms, cut, word.probability))
        out.append(DecodedWord(dash + rest, cut, word.end_ms, word.probability))
    return out
