"""The key dialog, driven like a person would, with the real keyring and the real SDK.

The key check goes through ``check_api_key`` (the real StreamingClient) to a small WebSocket
server on 127.0.0.1; keys are stored in gnome-keyring on a private D-Bus bus.
"""

# pytest-qt's QtBot methods are untyped; the calls are what the tests are about.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring  # type: ignore[import-untyped]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from caption_app.core.engines.assemblyai.key_check import check_api_key
from caption_app.core.secrets.credentials import MemoryKey
from caption_app.core.secrets.store import KeyStore, mask_key
from caption_app.qt import threads
from caption_app.ui.api_key import texts
from caption_app.ui.api_key.dialog import KeyDialog
from tests.keyring.ws_key_server import BAD_KEY, GOOD_KEY, CheckServer, key_server
from tests.support.secret_service import keyring_backend, secret_service

CHECK_WAIT_MS = 10_000


@pytest.fixture(scope="module")
def _secret_service() -> Iterator[None]:
    with secret_service():
        yield


@pytest.fixture
def store(_secret_service: None) -> Iterator[KeyStore]:
    """The real Secret Service, empty before and after each test."""
    key_store = KeyStore()
    assert key_store.backend_name() == "GNOME Keyring / Secret Service"
    key_store.delete()
    yield key_store
    key_store.delete()


@pytest.fixture
def server() -> Iterator[CheckServer]:
    with key_server(reject="http") as srv:
        yield srv


def _closed_port_host() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"ws://127.0.0.1:{sock.getsockname()[1]}"


def _dialog(
    qtbot: QtBot, store: KeyStore, api_host: str, *, offline_available: bool = False
) -> KeyDialog:
    dialog = KeyDialog(
        store,
        check_api_key,
        api_host,
        memory=MemoryKey(),
        offline_available=offline_available,
        check_timeout_s=2.0,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=CHECK_WAIT_MS)  # off this thread
    return dialog


def _enter_and_click(qtbot: QtBot, dialog: KeyDialog, key: str, button: QPushButton) -> None:
    qtbot.keyClicks(dialog.key_edit, key)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not dialog.is_checking() and not threads.running_worker_threads(),
        timeout=CHECK_WAIT_MS,
    )


@pytest.mark.keyring
def test_a_good_key_is_checked_and_stored_in_the_keyring(
    qtbot: QtBot, store: KeyStore, server: CheckServer
) -> None:
    dialog = _dialog(qtbot, store, server.api_host)
    assert dialog.key_edit.echoMode() is QLineEdit.EchoMode.Password
    with qtbot.waitSignal(dialog.key_changed, timeout=CHECK_WAIT_MS) as changed:
        _enter_and_click(qtbot, dialog, GOOD_KEY, dialog.save_button)
    assert changed.args == ["keyring"]
    assert server.seen_keys == [GOOD_KEY]
    assert store.get() == GOOD_KEY
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.current_label.text() == f"Stored key: ••••{GOOD_KEY[-4:]}"
    assert dialog.key_edit.text() == ""  # the typed key does not linger in the widget
    assert GOOD_KEY not in dialog.windowTitle()


@pytest.mark.keyring
@pytest.mark.parametrize("reject", ["http", "close"])
def test_a_rejected_key_is_said_so_and_nothing_is_stored(
    qtbot: QtBot, store: KeyStore, reject: str
) -> None:
    with key_server(reject=reject) as srv:
        dialog = _dialog(qtbot, store, srv.api_host)
        _enter_and_click(qtbot, dialog, BAD_KEY, dialog.save_button)
    assert "AssemblyAI rejected this key;" in dialog.status_label.text()
    assert "nothing was saved" in dialog.status_label.text()
    assert not dialog.save_anyway_button.isVisible()  # retrying a rejected key cannot help
    assert store.get() is None
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert BAD_KEY not in dialog.status_label.text()


