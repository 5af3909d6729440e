"""What a newcomer is told once, on the first launch."""

from __future__ import annotations

from collections.abc import Callable

from caption_app.qt.settings_store import SettingsStore
from caption_app.ui.main_window.notice_bar import NoticeBar

ENGINES_EXPLAINED = "engines_explained"


def explain_engines_once(
    store: SettingsStore, notices: NoticeBar, use_assemblyai: Callable[[], None]
) -> None:
    """A newcomer learns, once, that captions need no account and what the cloud adds."""
    if store.flag(ENGINES_EXPLAINED):
        return
    store.set_flag(ENGINES_EXPLAINED)
    notices.show_notice(
        "Captions run on this computer with no account: audio stays here. For higher "
        "accuracy and speaker labels, use AssemblyAI's cloud engine with an API key.",
        "Use AssemblyAI (enter a key)…",
        use_assemblyai,
    )
