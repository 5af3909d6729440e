"""Credentials for each new connection, resolved in the documented order of precedence.

``ASSEMBLYAI_API_KEY`` (this run only), then the organisation's token service (a fresh
single-use token per connection), then a key kept in memory for this run, then the keyring.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from caption_app.core.engines.assemblyai import AuthProvider, StreamingAuth
from caption_app.core.secrets.credentials import MemoryKey, resolve_credentials
from caption_app.core.secrets.store import KeyStore


class NoCredentials(Exception):
    """No key anywhere: the message says where a key can come from."""

    def __init__(self) -> None:
        super().__init__(
            "No AssemblyAI API key: set ASSEMBLYAI_API_KEY, or save a key with the app's "
            "key dialog (it goes to the system keyring)."
        )


def credential_provider(
    token_url: str = "",
    *,
    env: Mapping[str, str] | None = None,
    store: KeyStore | None = None,
    memory: MemoryKey | None = None,
) -> AuthProvider:
    """Resolve once now (raising ``NoCredentials`` early), then afresh for each connection.

    The first resolution is handed to the first connection, so in token-service mode no
    single-use token is fetched and thrown away.
    """
    environment = os.environ if env is None else env
    keys = KeyStore() if store is None else store

    def resolve() -> StreamingAuth:
        credentials = resolve_credentials(environment, keys, memory, token_url or None)
        if credentials is None:
            raise NoCredentials
        return credentials

    first: list[StreamingAuth] = [resolve()]

    def provide() -> StreamingAuth:
        return first.pop() if first else resolve()

    return provide
