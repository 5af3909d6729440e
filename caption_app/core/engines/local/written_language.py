"""Whether a translation came out in English: the check on Whisper's translate task.

Whisper base's translate task sometimes writes the spoken language back instead of English
("muchas gracias a todos por venir…" for a Spanish sentence; seen on one machine and not on
another, from the same audio). Shown as the English translation, that line would say
something untrue: a person following English would read it as a translation that failed to
make sense. The decoder asks this module, tries once more, and otherwise keeps the line as
what it is, the spoken language untranslated.

The judge is py3langid (langid.py's model), asked to choose between only two languages,
English and the one spoken, which it does reliably on a sentence; on a word or two either
reading is weak, so a line counts as untranslated only when the spoken language wins clearly.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

ENGLISH = "en"
UNTRANSLATED_CERTAINTY = 0.9
"""How sure the judge must be that a line is in the spoken language to call it untranslated:
"Muchas gracias a todos." reads as Spanish at 0.99; "Hello" as Spanish at 0.56."""
JUDGED_WORDS = 3
"""Shorter lines are not judged: a name or a loanword reads as its language ("Pizza." as
Italian at 0.96, "Señor Gonzalez." as Spanish at 0.99), and is as English as anything."""
LANGID_CODES = {"jw": "jv"}
"""Whisper's codes that langid writes otherwise."""

_lock = threading.Lock()
"""The judge's language choice is state it keeps between calls."""


@cache
def _judge() -> Any:
    """langid's model, loaded on the first translation (about half a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def is_untranslated(text: str, spoken: str | None) -> bool:
    """True when ``text``, a translation into English of speech in ``spoken``, is in fact
    still in ``spoken``. A language the judge does not know, English itself, or an unknown
    spoken language, are taken as translated: nothing to compare against."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if not spoken or spoken == ENGLISH or len(words) < JUDGED_WORDS:
        return False
    spoken = LANGID_CODES.get(spoken, spoken)
    judge = _judge()
    with _lock:
        try:
            judge.set_languages([ENGLISH, spoken])
        except ValueError:  # a language langid's model does not have
            return False
        language, certainty = judge.classify(text)
    return bool(language == spoken and certainty >= UNTRANSLATED_CERTAINTY)
