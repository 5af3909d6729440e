"""The API key in the operating system's keychain, through the ``keyring`` package.

The key is kept under service ``caption-app``, user ``assemblyai-api-key`` and nowhere else.
Every keyring failure becomes ``KeyringUnavailable`` with a sentence a person understands; the
backend's own message is never passed on, because a backend could echo what it was given.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from caption_app.core.log_masking import install_secret_masking

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

KEYRING_SERVICE = "caption-app"
KEYRING_USER = "assemblyai-api-key"

MASK = "••••"
_SHOWN_TAIL = 4
_MIN_LEN_TO_SHOW_TAIL = 12  # shorter keys would give away too large a share of themselves

# Backends by module and class name, so the name can be shown without importing each platform.
_BACKEND_NAMES = {
    "keyring.backends.SecretService.Keyring": "GNOME Keyring / Secret Service",
    "keyring.backends.libsecret.Keyring": "GNOME Keyring / Secret Service",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet",
    "keyring.backends.fail.Keyring": "no keyring available",
    "keyring.backends.null.Keyring": "no keyring (disabled)",
    "keyrings.alt.file.PlaintextKeyring": "plain-text file (keyrings.alt, not encrypted)",
    "keyrings.alt.file.EncryptedKeyring": "encrypted file (keyrings.alt)",
}
_UNUSABLE = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


_NO_BACKEND_TEXT = (
    "No keyring is available on this computer, so the API key cannot be stored safely."
)


class KeyringProblem(enum.Enum):
    NO_BACKEND = "no-backend"
    LOCKED = "locked"
    FAILED = "failed"


class KeyringUnavailable(Exception):
    """The keyring cannot be used; the message is plain language and never holds a key."""

    def __init__(self, problem: KeyringProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


class InvalidKey(ValueError):
    """What was typed cannot be an API key (empty, or holds spaces or control characters)."""


def clean_key(text: str) -> str:
    """The key as typed, without surrounding whitespace; rejects what cannot be a key.

    A line break inside a key would end up in an HTTP header, so it is refused here.
    """
    key = text.strip()
    if not key:
        raise InvalidKey("Enter the API key.")
    if any(ch.isspace() or not ch.isprintable() for ch in key):
        raise InvalidKey("The key contains spaces or other characters an API key never has.")
    return key


def mask_key(key: str) -> str:
    """``••••abcd``: enough to recognise a key, never enough to use it."""
    if len(key) < _MIN_LEN_TO_SHOW_TAIL:
        return MASK
    return MASK + key[-_SHOWN_TAIL:]


def backend_id(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _describe(backend: KeyringBackend) -> str:
    ident = backend_id(backend)
    if ident == "keyring.backends.chainer.ChainerBackend":
        chained = list(getattr(backend, "backends", []))
        return _describe(chained[0]) if chained else _BACKEND_NAMES["keyring.backends.fail.Keyring"]
    return _BACKEND_NAMES.get(ident, getattr(backend, "name", ident))


def _is_plaintext(backend: KeyringBackend) -> bool:
    ident = backend_id(backend)
    if ident == "keyring.backends.chainer.ChainerBackend":
        chained = list(getattr(backend, "backends", []))
        return bool(chained) and _is_plaintext(chained[0])
    # keyrings.alt keeps secrets in files the OS does not protect; PlaintextKeyring is only
    # base64. None of them is an OS keychain, so all of them deserve the warning.
    return ident.startswith("keyrings.alt.")


def is_os_keychain(backend: KeyringBackend) -> bool:
    """False for file stores (keyrings.alt) that must never be picked without the user asking."""
    return not _is_plaintext(backend)


def select_os_keyring() -> None:
    """Let keyring choose its backend, but never a file store on its own initiative.

    With keyrings.alt installed, keyring's detection would quietly pick its plain-text file
    when no OS keychain answers. This keeps detection to OS keychains; a backend the user
    configured explicitly (``PYTHON_KEYRING_BACKEND`` or keyringrc.cfg) is still honoured,
    and ``KeyStore.is_plaintext_backend`` lets the UI warn before storing into it.
    Call once at start-up, before the first ``KeyStore`` use (or ``select_os_keyring_later``).
    """
    global _selection_pending  # noqa: PLW0603 - one process-wide flag, like keyring's own
    _selection_pending = False
    import keyring.core

    keyring.core.init_backend(limit=is_os_keychain)


_selection_pending = False


def select_os_keyring_later() -> None:
    """``select_os_keyring`` at the first ``KeyStore`` use instead of now: keyring and its
    backends cost tens of milliseconds and megabytes the first window does not need."""
    global _selection_pending  # noqa: PLW0603
    _selection_pending = True


def _translate(exc: Exception, action: str) -> KeyringUnavailable:
    from keyring import errors

    if isinstance(exc, errors.NoKeyringError):
        return KeyringUnavailable(KeyringProblem.NO_BACKEND, _NO_BACKEND_TEXT)
    if isinstance(exc, errors.KeyringLocked):
        return KeyringUnavailable(
            KeyringProblem.LOCKED,
            "The keyring is locked. Unlock it (log in again or open your keyring manager) "
            "and try again.",
        )
    return KeyringUnavailable(
        KeyringProblem.FAILED,
        f"The keyring could not {action} the API key ({type(exc).__name__}).",
    )


@dataclass(frozen=True, slots=True)
class KeyringState:
    """What the key dialog shows of the keyring, read in one go (off the GUI thread: a locked
    keyring's unlock prompt, or a slow Secret Service, may take seconds)."""

    backend: str
    plaintext: bool
    problem: KeyringUnavailable | None
    stored: str | None


class KeyStore:
    """The API key in keyring's selected backend (or the given one, for tests and tools)."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    def _ring(self) -> KeyringBackend:
        if self._backend is not None:
            return self._backend
        if _selection_pending:
            select_os_keyring()
        import keyring

        return keyring.get_keyring()

    def get(self) -> str | None:
        try:
            key = self._ring().get_password(KEYRING_SERVICE, KEYRING_USER)
        except Exception as exc:  # noqa: BLE001 - backends raise D-Bus, OS and runtime errors
            raise _translate(exc, "read") from None
        if key:
            install_secret_masking(key)
        return key or None

    def set(self, key: str) -> None:
        key = clean_key(key)
        install_secret_masking(key)
        try:
            self._ring().set_password(KEYRING_SERVICE, KEYRING_USER, key)
        except Exception as exc:  # noqa: BLE001 - as in get()
            # `from None`: the backend's exception chain may quote its arguments.
            raise _translate(exc, "store") from None
        log.info("API key stored in %s", self.backend_name())

    def delete(self) -> None:
        """Remove the key; removing a key that is not there is not an error."""
        from keyring import errors

        try:
            self._ring().delete_password(KEYRING_SERVICE, KEYRING_USER)
        except errors.PasswordDeleteError:
            return
        except Exception as exc:  # noqa: BLE001 - as in get()
            raise _translate(exc, "remove") from None
        log.info("API key removed from %s", self.backend_name())

    def backend_name(self) -> str:
        return _describe(self._ring())

    def is_plaintext_backend(self) -> bool:
        return _is_plaintext(self._ring())

    def state(self) -> KeyringState:
        """The backend, whether it is usable, and the key it holds: one read of the keyring."""
        ring = self._ring()
        backend, plaintext = _describe(ring), _is_plaintext(ring)
        if backend_id(ring) in _UNUSABLE:
            problem = KeyringUnavailable(KeyringProblem.NO_BACKEND, _NO_BACKEND_TEXT)
            return KeyringState(backend, plaintext, problem, None)
        try:
            stored = self.get()
        except KeyringUnavailable as exc:
            return KeyringState(backend, plaintext, exc, None)
        return KeyringState(backend, plaintext, None, stored)

    def is_usable(self) -> bool:
        return self.problem() is None

    def problem(self) -> KeyringUnavailable | None:
        """Why the keyring cannot be used right now, or None when it can."""
        ring = self._ring()
        if backend_id(ring) in _UNUSABLE:
            # The null backend accepts and forgets silently; that is no place for a key.
            return KeyringUnavailable(KeyringProblem.NO_BACKEND, _NO_BACKEND_TEXT)
        try:
            self.get()
        except KeyringUnavailable as exc:
            return exc
        return None