def test_a_key_rejected_for_this_session_only_does_not_speak_of_saving(
    qtbot: QtBot, store: KeyStore
) -> None:
    """Fifth walk W12: "Use for this session only" saves nothing either way, yet a rejected
    key was answered "nothing was saved"."""
    with key_server(reject="http") as srv:
        dialog = _dialog(qtbot, store, srv.api_host)
        _enter_and_click(qtbot, dialog, BAD_KEY, dialog.session_button)
    status = dialog.status_label.text()
    assert status.startswith("AssemblyAI rejected this key.") and "saved" not in status, status


@pytest.mark.keyring
def test_an_unreachable_service_is_distinct_and_the_key_can_be_saved_anyway(
    qtbot: QtBot, store: KeyStore
) -> None:
    dialog = _dialog(qtbot, store, _closed_port_host())
    _enter_and_click(qtbot, dialog, GOOD_KEY, dialog.save_button)
    status = dialog.status_label.text()
    assert status.startswith("Could not check the key: Could not reach AssemblyAI")
    assert "rejected" not in status
    assert dialog.save_anyway_button.isVisible()
    assert dialog.save_anyway_button.text() == "Save anyway"
    assert store.get() is None  # nothing until the person decides
    with qtbot.waitSignal(dialog.key_changed, timeout=CHECK_WAIT_MS) as changed:
        qtbot.mouseClick(dialog.save_anyway_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not threads.running_worker_threads(), timeout=CHECK_WAIT_MS)
    assert changed.args == ["keyring"]
    assert store.get() == GOOD_KEY


def test_no_keyring_offers_the_environment_and_a_session_only_key(
    qtbot: QtBot, server: CheckServer
) -> None:
    memory = MemoryKey()
    with keyring_backend(fail.Keyring()):
        store = KeyStore()
        dialog = KeyDialog(
            store, check_api_key, server.api_host, memory=memory, check_timeout_s=2.0
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=CHECK_WAIT_MS)
        problem = dialog.problem_label.text()
        assert dialog.problem_label.isVisible()
        assert "No keyring is available" in problem
        assert "ASSEMBLYAI_API_KEY" in problem and "this session only" in problem
        assert dialog.backend_label.text() == "Keyring: no keyring available"
        assert not dialog.save_button.isEnabled()  # no silent fallback to anything else
        with qtbot.waitSignal(dialog.key_changed, timeout=CHECK_WAIT_MS) as changed:
            _enter_and_click(qtbot, dialog, GOOD_KEY, dialog.session_button)
    assert changed.args == ["memory"]
    assert memory.get() == GOOD_KEY
    assert server.seen_keys == [GOOD_KEY]  # it was checked first
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_plaintext_keyring_needs_confirmation_before_storing(
    qtbot: QtBot, server: CheckServer, tmp_path: object
) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path) + "/keyring_pass.cfg"
    with keyring_backend(backend):
        store = KeyStore()
        dialog = _dialog(qtbot, store, server.api_host)
        assert "not encrypted" in dialog.problem_label.text()
        _enter_and_click(qtbot, dialog, GOOD_KEY, dialog.save_button)
        assert "does not encrypt the key" in dialog.status_label.text()
        assert dialog.plaintext_button.isVisible()
        assert store.get() is None
        with qtbot.waitSignal(dialog.key_changed, timeout=CHECK_WAIT_MS) as changed:
            qtbot.mouseClick(dialog.plaintext_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not threads.running_worker_threads(), timeout=CHECK_WAIT_MS)
        assert changed.args == ["keyring"]
        assert store.get() == GOOD_KEY


