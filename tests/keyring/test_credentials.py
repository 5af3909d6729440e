"""Credential precedence: a key entered this run, environment, token service, keyring;
nothing printable."""

from __future__ import annotations

import pytest

from caption_app.cli_problems import problem_line
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.secrets.credentials import (
    Credentials,
    CredentialSource,
    MemoryKey,
    NoCredentials,
    resolve_credentials,
    resolve_for_cli,
    resolve_for_gui,
    session_memory_key,
)
from caption_app.core.secrets.store import KeyStore
from caption_app.core.secrets.token_service import TokenServiceError, fetch_temporary_token
from caption_app.core.settings import StreamingSettings
from tests.keyring.http_token_server import Reply, token_server

ENV_KEY = "e" * 28 + "env1"
STORED_KEY = "k" * 28 + "kr01"
MEMORY_KEY = "m" * 28 + "mem1"


def _no_token(url: str) -> str:
    raise AssertionError(f"no token should be fetched ({url})")


@pytest.mark.keyring
def test_environment_wins_over_the_keyring_and_is_never_written(secret_store: KeyStore) -> None:
    secret_store.set(STORED_KEY)
    creds = resolve_credentials(
        {"ASSEMBLYAI_API_KEY": f" {ENV_KEY} "}, secret_store, None, None, fetch_token=_no_token
    )
    assert creds == Credentials(CredentialSource.ENVIRONMENT, api_key=ENV_KEY)
    assert secret_store.get() == STORED_KEY  # the environment key was not stored


@pytest.mark.keyring
def test_keyring_is_used_when_nothing_else_is_set(secret_store: KeyStore) -> None:
    assert resolve_credentials({}, secret_store, None, None) is None
    secret_store.set(STORED_KEY)
    creds = resolve_credentials({"ASSEMBLYAI_API_KEY": "  "}, secret_store, None, None)
    assert creds is not None
    assert (creds.source, creds.api_key, creds.token) == (
        CredentialSource.KEYRING,
        STORED_KEY,
        None,
    )


@pytest.mark.keyring
def test_a_session_only_key_comes_before_the_keyring(secret_store: KeyStore) -> None:
    secret_store.set(STORED_KEY)
    memory = MemoryKey()
    memory.set(MEMORY_KEY)
    creds = resolve_credentials({}, secret_store, memory, "")
    assert creds is not None and creds.source is CredentialSource.MEMORY
    assert creds.api_key == MEMORY_KEY
    memory.clear()
    creds = resolve_credentials({}, secret_store, memory, "")
    assert creds is not None and creds.source is CredentialSource.KEYRING


@pytest.mark.keyring
def test_a_key_entered_this_run_wins_over_a_wrong_one_in_the_environment(
    secret_store: KeyStore,
) -> None:
    memory = MemoryKey()
    memory.set(MEMORY_KEY, stored=True)
    env = {"ASSEMBLYAI_API_KEY": ENV_KEY}
    creds = resolve_credentials(env, secret_store, memory, "", fetch_token=_no_token)
    assert creds is not None and creds.source is CredentialSource.MEMORY
    assert creds.api_key == MEMORY_KEY
    memory.clear()
    creds = resolve_credentials(env, secret_store, memory, "", fetch_token=_no_token)
    assert creds is not None and creds.source is CredentialSource.ENVIRONMENT


def test_no_keyring_means_no_credentials_not_a_crash(no_keyring: object) -> None:
    assert resolve_credentials({}, KeyStore(), None, None) is None
    creds = resolve_credentials({}, KeyStore(), MEMORY_KEY, None)
    assert creds is not None and creds.source is CredentialSource.MEMORY


def test_token_service_mode_fetches_a_fresh_token_per_call(no_keyring: object) -> None:
    replies = (
        Reply(body=b'{"token": "tok-first", "expires_in_seconds": 60}'),
        Reply(body=b'{"token": "tok-second", "expires_in_seconds": 60}'),
    )
    with token_server(*replies) as server:

        def fetch(url: str) -> str:
            return fetch_temporary_token(url, 5.0)

        first = resolve_credentials({}, KeyStore(), None, server.url, fetch_token=fetch)
        second = resolve_credentials({}, KeyStore(), None, server.url, fetch_token=fetch)
    assert first == Credentials(CredentialSource.TOKEN_SERVICE, token="tok-first")
    assert second is not None and second.token == "tok-second"
    assert first.api_key is None
    assert len(server.requests) == 2


def test_token_service_errors_reach_the_caller() -> None:
    with (
        token_server(Reply(403, b'{"error": "Machine not enrolled"}')) as server,
        pytest.raises(TokenServiceError, match="Machine not enrolled"),
    ):
        resolve_credentials({}, None, None, server.url)


def test_credentials_never_print_the_secret() -> None:
    for creds in (
        Credentials(CredentialSource.KEYRING, api_key=STORED_KEY),
        Credentials(CredentialSource.TOKEN_SERVICE, token="tok-very-secret-value"),
    ):
        shown = f"{creds!r} {creds!s} {creds} {[creds]} {creds.kind}"
        assert STORED_KEY not in shown and "tok-very-secret-value" not in shown
        assert creds.source.value in repr(creds)
    memory = MemoryKey()
    memory.set(MEMORY_KEY)
    assert MEMORY_KEY not in repr(memory)


def test_credentials_hold_exactly_one_secret() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Credentials(CredentialSource.KEYRING)
    with pytest.raises(ValueError, match="exactly one"):
        Credentials(CredentialSource.KEYRING, api_key=STORED_KEY, token="t")


def test_cli_and_gui_providers_say_when_a_key_is_needed(no_keyring: object) -> None:
    settings = StreamingSettings()
    with pytest.raises(NoCredentials) as raised:
        resolve_for_cli(settings, env={})
    # The core says what happened; the command line says where a key goes.
    said = problem_line(Problem(ProblemKind.NO_KEY, str(raised.value), Recovery.NEW_KEY))
    assert "ASSEMBLYAI_API_KEY" in said and "--engine local" in said
    provider = resolve_for_cli(settings, env={"ASSEMBLYAI_API_KEY": ENV_KEY})
    assert provider() == Credentials(CredentialSource.ENVIRONMENT, api_key=ENV_KEY)
    memory = session_memory_key()
    memory.set(MEMORY_KEY)
    try:
        provider, keyring_needed = resolve_for_gui(settings, env={})
        assert not keyring_needed  # the session-only key is enough: no keyring read
        assert provider().source is CredentialSource.MEMORY
        with pytest.raises(NoCredentials):
            resolve_for_cli(settings, env={})  # the command line has no session-only key
    finally:
        memory.clear()


def test_token_mode_provider_fetches_per_connection_not_up_front(no_keyring: object) -> None:
    with token_server(
        Reply(body=b'{"token": "tok-a"}'), Reply(401, b'{"error": "revoked"}')
    ) as server:
        provider, keyring_needed = resolve_for_gui(StreamingSettings(token_url=server.url), env={})
        assert server.requests == [] and not keyring_needed
        assert provider().token == "tok-a"
        with pytest.raises(TokenServiceError, match="revoked"):
            provider()
    assert "tok-a" not in repr(provider)
