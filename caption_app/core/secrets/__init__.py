"""The API key and other credentials: OS keyring, environment, memory, token service.

The key lives in the operating system's keychain and nowhere else; see ``credentials`` for the
order in which sources are tried.
"""

from caption_app.core.secrets.credentials import (
    ENV_VAR,
    Credentials,
    CredentialSource,
    MemoryKey,
    resolve_credentials,
)
from caption_app.core.secrets.store import (
    KEYRING_SERVICE,
    KEYRING_USER,
    InvalidKey,
    KeyringProblem,
    KeyringUnavailable,
    KeyStore,
    clean_key,
    mask_key,
)
from caption_app.core.secrets.token_service import TokenServiceError, fetch_temporary_token

__all__ = [
    "ENV_VAR",
    "KEYRING_SERVICE",
    "KEYRING_USER",
    "CredentialSource",
    "Credentials",
    "InvalidKey",
    "KeyStore",
    "KeyringProblem",
    "KeyringUnavailable",
    "MemoryKey",
    "TokenServiceError",
    "clean_key",
    "fetch_temporary_token",
    "mask_key",
    "resolve_credentials",
]