@pytest.mark.keyring
def test_stored_key_is_shown_masked_with_replace_and_remove(
    qtbot: QtBot, store: KeyStore, server: CheckServer
) -> None:
    store.set(GOOD_KEY)
    dialog = _dialog(qtbot, store, server.api_host)
    assert dialog.backend_label.text() == "Keyring: GNOME Keyring / Secret Service"
    assert dialog.current_label.text() == f"Stored key: ••••{GOOD_KEY[-4:]}"
    assert not dialog.entry.isVisible()
    qtbot.mouseClick(dialog.replace_button, Qt.MouseButton.LeftButton)
    assert dialog.entry.isVisible()
    with qtbot.waitSignal(dialog.key_changed, timeout=CHECK_WAIT_MS) as changed:
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not threads.running_worker_threads(), timeout=CHECK_WAIT_MS)
    assert changed.args == ["removed"]
    assert store.get() is None
    assert dialog.current_label.text() == "No key is stored."
    assert "removed from GNOME Keyring" in dialog.status_label.text()


@pytest.mark.keyring
def test_the_check_runs_off_the_gui_thread(qtbot: QtBot, store: KeyStore) -> None:
    with key_server(answer=False) as srv:
        dialog = _dialog(qtbot, store, srv.api_host)
        qtbot.keyClicks(dialog.key_edit, GOOD_KEY)
        started = time.monotonic()
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        click_s = time.monotonic() - started
        assert dialog.is_checking()
        assert not dialog.key_edit.isEnabled()
        assert dialog.status_label.text() == "Checking the key with AssemblyAI…"
        qtbot.waitUntil(
            lambda: not dialog.is_checking() and not threads.running_worker_threads(),
            timeout=CHECK_WAIT_MS,
        )
    assert click_s < 0.3, click_s  # the 2 s check did not hold up the event loop
    assert "did not answer within 2 seconds" in dialog.status_label.text()
    assert dialog.key_edit.isEnabled()


@pytest.mark.keyring
def test_closing_the_dialog_during_the_check_saves_nothing(
    qtbot: QtBot, store: KeyStore, server: CheckServer
) -> None:
    dialog = _dialog(qtbot, store, server.api_host)
    qtbot.keyClicks(dialog.key_edit, GOOD_KEY)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.is_checking()
    dialog.reject()  # the person gave up before the answer came
    qtbot.waitUntil(
        lambda: not dialog.is_checking() and not threads.running_worker_threads(),
        timeout=CHECK_WAIT_MS,
    )
    assert server.seen_keys == [GOOD_KEY]  # the check did finish, and was accepted...
    assert store.get() is None  # ...but nothing was saved behind the person's back


@pytest.mark.keyring
def test_show_toggle_offline_button_and_accessibility(qtbot: QtBot, store: KeyStore) -> None:
    dialog = _dialog(qtbot, store, "ws://127.0.0.1:9", offline_available=True)
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    assert dialog.key_edit.echoMode() is QLineEdit.EchoMode.Normal
    assert dialog.show_button.accessibleName() == "Hide the key"
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    assert dialog.key_edit.echoMode() is QLineEdit.EchoMode.Password
    for widget in dialog.findChildren(QWidget):
        if isinstance(widget, (QPushButton, QLineEdit)):
            assert widget.accessibleName(), widget
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.accessibleName()
    with qtbot.waitSignal(dialog.offline_requested):
        qtbot.mouseClick(dialog.offline_button, Qt.MouseButton.LeftButton)
    without = _dialog(qtbot, store, "ws://127.0.0.1:9")
    assert not without.offline_button.isVisible()


def test_an_empty_or_malformed_key_is_refused_before_any_check(
    qtbot: QtBot, server: CheckServer
) -> None:
    with keyring_backend(fail.Keyring()):
        dialog = _dialog(qtbot, KeyStore(), server.api_host)
        qtbot.mouseClick(dialog.session_button, Qt.MouseButton.LeftButton)
        assert dialog.status_label.text() == "Enter the API key."
        qtbot.keyClicks(dialog.key_edit, "two words")
        qtbot.mouseClick(dialog.session_button, Qt.MouseButton.LeftButton)
        assert "spaces" in dialog.status_label.text()
    assert not dialog.is_checking()
    assert server.seen_keys == []


