"""What the key dialog says, and its check run safely off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from caption_app.core.engines.assemblyai.key_check import KeyCheck, KeyStatus
from caption_app.core.secrets.credentials import ENV_VAR
from caption_app.core.secrets.store import mask_key

KeyChecker = Callable[[str, str, float], KeyCheck]
"""(key, api_host, timeout) -> result: ``check_api_key``, pointed at a test server in tests."""

MIN_WIDTH = 560
"""Wide enough that the dialog's messages wrap to a few lines, not a column."""
DASHBOARD_URL = "https://www.assemblyai.com/dashboard"
INTRO = (
    "Caption App sends your audio to AssemblyAI, which turns it into captions. It needs your "
    "AssemblyAI API key for that. The key is a paying credential: usage is billed to your "
    f'account. You find it on your <a href="{DASHBOARD_URL}">AssemblyAI dashboard</a> after '
    "signing in."
)


def key_in_use_text(
    entered: str | None,
    entered_stored: bool,
    environment: str,
    stored: str | None,
    token_service: bool = False,
) -> str:
    """Which key the next connection uses and where it comes from, in the order credentials
    are resolved (a key entered this run, the environment, the keyring); keys are masked."""
    if entered:
        where = "saved in the keyring" if entered_stored else "for this run only"
        text = f"In use: the key you entered ({mask_key(entered)}), {where}."
        if environment:
            text += f" It takes the place of {ENV_VAR} until Caption App quits."
        return text
    if environment:
        return (
            f"In use: {mask_key(environment)} from {ENV_VAR} in the environment, for this run "
            "(never stored). A key you enter here takes its place until Caption App quits."
        )
    if token_service:
        return (
            "In use: your organisation's token service (Settings → Engine): each connection "
            "gets a single-use token, and no key is needed here."
        )
    if stored:
        return f"In use: the stored key ({mask_key(stored)})."
    return "No key is in use yet."


def checked(checker: KeyChecker, key: str, api_host: str, timeout: float) -> KeyCheck:
    """Runs on a worker thread: the dialog must get an answer whatever happens."""
    try:
        return checker(key, api_host, timeout)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check
        return KeyCheck(KeyStatus.UNREACHABLE, f"The check failed ({type(exc).__name__}).")
