"""The API key dialog: first run, replace, remove, and the paths for machines without a keyring.

The key is checked against the service on a worker thread (the GUI never waits on the
network); "rejected" and "could not reach the service" lead to different choices. The key is
stored only in the OS keyring, or kept in memory for this run when the user asks for that.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import replace

import shiboken6
from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from caption_app.core.engines.assemblyai.key_check import (
    DEFAULT_API_HOST,
    KeyCheck,
    KeyStatus,
    check_api_key,
)
from caption_app.core.secrets.credentials import MemoryKey, session_memory_key
from caption_app.core.secrets.store import (
    InvalidKey,
    KeyringState,
    KeyringUnavailable,
    KeyStore,
    clean_key,
)
from caption_app.qt.background import call_in_background
from caption_app.ui.api_key import texts
from caption_app.ui.api_key.keyring_access import KeyringAccess
from caption_app.ui.buttons import dialog_button
from caption_app.ui.labels import show_text

KeyChecker = Callable[[str, str, float], KeyCheck]
"""(key, api_host, timeout) -> result: ``check_api_key``, pointed at a test server in tests."""

MIN_WIDTH = 560
"""Wide enough that the dialog's messages wrap to a few lines, not a column."""


def checked(checker: KeyChecker, key: str, api_host: str, timeout: float) -> KeyCheck:
    """Runs on a worker thread: the dialog must get an answer whatever happens."""
    try:
        return checker(key, api_host, timeout)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check
        return KeyCheck(KeyStatus.UNREACHABLE, f"The check failed ({type(exc).__name__}).")


class Destination(enum.Enum):
    KEYRING = "keyring"
    MEMORY = "memory"


