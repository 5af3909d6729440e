"""Keyring fixtures: the real Secret Service, keyring's fail backend, a keyrings.alt file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring  # type: ignore[import-untyped]

from caption_app.core.secrets.store import KeyStore
from tests.support.secret_service import SecretServiceEnv, keyring_backend, secret_service


@pytest.fixture(scope="session")
def secret_service_env() -> Iterator[SecretServiceEnv]:
    """gnome-keyring on a private D-Bus bus, unlocked; keyring has selected it."""
    with secret_service() as env:
        yield env


@pytest.fixture
def secret_store(secret_service_env: SecretServiceEnv) -> Iterator[KeyStore]:
    """A KeyStore over keyring's selected backend (the Secret Service), emptied afterwards."""
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"
    store = KeyStore()
    store.delete()
    yield store
    store.delete()


@pytest.fixture
def no_keyring() -> Iterator[fail.Keyring]:
    """keyring's own fail backend, as on a machine with no usable keychain."""
    with keyring_backend(fail.Keyring()) as backend:  # type: ignore[no-untyped-call]
        assert isinstance(backend, fail.Keyring)
        yield backend


@pytest.fixture
def plaintext_keyring(tmp_path: Path) -> Iterator[PlaintextKeyring]:
    """keyrings.alt's plain-text file backend, writing into the test's temporary directory."""
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")
    with keyring_backend(backend):
        yield backend
