"""KeyStore against the real Secret Service, keyring's fail backend and a plain-text file."""

from __future__ import annotations

import base64
import contextlib
import os
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import pytest
import secretstorage
from keyrings.alt.file import PlaintextKeyring  # type: ignore[import-untyped]

from caption_app.core.log_masking import masking_filter
from caption_app.core.secrets.store import (
    KEYRING_SERVICE,
    KEYRING_USER,
    InvalidKey,
    KeyringProblem,
    KeyringUnavailable,
    KeyStore,
    clean_key,
    mask_key,
    select_os_keyring,
)
from tests.support.secret_service import SecretServiceEnv

KEY_A = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
KEY_B = "ffeeddccbbaa99887766554433221100"


def _items_in_gnome_keyring() -> list[str]:
    """Read the item straight from gnome-keyring over D-Bus, bypassing keyring."""
    bus = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(bus)
        items = collection.search_items({"service": KEYRING_SERVICE, "username": KEYRING_USER})
        return [item.get_secret().decode() for item in items]
    finally:
        bus.close()


@pytest.mark.keyring
def test_store_read_replace_remove_in_the_secret_service(secret_store: KeyStore) -> None:
    assert secret_store.get() is None
    secret_store.set(KEY_A)
    assert secret_store.get() == KEY_A
    assert _items_in_gnome_keyring() == [KEY_A]

    secret_store.set(KEY_B)
    assert secret_store.get() == KEY_B
    assert _items_in_gnome_keyring() == [KEY_B]  # replaced, not added beside the old one

    secret_store.delete()
    assert secret_store.get() is None
    assert _items_in_gnome_keyring() == []
    secret_store.delete()  # removing what is not there is fine


@pytest.mark.keyring
def test_secret_service_backend_is_named_and_usable(secret_store: KeyStore) -> None:
    assert secret_store.backend_name() == "GNOME Keyring / Secret Service"
    assert secret_store.is_usable()
    assert not secret_store.is_plaintext_backend()
    assert secret_store.problem() is None


@pytest.mark.keyring
def test_the_key_is_stored_only_in_the_keyring_files_encrypted(
    secret_store: KeyStore, secret_service_env: SecretServiceEnv
) -> None:
    secret_store.set(KEY_A)
    # gnome-keyring writes the collection to disk; the key must not appear there in clear.
    files = [p for p in Path(secret_service_env.home).rglob("*") if p.is_file()]
    assert any(p.suffix == ".keyring" for p in files), files
    for path in files:
        assert KEY_A.encode() not in path.read_bytes(), path


@pytest.mark.keyring
def test_detection_picks_the_secret_service_when_it_runs(
    secret_service_env: SecretServiceEnv,
) -> None:
    select_os_keyring()
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == secret_service_env.bus_address


def test_no_backend_maps_to_a_plain_message(no_keyring: object) -> None:
    store = KeyStore()
    assert not store.is_usable()
    assert store.backend_name() == "no keyring available"
    problem = store.problem()
    assert problem is not None and problem.problem is KeyringProblem.NO_BACKEND
    with pytest.raises(KeyringUnavailable) as raised:
        store.set(KEY_A)
    assert raised.value.problem is KeyringProblem.NO_BACKEND
    assert "No keyring is available" in str(raised.value)
    assert KEY_A not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    with pytest.raises(KeyringUnavailable):
        store.get()


def test_plaintext_backend_is_flagged_and_still_works(
    plaintext_keyring: PlaintextKeyring,
) -> None:
    store = KeyStore()
    assert store.is_plaintext_backend()
    assert store.is_usable()
    assert "not encrypted" in store.backend_name()
    store.set(KEY_A)
    assert store.get() == KEY_A
    # Proof that the warning is deserved: the file holds the key merely base64-encoded.
    assert base64.b64encode(KEY_A.encode()) in Path(plaintext_keyring.file_path).read_bytes()
    store.delete()
    assert store.get() is None


def test_detection_never_picks_a_plaintext_file_on_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    previous = keyring.get_keyring()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    with contextlib.suppress(AttributeError):
        del keyring.backend.get_all_keyring.saved_result
    try:
        # keyring alone would choose keyrings.alt's plain-text file here...
        unguarded = keyring.core._detect_backend()
        assert type(unguarded).__module__.startswith("keyrings.alt.")
        # ...the app's selection refuses it and reports "no keyring" instead.
        select_os_keyring()
        assert KeyStore().backend_name() == "no keyring available"
        assert not KeyStore().is_usable()
    finally:
        with contextlib.suppress(AttributeError):
            del keyring.backend.get_all_keyring.saved_result
        keyring.set_keyring(previous)


def test_mask_key_shows_only_the_last_four() -> None:
    assert mask_key(KEY_A) == "••••8f90"
    assert mask_key("short") == "••••"  # a short value would give too much away


def test_clean_key_strips_and_refuses_what_cannot_be_a_key() -> None:
    assert clean_key(f"  {KEY_A}\n") == KEY_A
    for bad in ("", "   ", "abc def", "abc\ndef", "abc\x00def"):
        with pytest.raises(InvalidKey):
            clean_key(bad)


def test_storing_registers_the_key_for_log_masking(plaintext_keyring: PlaintextKeyring) -> None:
    key = "0123456789abcdef0123456789abcdef"
    assert masking_filter().mask(f"oops {key}") == f"oops {key}"
    KeyStore().set(key)
    assert masking_filter().mask(f"oops {key}") == "oops ••••"
