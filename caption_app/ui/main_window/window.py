"""The control room: start/stop, input, status, the live transcript, and the menus.

The window owns no session logic. It turns clicks into requests on the ``SessionController``
and shows what the controller reports; starting a session is delegated to a ``start_session``
callable supplied by the application, which knows about engines, keys and sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from caption_app import APP_NAME
from caption_app.core.audio.devices import InputDevice
from caption_app.core.model.session import EngineInUse, SessionState
from caption_app.core.model.status import SessionStatus
from caption_app.core.settings import EngineChoice
from caption_app.qt.session_controller import SessionController
from caption_app.qt.settings_store import DEFAULT_SHORTCUTS, GLOBAL_SHORTCUTS
from caption_app.ui.dialog_shelf import DialogShelf
from caption_app.ui.main_window.engine_menu import EngineMenu
from caption_app.ui.main_window.input_menu import InputMenu
from caption_app.ui.main_window.notice_bar import NoticeBar
from caption_app.ui.main_window.status_panel import StatusPanel
from caption_app.ui.main_window.window_words import (
    AppNote,
    NoticeActions,
    NoticeItem,
    Until,
    WindowFacts,
    transcript_hint,
    window_words,
)
from caption_app.ui.overlay import keys as overlay_keys
from caption_app.ui.transcript.view import TranscriptView

USAGE_TAB, SHORTCUTS_TAB = 0, 1
LOCK_UNAVAILABLE = "Lock overlay: not on this desktop"
"""The Lock switch's text where the compositor cannot pass clicks through the overlay."""
MEDIA_FILTER = "Media files (*.wav *.flac *.mp3 *.m4a *.aac *.ogg *.opus *.webm *.mp4 *.mkv *.mov)"


