"""What a newcomer is told once, on the first launch."""

from __future__ import annotations

from caption_app.qt.settings_store import SettingsStore

ENGINES_EXPLAINED = "engines_explained"


def first_launch(store: SettingsStore) -> bool:
    """Whether this is the first launch (asked once: the answer is remembered as "no").

    A newcomer then learns, once, that captions need no account and what the cloud adds; the
    notice saying so lasts while it is true (``window_words``): until a key is set up, or
    captions go to the cloud.
    """
    if store.flag(ENGINES_EXPLAINED):
        return False
    store.set_flag(ENGINES_EXPLAINED)
    return True
