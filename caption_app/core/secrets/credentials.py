"""Which credential a session uses, and where it came from.

Precedence, first match wins:
1. A key the person entered in the key dialog during this run (kept in memory, whether it was
   also stored or not): what they just typed must win, or a wrong key in the environment
   would be a dead end.
2. ``ASSEMBLYAI_API_KEY`` in the environment: used for this run, never written anywhere.
3. Token-service mode (an organisation's token URL in settings): a fresh single-use token is
   fetched for each connection, so no API key ever reaches the machine.
4. The key in the OS keyring.
"""

from __future__ import annotations

import enum
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from caption_app.core.log_masking import install_secret_masking
from caption_app.core.secrets.store import KeyringUnavailable, KeyStore, clean_key
from caption_app.core.secrets.token_service import fetch_temporary_token
from caption_app.core.settings import StreamingSettings

log = logging.getLogger(__name__)

ENV_VAR = "ASSEMBLYAI_API_KEY"
TOKEN_TIMEOUT_S = 10.0


class CredentialSource(enum.StrEnum):
    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    MEMORY = "memory"
    TOKEN_SERVICE = "token-service"  # noqa: S105 - a label, not a secret


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """Either an API key or a single-use token; printing it never shows either."""

    source: CredentialSource
    api_key: str | None = field(default=None, compare=True)
    token: str | None = field(default=None, compare=True)

    def __post_init__(self) -> None:
        if (self.api_key is None) == (self.token is None):
            raise ValueError("Credentials hold exactly one of an API key or a token.")

    @property
    def kind(self) -> str:
        return "api key" if self.api_key is not None else "temporary token"

    def __repr__(self) -> str:
        return f"Credentials(source={self.source.value!r}, kind={self.kind!r})"

    __str__ = __repr__


class MemoryKey:
    """The key entered during this run: never written to disk by this holder, forgotten when
    the app quits. ``stored`` says whether the person also saved it in the keyring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self.stored = False

    def get(self) -> str | None:
        with self._lock:
            return self._key

    def set(self, key: str, *, stored: bool = False) -> None:
        key = clean_key(key)
        install_secret_masking(key)
        with self._lock:
            self._key = key
            self.stored = stored

    def clear(self) -> None:
        with self._lock:
            self._key = None
            self.stored = False

    def __repr__(self) -> str:
        return f"MemoryKey(set={self._key is not None})"


TokenFetcher = Callable[[str], str]


def _fetch_token(url: str) -> str:
    return fetch_temporary_token(url, TOKEN_TIMEOUT_S)


def resolve_credentials(
    env: Mapping[str, str],
    store: KeyStore | None,
    memory_key: MemoryKey | str | None,
    token_url: str | None,
    *,
    fetch_token: TokenFetcher = _fetch_token,
) -> Credentials | None:
    """The credential for the next connection, or None when the user must enter a key.

    In token-service mode this fetches a token, so call it once per connection; a failing
    token service raises ``TokenServiceError`` (its message is meant for the user).
    An unusable keyring counts as "no key": the key dialog explains the keyring problem.
    """
    memory = memory_key.get() if isinstance(memory_key, MemoryKey) else memory_key
    if memory:
        return Credentials(CredentialSource.MEMORY, api_key=memory)
    env_key = env.get(ENV_VAR, "").strip()
    if env_key:
        install_secret_masking(env_key)
        return Credentials(CredentialSource.ENVIRONMENT, api_key=env_key)
    if token_url:
        token = fetch_token(token_url)
        install_secret_masking(token)
        return Credentials(CredentialSource.TOKEN_SERVICE, token=token)
    if store is not None:
        try:
            stored = store.get()
        except KeyringUnavailable as exc:
            log.info("keyring unavailable: %s", exc)
            return None
        if stored:
            return Credentials(CredentialSource.KEYRING, api_key=stored)
    return None


class NoCredentials(Exception):
    """No key anywhere and no token service: the user must enter a key (message says how)."""


_session_memory = MemoryKey()


def session_memory_key() -> MemoryKey:
    """The process-wide session-only key holder the key dialog fills and resolution reads."""
    return _session_memory


class CredentialProvider:
    """Called once per connection (the engine's ``AuthProvider``): a fresh token each time in
    token-service mode, the current key otherwise."""

    def __init__(
        self,
        env: Mapping[str, str],
        store: KeyStore | None,
        memory: MemoryKey | None,
        token_url: str,
        fetch_token: TokenFetcher = _fetch_token,
    ) -> None:
        self._args = (env, store, memory, token_url)
        self.store = store
        self._fetch_token = fetch_token

    def __call__(self) -> Credentials:
        creds = resolve_credentials(*self._args, fetch_token=self._fetch_token)
        if creds is None:
            raise NoCredentials(NO_KEY_MESSAGE)
        return creds

    def __repr__(self) -> str:
        return "CredentialProvider()"


NO_KEY_MESSAGE = "No AssemblyAI API key is available."
"""What happened; the GUI and the CLI each say where to enter one."""


def _provider(
    settings: StreamingSettings, memory: MemoryKey | None, env: Mapping[str, str] | None
) -> CredentialProvider:
    provider, keyring_needed = _provider_without_keyring(settings, memory, env)
    if keyring_needed and not has_stored_key(provider.store):
        raise NoCredentials(NO_KEY_MESSAGE)
    return provider


def _provider_without_keyring(
    settings: StreamingSettings, memory: MemoryKey | None, env: Mapping[str, str] | None
) -> tuple[CredentialProvider, bool]:
    environment = os.environ if env is None else env
    provider = CredentialProvider(environment, KeyStore(), memory, settings.token_url)
    if settings.token_url or environment.get(ENV_VAR, "").strip():
        return provider, False  # the token itself is fetched per connection, not now
    return provider, not (memory is not None and memory.get())


def has_stored_key(store: KeyStore | None) -> bool:
    """Whether the keyring holds a key (a D-Bus call or a keychain prompt: not on the GUI
    thread). An unusable keyring counts as "no key"; the key dialog explains it."""
    if store is None:
        return False
    try:
        return store.get() is not None
    except KeyringUnavailable:
        return False


def resolve_for_gui(
    settings: StreamingSettings, env: Mapping[str, str] | None = None
) -> tuple[CredentialProvider, bool]:
    """The GUI's auth provider, and whether the keyring must still be asked if it holds a
    key (``has_stored_key(provider.store)``, off the GUI thread) before starting."""
    return _provider_without_keyring(settings, session_memory_key(), env)


def resolve_for_cli(
    settings: StreamingSettings, env: Mapping[str, str] | None = None
) -> CredentialProvider:
    """The command line's auth provider (no session-only key there)."""
    return _provider(settings, None, env)