def test_the_key_line_says_a_rejected_key_or_a_local_engine_does_not_caption(
    qtbot: QtBot, store: KeyStore
) -> None:
    """Issue 24's walk (A5): "In use: the key you entered (••••), saved in the keyring." while
    that key had just been rejected and captions ran on this computer, or the engine was "On
    this computer"."""
    memory = MemoryKey()
    memory.set(GOOD_KEY)
    masked = f"the key you entered ({mask_key(GOOD_KEY)})"
    rejected = KeyDialog(store, check_api_key, _closed_port_host(), memory=memory, rejected=masked)
    qtbot.addWidget(rejected)
    said = rejected.in_use_label.text()
    assert not said.startswith("In use") and said.startswith("Rejected by AssemblyAI:"), said
    assert masked in said
    chosen = texts.use_lead(running=False, here_now=False, chose_here=True)
    local = KeyDialog(store, check_api_key, _closed_port_host(), memory=memory, use=chosen)
    qtbot.addWidget(local)
    said = local.in_use_label.text()
    assert not said.startswith("In use") and "on this computer" in said, said
    plain = KeyDialog(store, check_api_key, _closed_port_host(), memory=memory)
    qtbot.addWidget(plain)
    assert plain.in_use_label.text().startswith(f"In use: {masked}")
    # Each dialog reads the keyring on a thread of its own: done before the test ends.
    dialogs = (rejected, local, plain)
    qtbot.waitUntil(lambda: not any(d.is_reading() for d in dialogs), timeout=10_000)


@pytest.mark.parametrize(
    ("running", "here_now", "chose_here", "lead"),
    [
        (False, False, False, "Used from the next start"),  # stopped: nothing uses it now
        (True, False, False, "In use"),  # the cloud captions, or is tried while here stands in
        (True, True, False, texts.RUNNING_HERE_LEAD),  # Automatic, started without a key
        (True, True, True, texts.CHOSEN_HERE_LEAD),
        (False, False, True, texts.CHOSEN_HERE_LEAD),
    ],
)
def test_the_key_line_says_whether_captions_use_the_key_now(
    qtbot: QtBot,
    store: KeyStore,
    running: bool,
    here_now: bool,
    chose_here: bool,
    lead: str,
) -> None:
    """Ninth walk V5: "In use: the stored key" while nothing ran; "Not used while captions run
    on this computer (Engine menu)" for captions here because they started without a key
    (nothing was chosen in the Engine menu); "for this run only" beside "kept for this session
    only" for the same thing."""
    memory = MemoryKey()
    memory.set(GOOD_KEY)
    use = texts.use_lead(running=running, here_now=here_now, chose_here=chose_here)
    dialog = KeyDialog(store, check_api_key, _closed_port_host(), memory=memory, use=use)
    qtbot.addWidget(dialog)
    said = dialog.in_use_label.text()
    assert said.startswith(f"{lead}: the key you entered ({mask_key(GOOD_KEY)})"), said
    assert "kept for this session only" in said and "run only" not in said, said
    assert ("Engine menu" in said) == chose_here, said
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=10_000)


def test_with_the_key_removed_while_the_cloud_captions_the_key_line_says_they_go_on(
    qtbot: QtBot, store: KeyStore
) -> None:
    """Tenth walk: the key removed while the cloud captioned with it, the window said the
    captions go on until stopped, and the dialog "No key is set up." beside it."""
    sent = texts.use_lead(running=True, here_now=False, chose_here=False, sent_now=True)
    dialog = KeyDialog(store, check_api_key, _closed_port_host(), memory=MemoryKey(), use=sent)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.is_reading(), timeout=10_000)
    assert dialog.in_use_label.text() == texts.NO_KEY_WHILE_SENT
    dialog.set_use(texts.use_lead(running=False, here_now=False, chose_here=False))  # Stop
    assert dialog.in_use_label.text() == "No key is set up."