class MainWindow(QMainWindow):
    startRequested = Signal()
    """Start captioning the chosen input (the application builds the session)."""
    mediaFileChosen = Signal(str)
    deviceChosen = Signal(str)
    exportRequested = Signal()
    settingsRequested = Signal()
    keyRequested = Signal()
    historyRequested = Signal()
    overlayResetRequested = Signal()
    overlayToggled = Signal(bool)
    quitRequested = Signal()
    """Quit (the menu, the tray, or closing this window)."""
    lockToggled = Signal(bool)

    def __init__(
        self,
        controller: SessionController,
        list_devices: Callable[[], Sequence[InputDevice]],
        *,
        price_per_hour: float,
        shortcuts: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(f"{APP_NAME} main window")
        self.controller = controller
        self.notices = NoticeBar()
        self.status_panel = StatusPanel(price_per_hour)
        self.transcript = TranscriptView()
        self.input_menu = InputMenu(list_devices, self)
        self.engine_menu = EngineMenu(self)
        self.dialogs = DialogShelf()  # Help and About: one of each
        self.facts = WindowFacts()
        """What is true now; every word the window says is derived from it (``_say``)."""
        self.notice_actions = NoticeActions(enter_key=self.keyRequested.emit)
        self._note_serial = 0
        self.notices.dismissed.connect(self._notice_dismissed)
        self._build_actions(shortcuts or DEFAULT_SHORTCUTS)
        self._build_layout()
        self._connect_controller()
        self.input_menu.deviceChosen.connect(self.deviceChosen)
        self.input_menu.mediaFileRequested.connect(self._choose_media_file)
        self._set_running(False)
        self._say()
        self.resize(760, 520)

    # --- construction ---------------------------------------------------------------------

    def _action(self, text: str, shortcut: str = "", *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setCheckable(checkable)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.addAction(action)
        return action

    def lock_not_offered(self, why: str) -> None:
        """Lock cannot pass clicks through on this desktop: not offered as working, the switch
        says why instead (menu, toolbar and tray share the action)."""
        self.lock_action.setEnabled(False)
        self.lock_action.setText(LOCK_UNAVAILABLE)
        self.lock_action.setToolTip(why)
        self.lock_action.setStatusTip(why)

    def set_shortcuts(self, keys: Mapping[str, str]) -> None:
        for name, action in self._shortcut_actions().items():
            action.setShortcut(QKeySequence(keys.get(name, DEFAULT_SHORTCUTS[name])))
        self._global_keys = {n: keys.get(n, DEFAULT_SHORTCUTS[n]) for n in GLOBAL_SHORTCUTS}
        self._say()  # the empty transcript names the Start key

    def _shortcut_actions(self) -> dict[str, QAction]:
        return {
            "start_stop": self.start_action,
            "end_line": self.end_line_action,
            "lock_overlay": self.lock_action,
            "export": self.export_action,
            "pause": self.pause_action,
            "move_overlay": self.move_overlay_action,
        }

    def _build_actions(self, keys: Mapping[str, str]) -> None:
        self._global_keys = {n: keys.get(n, DEFAULT_SHORTCUTS[n]) for n in GLOBAL_SHORTCUTS}
        self.start_action = self._action("&Start captions", keys["start_stop"])
        self.start_action.triggered.connect(self.toggle_start)
        self.pause_action = self._action("&Pause", keys["pause"], checkable=True)
        self.pause_action.toggled.connect(self.controller.pause)
        self.pause_action.toggled.connect(self._name_pause)
        self.end_line_action = self._action("&End caption line now", keys["end_line"])
        self.end_line_action.triggered.connect(self.controller.force_endpoint)
        self.overlay_action = self._action("Show &overlay", checkable=True)
        self.overlay_action.setChecked(True)
        self.overlay_action.toggled.connect(self.overlayToggled)
        self.lock_action = self._action("&Lock overlay (click-through)", keys["lock_overlay"])
        self.lock_action.setCheckable(True)
        self.lock_action.toggled.connect(self.lockToggled)
        self.move_overlay_action = self._action(
            "&Move overlay with the keyboard", keys["move_overlay"]
        )
        self.move_overlay_action.setToolTip(overlay_keys.HELP)
        self.reset_overlay_action = self._action("&Reset overlay position")
        self.reset_overlay_action.setToolTip(
            "Put the overlay back at the bottom of the main screen, unlocked"
        )
        self.reset_overlay_action.triggered.connect(self.overlayResetRequested)
        self.export_action = self._action("E&xport transcript…", keys["export"])
        self.export_action.triggered.connect(self.exportRequested)
        self.settings_action = self._action("Se&ttings…", "Ctrl+,")
        self.settings_action.triggered.connect(self.settingsRequested)
        self.key_action = self._action("API &key…")
        self.key_action.triggered.connect(self.keyRequested)
        self.history_action = self._action("&History…", "Ctrl+H")
        self.history_action.triggered.connect(self.historyRequested)
        self.quit_action = self._action("&Quit", "Ctrl+Q")
        self.quit_action.triggered.connect(self.quitRequested)
        self.show_window_action = self._action(f"Show {APP_NAME} &window")
        self.show_window_action.triggered.connect(self.bring_back)

    def _build_layout(self) -> None:
        menu = self.menuBar()
        session_menu = menu.addMenu("&Session")
        for action in (self.start_action, self.pause_action, self.end_line_action):
            session_menu.addAction(action)
        session_menu.addSeparator()
        session_menu.addAction(self.export_action)
        session_menu.addAction(self.history_action)
        session_menu.addSeparator()
        session_menu.addAction(self.quit_action)
        menu.addMenu(self.input_menu)
        menu.addMenu(self.engine_menu)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.overlay_action)
        view_menu.addAction(self.lock_action)
        view_menu.addAction(self.move_overlay_action)
        view_menu.addAction(self.reset_overlay_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(self.transcript.find_action)
        edit_menu.addAction(self.transcript.copy_all_action)
        tools_menu = menu.addMenu("&Tools")
        tools_menu.addAction(self.settings_action)
        tools_menu.addAction(self.key_action)
        help_menu = menu.addMenu("&Help")
        self.usage_action = help_menu.addAction("&How to use Caption App")
        self.usage_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.usage_action.triggered.connect(lambda: self.show_help(USAGE_TAB))
        self.shortcuts_action = help_menu.addAction("&Keyboard shortcuts")
        self.shortcuts_action.triggered.connect(lambda: self.show_help(SHORTCUTS_TAB))
        help_menu.addSeparator()
        self.about_action = help_menu.addAction(f"&About {APP_NAME}…")
        self.about_action.triggered.connect(self.show_about)

        toolbar = QToolBar("Controls")
        toolbar.setAccessibleName("Controls")
        toolbar.setObjectName("controls")
        for action in (
            self.start_action,
            self.pause_action,
            self.end_line_action,
            self.lock_action,
            self.export_action,
        ):
            toolbar.addAction(action)
        self.addToolBar(toolbar)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.notices)
        layout.addWidget(self.status_panel)
        layout.addWidget(self.transcript, 1)
        self.setCentralWidget(central)

    def _connect_controller(self) -> None:
        c = self.controller
        c.statusChanged.connect(self._on_status)
        c.stateChanged.connect(self._on_state)
        c.audioLevel.connect(self.status_panel.set_level)
        c.progress.connect(self.status_panel.set_progress)
        c.turnUpdated.connect(self.transcript.apply_update)
        c.gapMarked.connect(self.transcript.add_gap)
        c.markerAdded.connect(self.transcript.add_marker)
        c.engineChanged.connect(self._on_engine)
        c.runningChanged.connect(self._set_running)

    # --- behaviour --------------------------------------------------------------------------

    @Slot()
    def toggle_start(self) -> None:
        if self.controller.running:
            self.controller.stop()
        else:
            self.status_panel.reset_clock()
            self.startRequested.emit()

    # --- what the window says: a function of ``facts`` -------------------------------------

    def set_facts(self, **changes: object) -> None:
        """Change what is known (the key, the engine chosen, …) and say what follows."""
        self.facts = replace(self.facts, **changes)  # type: ignore[arg-type]
        self._say()

    def notify(
        self,
        text: str,
        action_text: str = "",
        action: Callable[[], None] | None = None,
        *,
        until: Until = Until.DISMISSED,
        key: str = "",
        on_dismiss: Callable[[], None] | None = None,
    ) -> None:
        """A notice of the application's own (not the session's), true ``until``; a new one
        with the same ``key`` takes the old one's place."""
        if not key:
            self._note_serial += 1
            key = f"note:{self._note_serial}"
        item = NoticeItem(key, text, action_text, action, on_dismiss)
        kept = tuple(n for n in self.facts.notes if n.item.key != key)
        self.set_facts(notes=(AppNote(item, until), *kept))  # the newest first

    def withdraw(self, key: str) -> None:
        """The application's notice ``key`` no longer holds."""
        kept = tuple(n for n in self.facts.notes if n.item.key != key)
        if len(kept) != len(self.facts.notes):
            self.set_facts(notes=kept)

    def starting(self) -> None:
        """A start is attempted: what was said about the last start, or about the last
        session while it ran, or dismissed during it, is over (the eleventh walk: "The input
        you chose last time … is not connected" came back at every later Start)."""
        over = (Until.NEXT_START, Until.WHILE_RUNNING, Until.NEWS_WHILE_RUNNING)
        kept = tuple(n for n in self.facts.notes if n.until not in over)
        self.notices.forget_dismissals()
        self.set_facts(notes=kept)

    @Slot(str)
    def _notice_dismissed(self, key: str) -> None:
        self.withdraw(key)  # an application's note, once read, is done with

    @Slot(object)
    def _on_status(self, status: SessionStatus) -> None:
        key = self.facts.key
        if key.rejected and status.live and status.cloud:
            # The cloud took a key and captions flow: whatever it rejected before is over.
            key = replace(key, available=True, rejected="")
        self.set_facts(status=status, key=key)
        self.input_menu.show_input_lost(status.running and status.input_lost)
        if status.running and self.pause_action.isChecked() != status.paused:
            # The check mark shows the session's own record of the person's Pause (it holds
            # whatever the input or the network does meanwhile).
            blocker = QSignalBlocker(self.pause_action)
            self.pause_action.setChecked(status.paused)
            del blocker
            self._name_pause(status.paused)

    @Slot(bool)
    def _name_pause(self, paused: bool) -> None:
        """While paused the button says what pressing it does now (the third walk: a pressed
        "Pause" read as if captions ran)."""
        self.pause_action.setText("&Resume" if paused else "&Pause")
        self.pause_action.setToolTip("Resume captioning" if paused else "Pause captioning")

    def _say(self) -> None:
        words = window_words(self.facts, self.notice_actions)
        self.status_panel.show_status(self.facts.status, words.status_line, words.light)
        start_keys = self.start_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.transcript.set_hint(transcript_hint(self.facts.status, start_keys))
        self.notices.show_notices(words.notices)

    @Slot(object, str)
    def _on_state(self, state: SessionState, _detail: str) -> None:
        if state is SessionState.IDLE:
            self.pause_action.setChecked(False)

    def show_help(self, tab: int) -> None:
        from caption_app.ui.help.guide import HelpDialog

        keys = {
            name: action.shortcut().toString() for name, action in self._shortcut_actions().items()
        }
        keys.update(self._global_keys)  # grabbed on the desktop, not window actions
        dialog = self.dialogs.show("help", lambda: HelpDialog(keys, self))
        assert isinstance(dialog, HelpDialog)
        dialog.show_shortcuts(keys)  # as set now
        dialog.tabs.setCurrentIndex(tab)

    @Slot()
    def show_about(self) -> None:
        from caption_app.ui.help.about import AboutDialog

        self.dialogs.show("about", lambda: AboutDialog(self))

    @Slot(object)
    def _on_engine(self, engine: EngineInUse) -> None:
        self.engine_menu.show_live(
            EngineChoice.LOCAL if engine.on_device else EngineChoice.ASSEMBLYAI
        )

    @Slot(bool)
    def _set_running(self, running: bool) -> None:
        self.start_action.setText("&Stop captions" if running else "&Start captions")
        self.start_action.setToolTip("Stop captioning" if running else "Start captioning")
        self.pause_action.setEnabled(running)
        self.end_line_action.setEnabled(running)
        if not running:  # however it ended (stopped, failed): the next start is not paused
            blocker = QSignalBlocker(self.pause_action)
            self.pause_action.setChecked(False)
            del blocker
            self._name_pause(False)

    @Slot()
    def bring_back(self) -> None:
        """Show the window, unminimised and in front (from the tray)."""
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    @Slot()
    def _choose_media_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Caption a media file", "", MEDIA_FILTER)
        if path:
            self.mediaFileChosen.emit(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window quits: the application ends the session without waiting here."""
        super().closeEvent(event)
        if event.isAccepted():
            self.quitRequested.emit()
