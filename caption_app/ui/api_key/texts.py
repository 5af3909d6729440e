"""What the key dialog says: every message it shows, in one place, keys always masked."""

from __future__ import annotations

from caption_app.core.secrets.credentials import ENV_VAR
from caption_app.core.secrets.store import mask_key

DASHBOARD_URL = "https://www.assemblyai.com/dashboard"
INTRO = (
    "With the AssemblyAI engine, Caption App sends your audio to AssemblyAI, which turns it "
    "into captions; that needs your AssemblyAI API key. (On this computer, audio stays here "
    "and no key is needed.) The key is a paying credential: usage is billed to your "
    f'account. You find it on your <a href="{DASHBOARD_URL}">AssemblyAI dashboard</a> after '
    "signing in."
)
READING = "Reading the keyring…"
BACKEND_READING = "Keyring: reading…"
SESSION_KEY_NOT_STORED = "A key you entered is kept for this session only (not stored)."
NO_KEY_STORED = "No key is stored."
PLAINTEXT_WARNING = (
    "Warning: this keyring keeps secrets in a file that is not encrypted. Anyone who can read "
    "your files can read a key stored there."
)
CHECKING = "Checking the key with AssemblyAI…"
REJECTED_NOTHING_SAVED = (
    "AssemblyAI rejected this key; nothing was saved. Copy the key again from your dashboard."
)
REJECTED = "AssemblyAI rejected this key. Copy the key again from your dashboard."
"""For "Use for this session only", which saves nothing either way (the fifth walk's W12)."""
KEPT_FOR_SESSION = "The key is kept for this session only (not saved)."
"""Said as the dialog closes: what became of the key, not that it is in use (the cloud takes
over a few seconds later; the fifth walk's W8)."""
STILL_READING = "The keyring is still being read; try again in a moment."
ENTER_NEW_KEY = "Enter the new key; the stored one stays until the new one is saved."


IN_USE = "In use"
REJECTED_LEAD = "Rejected by AssemblyAI"
NEXT_START_LEAD = "Used from the next start"
CHOSEN_HERE_LEAD = "Not used: you chose to caption on this computer (Engine menu)"
RUNNING_HERE_LEAD = (
    "Not used by the captions running now on this computer; used from the next start"
)


def reading_in_use(lead: str) -> str:
    """The key line while the keyring is read: ``lead`` (``use_lead``) of the key there."""
    return f"{lead}: the key in the keyring (reading it…)"


SENT_NOW_LEAD = "In use by the captions running now"
NO_KEY_WHILE_SENT = (
    "No key is set up. The captions running now go on with AssemblyAI, with the key you "
    "removed, until you stop them."
)
"""The key removed while the cloud captions with it (the tenth walk: "No key is set up." while
the session still sent audio with it)."""


def use_lead(*, running: bool, here_now: bool, chose_here: bool, sent_now: bool = False) -> str:
    """Whether captions use the key now, and why not (the ninth walk: "In use" while nothing
    ran, and "(Engine menu)" for captions that ran here because they started without a key,
    nothing chosen). ``here_now``: captions run on this computer, not standing in for the
    cloud (which is tried with the key meanwhile); ``chose_here``: the Engine menu says so;
    ``sent_now``: the cloud captions now, with the key it connected with."""
    if chose_here:
        return CHOSEN_HERE_LEAD
    if here_now:
        return RUNNING_HERE_LEAD
    if sent_now:
        return SENT_NOW_LEAD
    return IN_USE if running else NEXT_START_LEAD


def key_in_use_text(
    entered: str | None,
    entered_stored: bool,
    environment: str,
    stored: str | None,
    token_service: bool = False,
    *,
    lead: str = IN_USE,
) -> str:
    """Which key the next connection to AssemblyAI uses and where it comes from, in the order
    credentials are resolved (a key entered this run, the environment, the keyring); keys are
    masked. ``lead`` says whether captions use it now: ``IN_USE``, or why not
    (``REJECTED_LEAD``, ``use_lead``)."""
    if entered:
        where = "saved in the keyring" if entered_stored else "kept for this session only"
        text = f"{lead}: the key you entered ({mask_key(entered)}), {where}."
        if environment:
            text += f" It takes the place of {ENV_VAR} until Caption App quits."
        return text
    if environment:
        return (
            f"{lead}: {mask_key(environment)} from {ENV_VAR} in the environment, for this run "
            "(never stored). A key you enter here takes its place until Caption App quits."
        )
    if token_service:
        return (
            f"{lead}: your organisation's token service (Settings → Engine): each connection "
            "gets a single-use token, and no key is needed here."
        )
    if stored:
        return f"{lead}: the stored key ({mask_key(stored)})."
    return NO_KEY_WHILE_SENT if lead == SENT_NOW_LEAD else "No key is set up."


def rejected(which: str) -> str:
    """``which``: the key AssemblyAI just rejected, as the person knows it ("the stored key")."""
    return f"AssemblyAI rejected {which}. Paste a valid key below."


def keyring_problem(problem: str) -> str:
    """The keyring cannot be used: what still works without it."""
    return (
        f"{problem} You can still caption: set {ENV_VAR} in the environment before starting "
        "Caption App (used for that run only, never stored), or enter the key below and use it "
        "for this session only (forgotten when Caption App quits)."
    )


def backend(name: str) -> str:
    return f"Keyring: {name}"


def stored_key(key: str) -> str:
    return f"Stored key: {mask_key(key)}"


def could_not_check(message: str, saving: bool) -> str:
    """The service could not be asked (not a rejection): the key may still be right."""
    verb = "save it" if saving else "use it"
    return (
        f"Could not check the key: {message} The key may still be right. Do you want to {verb} "
        "anyway? Captions will tell you if it is refused."
    )


def not_encrypted(backend_name: str) -> str:
    return (
        f"The keyring in use ({backend_name}) does not encrypt the key. Store it there anyway, "
        "or use it for this session only?"
    )


def saved_in(backend_name: str) -> str:
    return f"The key was saved in {backend_name}."


REMOVED_WHILE_SENT = (
    "The key was removed. The captions running now go on with AssemblyAI until you stop them."
)
"""Said in the window when the key is removed while the cloud captions: its connection was
made with the key and goes on (the seventh walk: nothing said so while audio went on)."""


def removed_from(backend_name: str) -> str:
    return f"The key was removed from {backend_name}."


def keyring_unavailable(reason: str) -> str:
    return f"{reason} You can use the key for this session only instead."


def keyring_failed(error: BaseException) -> str:
    return f"The keyring failed ({type(error).__name__})."


def no_browser(url: str) -> str:
    return f"No web browser could be opened here. The address is {url}"