class KeyDialog(QDialog):
    """Enter, check, store, replace or remove the AssemblyAI API key."""

    offline_requested = Signal()
    key_changed = Signal(str)
    told = Signal(str)
    """What became of the key, in words, for the window once the dialog has closed."""
    """"keyring", "memory" or "removed": where the key now is (never the key itself)."""

    def __init__(
        self,
        store: KeyStore,
        checker: KeyChecker = check_api_key,
        api_host: str = DEFAULT_API_HOST,
        parent: QWidget | None = None,
        *,
        memory: MemoryKey | None = None,
        offline_available: bool = False,
        environment_key: str = "",
        token_service: bool = False,
        check_timeout_s: float = 5.0,
        rejected: str = "",
        use: str = texts.IN_USE,
    ) -> None:
        """``rejected``: which key AssemblyAI just rejected ("the stored key"), when the
        dialog opens because of that: it opens ready for a new key and says so, once.
        ``use``: whether captions use the key (``texts.use_lead``).
        ``offline_available``: "Caption on this computer instead" is offered (not while
        captions run here already)."""
        super().__init__(parent)
        self._store = store
        self._memory = session_memory_key() if memory is None else memory
        self._checker = checker
        self._api_host = api_host
        self._timeout = check_timeout_s
        self._pending: tuple[str, Destination] | None = None
        self._plaintext_confirmed = False
        self._checking = False
        self._keyring = KeyringAccess(store, lambda: shiboken6.isValid(self))
        self._state: KeyringState | None = None
        self._environment_key = environment_key.strip()
        self._token_service = token_service
        self._rejected = rejected
        self._use = use
        self.setWindowTitle("API key — Caption App")
        self.setAccessibleName("AssemblyAI API key")
        self._build_info()
        self._build_entry(offline_available)
        self._lay_out()
        self._connect()
        self._show_what_is_known()
        self.refresh()

    # construction

    def _build_info(self) -> None:
        self.intro = QLabel(texts.INTRO)
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self.intro.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.intro.setOpenExternalLinks(False)
        self.intro.linkActivated.connect(self._open_link)
        self.intro.setAccessibleName("What the API key is")
        self.in_use_label = QLabel()
        self.in_use_label.setWordWrap(True)
        self.in_use_label.setAccessibleName("Key in use")
        self.backend_label = QLabel()
        self.backend_label.setAccessibleName("Keyring in use")
        self.current_label = QLabel()
        self.current_label.setAccessibleName("Stored key")
        self.replace_button = dialog_button("Replace…", "Replace the stored key")
        self.remove_button = dialog_button("Remove", "Remove the stored key")
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setAccessibleName("Keyring problem")

    def _build_entry(self, offline_available: bool) -> None:
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste your AssemblyAI API key")
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.key_label = QLabel("&API key:")
        self.key_label.setBuddy(self.key_edit)
        self.show_button = dialog_button("Show", "Show the key")
        self.show_button.setCheckable(True)
        self.save_button = dialog_button(
            "Check and save", "Check the key and save it in the keyring"
        )
        self.save_button.setDefault(True)
        self.session_button = dialog_button(
            "Use for this session only", "Check the key and use it until Caption App quits"
        )
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Status")
        self.save_anyway_button = dialog_button(
            "Save without checking", "Save the key without checking"
        )
        self.plaintext_button = dialog_button(
            "Store unencrypted anyway", "Store the key unencrypted"
        )
        self.offline_button = dialog_button(
            "Caption on this computer instead",
            "Caption on this computer instead of AssemblyAI: no key, audio stays here",
        )
        self.offline_button.setVisible(offline_available)
        self.offline_button.setEnabled(offline_available)
        self.close_button = dialog_button("Close", "Close")

    def _lay_out(self) -> None:
        self.entry = QWidget()
        entry_layout = QVBoxLayout(self.entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.key_label)
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.show_button)
        entry_layout.addLayout(row)
        actions = QHBoxLayout()
        actions.addWidget(self.save_button)
        actions.addWidget(self.session_button)
        entry_layout.addLayout(actions)

        current = QHBoxLayout()
        current.addWidget(self.current_label, 1)
        current.addWidget(self.replace_button)
        current.addWidget(self.remove_button)
        follow_up = QHBoxLayout()
        follow_up.addWidget(self.save_anyway_button)
        follow_up.addWidget(self.plaintext_button)
        follow_up.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.offline_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        # The dialog grows with its messages (a wrapped label must never be squeezed) and
        # keeps a width at which they wrap to a few lines.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.setMinimumWidth(MIN_WIDTH)
        for widget in (self.intro, self.in_use_label, self.backend_label):
            layout.addWidget(widget)
        layout.addLayout(current)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.entry)
        layout.addWidget(self.status_label)
        layout.addLayout(follow_up)
        layout.addLayout(bottom)

    def _connect(self) -> None:
        self.show_button.toggled.connect(self._toggle_shown)
        self.save_button.clicked.connect(lambda: self._start(Destination.KEYRING))
        self.session_button.clicked.connect(lambda: self._start(Destination.MEMORY))
        self.key_edit.returnPressed.connect(self.save_button.click)
        self.save_anyway_button.clicked.connect(self._save_anyway)
        self.plaintext_button.clicked.connect(self._confirm_plaintext)
        self.replace_button.clicked.connect(self._replace)
        self.remove_button.clicked.connect(self._remove)
        self.offline_button.clicked.connect(self._use_offline)
        self.close_button.clicked.connect(self.reject)

    def starts_captions(self) -> None:
        """Opened by a Start that waits for a key: the buttons say they go on to start
        captions (the fifth walk: saving the key started them without a word)."""
        self.save_button.setText("Check, save and start captions")
        self.session_button.setText("Use for this session and start captions")

    # state

    def refresh(self) -> None:
        """Re-read the keyring (which backend, whether a key is stored, whether it works) off
        the GUI thread (``keyring_access.py``): the window keeps painting meanwhile."""
        if not self._keyring.reading:
            show_text(self.backend_label, texts.BACKEND_READING)
            for button in (self.save_button, self.replace_button, self.remove_button):
                button.setEnabled(False)
        self._keyring.read(self._show)

    def is_reading(self) -> bool:
        return self._keyring.reading

    def _show_what_is_known(self) -> None:
        """What needs no keyring, at once: the key in use when it does not come from the
        keyring, a rejection, and the field to type a key into."""
        self._show_in_use()
        show_text(self.current_label, texts.READING)
        self.replace_button.setVisible(False)
        self.remove_button.setVisible(False)
        self.entry.setVisible(True)
        if self._rejected:
            self._say(texts.rejected(self._rejected))

    def set_use(self, use: str) -> None:
        """Whether captions use the key changed while the dialog is open (a Start, a Stop,
        the Engine menu): ``texts.use_lead``."""
        if use != self._use:
            self._use = use
            self._show_in_use()

    def _show_in_use(self) -> None:
        if self._state is not None:
            show_text(self.in_use_label, self.key_in_use(self._state.stored))
        elif self._memory.get() or self._environment_key or self._token_service:
            show_text(self.in_use_label, self.key_in_use(None))
        else:
            show_text(self.in_use_label, texts.reading_in_use(self._use))

    def _show(self, state: KeyringState) -> None:
        self._state = state
        problem, stored = state.problem, state.stored
        show_text(self.backend_label, texts.backend(state.backend))
        if problem is not None:
            show_text(self.problem_label, texts.keyring_problem(str(problem)))
        elif state.plaintext:
            show_text(self.problem_label, texts.PLAINTEXT_WARNING)
        self.problem_label.setVisible(problem is not None or state.plaintext)
        busy = self._checking or self._keyring.writing
        self.save_button.setEnabled(problem is None and not busy)
        for button in (self.replace_button, self.remove_button):
            button.setEnabled(not busy)
        if stored:
            show_text(self.current_label, texts.stored_key(stored))
        elif self._memory.get():
            show_text(self.current_label, texts.SESSION_KEY_NOT_STORED)
        else:
            show_text(self.current_label, texts.NO_KEY_STORED)
        self.replace_button.setVisible(bool(stored))
        self.remove_button.setVisible(bool(stored))
        # Opened because a key was rejected: ready for the new one at once.
        self.entry.setVisible(not stored or bool(self._rejected))
        show_text(self.in_use_label, self.key_in_use(stored))
        if self._rejected and not self.status_label.text():
            self._say(texts.rejected(self._rejected))
            self.key_edit.setFocus()
        self._set_follow_up()

    def key_in_use(self, stored: str | None) -> str:
        """Which key the next connection uses and where it comes from (never the key)."""
        entered = self._memory.get()
        env, token = self._environment_key, self._token_service
        lead = texts.REJECTED_LEAD if self._rejected else self._use
        return texts.key_in_use_text(entered, self._memory.stored, env, stored, token, lead=lead)

    def _set_follow_up(self, save_anyway: bool = False, plaintext: bool = False) -> None:
        self.save_anyway_button.setVisible(save_anyway)
        self.plaintext_button.setVisible(plaintext)

    def _say(self, text: str) -> None:
        show_text(self.status_label, text)
        self.status_label.setAccessibleDescription(text)
        self._fit()

    def _fit(self) -> None:
        """Grow to hold a longer message at the current width, so no text is clipped."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
            need = layout.totalHeightForWidth(self.width())
            if need > self.height():
                self.resize(self.width(), need)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.key_edit, self.session_button, self.replace_button, self.remove_button):
            widget.setEnabled(not busy)
        state = self._state
        usable = state is not None and state.problem is None and not self._keyring.reading
        self.save_button.setEnabled(not busy and usable)

    def done(self, result: int) -> None:
        self._pending = None  # a check still running when the dialog closes saves nothing
        super().done(result)

    def is_checking(self) -> bool:
        """A key check or a keyring write is under way."""
        return self._checking or self._keyring.writing

    # actions

    @Slot(bool)
    def _toggle_shown(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)
        self.show_button.setText("Hide" if shown else "Show")
        self.show_button.setAccessibleName("Hide the key" if shown else "Show the key")

    def _start(self, destination: Destination) -> None:
        if self.is_checking():
            return
        try:
            key = clean_key(self.key_edit.text())
        except InvalidKey as exc:
            self._say(str(exc))
            return
        self._pending = (key, destination)
        self._set_follow_up()
        self._set_busy(True)
        self._say(texts.CHECKING)
        self._checking = True
        checker, api_host, timeout = self._checker, self._api_host, self._timeout
        call_in_background(
            lambda: checked(checker, key, api_host, timeout),
            self._on_checked,
            self._on_checked,  # never called: _checked answers whatever happens
            "key-check",
        )

    def _on_checked(self, result: object) -> None:
        if not shiboken6.isValid(self):
            return  # the dialog was closed and deleted while the check ran
        self._checking = False
        self._set_busy(False)
        if not isinstance(result, KeyCheck):
            return
        if self._pending is None:
            return
        key, destination = self._pending
        if result.status is KeyStatus.ACCEPTED:
            self._commit(key, destination)
        elif result.status is KeyStatus.REJECTED:
            self._pending = None
            saving = destination is Destination.KEYRING
            self._say(texts.REJECTED_NOTHING_SAVED if saving else texts.REJECTED)
            self.key_edit.selectAll()
            self.key_edit.setFocus()
        else:
            saving = destination is Destination.KEYRING
            self._say(texts.could_not_check(result.message, saving))
            self.save_anyway_button.setText("Save anyway" if saving else "Use anyway")
            self._set_follow_up(save_anyway=True)
            self._fit()

    @Slot()
    def _save_anyway(self) -> None:
        if self._pending is not None:
            self._set_follow_up()
            self._commit(*self._pending)

    @Slot()
    def _confirm_plaintext(self) -> None:
        self._plaintext_confirmed = True
        self._save_anyway()

    def _commit(self, key: str, destination: Destination) -> None:
        if destination is Destination.MEMORY:
            self._memory.set(key)
            self._finish("memory", texts.KEPT_FOR_SESSION)
            return
        state = self._state
        if state is None:
            self._say(texts.STILL_READING)
            return
        if state.plaintext and not self._plaintext_confirmed:
            self._say(texts.not_encrypted(state.backend))
            self._set_follow_up(plaintext=True)
            return
        self._write(lambda: self._store.set(key), lambda: self._saved(key, state))

    def _saved(self, key: str, state: KeyringState) -> None:
        self._memory.set(key, stored=True)  # just entered: it wins over the environment
        self._state = replace(state, stored=key)
        self._finish("keyring", texts.saved_in(state.backend))

    def _write(self, change: Callable[[], None], done: Callable[[], None]) -> None:
        """Store or remove the key off the GUI thread (the keyring may wait on a prompt)."""
        self._set_busy(True)

        def written() -> None:
            self._set_busy(False)
            done()

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if isinstance(exc, KeyringUnavailable):
                self._say(texts.keyring_unavailable(str(exc)))
            else:
                self._say(texts.keyring_failed(exc))
            self.refresh()
            self.entry.setVisible(True)

        self._keyring.write(change, written, failed)

    def _finish(self, where: str, message: str) -> None:
        self._pending = None
        self._rejected = ""  # a key was taken: the rejection was of another
        self.key_edit.clear()
        self.show_button.setChecked(False)
        if self._state is not None:
            self._show(self._state)
        self._say(message)
        self.key_changed.emit(where)
        self.told.emit(message)  # the dialog closes: the window says it (the third walk)
        self.accept()

    @Slot()
    def _replace(self) -> None:
        self.entry.setVisible(True)
        self.key_edit.setFocus()
        self._say(texts.ENTER_NEW_KEY)

    @Slot()
    def _remove(self) -> None:
        state = self._state
        if state is None or self._keyring.writing:
            return
        self._write(self._store.delete, lambda: self._removed(state))

    def _removed(self, state: KeyringState) -> None:
        self._memory.clear()
        self._show(replace(state, stored=None))
        self._say(texts.removed_from(state.backend))
        self.key_changed.emit("removed")

    @Slot(str)
    def _open_link(self, url: str) -> None:
        """Open the dashboard in the browser; where none opens, say so and give the address."""
        if not QDesktopServices.openUrl(QUrl(url)):
            self._say(texts.no_browser(url))
            self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    @Slot()
    def _use_offline(self) -> None:
        self.offline_requested.emit()
        self.accept()
