"""The session's language memory: which languages its finished turns were in, to tip close calls.

Whisper detects the language of each decode from its audio alone, and on a short turn it
guesses: a Frenchman's "Merci beaucoup" read as English 0.34 against French 0.17, a German
sentence as Welsh. A meeting keeps to its language or two, so a language the session's recent
turns were in weighs more (its probability times ``1 + BOOST x`` its share of them). Only
close calls change: a turn heard clearly in a new language (German at 0.99 after Spanish)
switches at once, and the memory fades, so a meeting that moves on to another language follows.
"""

from __future__ import annotations

from collections.abc import Iterable

BOOST = 3.0
"""How much more a language all recent turns were in weighs. On the languages benchmark's
sentences (Whisper base, detection alone), of 1, 2, 3, 5, 10 and 20 the least that read "Merci
beaucoup pour votre aide" as French after two French turns was 2; every clear switch stayed
right at all of them (the new language's own probability 0.75-0.99)."""
FADE = 0.7
"""Each finished turn keeps this much of the memory's weights: about three turns' worth."""
LanguageWeights = tuple[tuple[str, float], ...]


class LanguageMemory:
    """The languages of the session's finished turns, the newest weighing most."""

    def __init__(self) -> None:
        self._weights: dict[str, float] = {}

    def heard(self, language: str) -> None:
        """A turn finished in ``language``."""
        self._weights = {code: w * FADE for code, w in self._weights.items() if w * FADE > 0.01}
        self._weights[language] = self._weights.get(language, 0.0) + (1.0 - FADE)

    def weights(self) -> LanguageWeights:
        """Each remembered language's share (0-1), for a decode to take along."""
        return tuple(sorted(self._weights.items()))


def likeliest(ranked: Iterable[tuple[str, float]], weights: LanguageWeights) -> str:
    """The language to decode in: Whisper's detected probabilities, each tipped by the
    session's memory of it. ``ranked`` is (code, probability), most likely first."""
    remembered = dict(weights)
    best, best_score = "", -1.0
    for code, probability in ranked:
        score = probability * (1.0 + BOOST * remembered.get(code, 0.0))
        if score > best_score:
            best, best_score = code, score
    return best
