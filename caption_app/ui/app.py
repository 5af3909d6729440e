"""The GUI's composition root: builds the windows, the controller and the wiring between them.

Start-up stays quick: the window is shown before anything slow (the SDK import costs ~0.3 s and
happens on the session thread when a session starts).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, Slot
from PySide6.QtWidgets import QApplication, QDialog

from caption_app.core.audio.source import AudioSourceError
from caption_app.core.engines.choice import EnginePlan, build_engines, plan_engines
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import SessionListener
from caption_app.core.model.status import EngineView
from caption_app.core.secrets.credentials import (
    ENV_VAR,
    CredentialProvider,
    session_memory_key,
)
from caption_app.core.secrets.store import mask_key
from caption_app.core.settings import AppSettings, EngineChoice
from caption_app.core.streaming.builder import build_live_session, open_source
from caption_app.core.transcript.errors import TranscriptFileError
from caption_app.core.transcript.paths import transcripts_dir
from caption_app.core.transcript.recorder import TranscriptRecorder
from caption_app.qt.background import call_in_background
from caption_app.qt.session_controller import SessionController
from caption_app.qt.settings_store import SettingsStore
from caption_app.ui.desktop_session import DesktopSession, overlay_for_this_desktop
from caption_app.ui.dialog_shelf import DialogShelf
from caption_app.ui.main_window.deferred_devices import DeferredDevices
from caption_app.ui.main_window.first_run import first_launch
from caption_app.ui.main_window.menu_choices import MenuChoices
from caption_app.ui.main_window.transcript_actions import TranscriptActions
from caption_app.ui.main_window.tray import build_tray
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.main_window.window_words import KEY_NEWS, KeyFacts, NoticeActions, Until
from caption_app.ui.overlay import keys as overlay_keys
from caption_app.ui.overlay.stepping_aside import watch_dialogs
from caption_app.ui.quitting import Quitting
from caption_app.ui.resources import DEMO_CLIP, app_icon
from caption_app.ui.run_settings import RunSettings, replaced


class CaptionApp:
    """Holds the long-lived objects of one GUI run and connects them."""

    def __init__(self, args: argparse.Namespace, qsettings: QSettings | None = None) -> None:
        self.store = SettingsStore(qsettings or QSettings())
        # The command line's engine, host, language and model apply to this run only.
        self.run = RunSettings.from_command_line(self.store, args)
        self.controller = SessionController()
        self.overlay = overlay_for_this_desktop(self.store)
        self.overlay.set_style(self.settings.overlay)
        self.overlay.restore_geometry(self.store)
        self.devices = DeferredDevices()  # listed once the window shows: PyAudio can wait
        self.window = MainWindow(
            self.controller,
            self.devices,
            price_per_hour=0.0,
            shortcuts=self.store.shortcuts(),
        )
        self.window.transcript.announcer.enabled = self.settings.announce_lines
        self.window.restoreGeometry(self.store.main_window_geometry())
        self.window.input_menu.set_chosen(self.settings.input_device_id)
        self.choices = MenuChoices(
            self.window,
            self.controller,
            self.run,
            self.start,
            media_path=str(DEMO_CLIP) if getattr(args, "demo", False) else args.source,
            device_query=args.device,
            with_system_audio=args.with_system_audio,
        )
        if self.choices.media_path:
            self.window.input_menu.set_media(self.choices.media_path)
        self.window.engine_menu.set_chosen(self.engine_preference)
        self.tray = build_tray(
            app_icon(),
            [
                self.window.overlay_action,
                self.window.lock_action,
                self.window.reset_overlay_action,
                None,
                self.window.start_action,
                None,
                self.window.quit_action,
            ],
            self.window,
            self.window.show_window_action,
        )
        self.desktop_session = DesktopSession(self.window, self.overlay, self.store, self.start)
        self._recorder: TranscriptRecorder | None = None
        self._asking_keyring = False
        self._start_when_key_saved = False
        self._dialogs = DialogShelf()
        self.window.notice_actions = NoticeActions(
            enter_key=self.open_key_dialog, use_assemblyai=self._use_assemblyai
        )
        self._wire()
        self._show_captions(self.settings)
        for problem in self.store.problems:
            self.window.notify(f"A setting was reset: {problem}")
        self.transcripts = TranscriptActions(self.window)
        self.transcripts.tidy_history(self.settings.retention_days)
        self.window.set_facts(
            preference=self.engine_preference,
            key=KeyFacts(available=self._key_set_up_without_keyring()),
            explain_engines=first_launch(self.store),
        )

    def _key_set_up_without_keyring(self) -> bool:
        """A key entered this run, one in the environment, or a token service (the keyring is
        asked only at Start, off the GUI thread: a key found there withdraws the first-launch
        notice then)."""
        streaming = self.settings.streaming
        memory = session_memory_key().get()
        return bool(memory or os.environ.get(ENV_VAR, "").strip() or streaming.token_url)

    def _set_key(self, **changes: object) -> None:
        from dataclasses import replace

        self.window.set_facts(key=replace(self.window.facts.key, **changes))  # type: ignore[arg-type]

    def _wire(self) -> None:
        w, c = self.window, self.controller
        c.turnUpdated.connect(self.overlay.apply_update)
        c.statusChanged.connect(self.overlay.show_status)
        c.speechStarted.connect(self.overlay.show_speech_started)
        c.problemRaised.connect(self._on_problem)
        w.startRequested.connect(self.start)
        w.deviceChosen.connect(self.choices.device)
        w.mediaFileChosen.connect(self.choices.media)
        self._wire_overlay()
        w.exportRequested.connect(self.export)
        w.settingsRequested.connect(self.open_settings)
        w.keyRequested.connect(self.open_key_dialog)
        w.historyRequested.connect(self.open_history)
        self._quitting = Quitting(c, self.tray, self.desktop_session.close)  # (saves, lets go)
        w.quitRequested.connect(self._quitting.now)
        w.engine_menu.engineChosen.connect(self.choices.engine)
        self.store.changed.connect(self._settings_saved)
        self.store.shortcutsChanged.connect(w.set_shortcuts)
        c.runningChanged.connect(lambda running: running or w.engine_menu.show_live(""))
        c.statusChanged.connect(self._key_use_changed)  # (the engine in use, standing in)
        w.engine_menu.engineChosen.connect(self._key_use_changed)

    def _wire_overlay(self) -> None:
        """How the main window's View menu and the overlay drive each other."""
        w, overlay = self.window, self.overlay
        w.overlayToggled.connect(overlay.setVisible)
        w.lockToggled.connect(overlay.set_locked)
        overlay.lockedChanged.connect(w.lock_action.setChecked)
        w.overlayResetRequested.connect(overlay.reset_position)
        w.overlayResetRequested.connect(lambda: w.overlay_action.setChecked(True))

        def move_by_keyboard() -> None:
            w.overlay_action.setChecked(True)
            overlay.start_keyboard_moving()

        w.move_overlay_action.triggered.connect(move_by_keyboard)
        overlay.keyboardDone.connect(w.activateWindow)
        overlay.keyboardRefused.connect(lambda: w.notify(overlay_keys.REFUSED, key="keyboard"))
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.screenRemoved.connect(overlay.keep_on_screen)
            self._dialogs_aside = watch_dialogs(overlay, app)  # they open where it is not

    @Slot(object)
    def _settings_saved(self, saved: AppSettings) -> None:
        self.overlay.set_style(saved.overlay)
        self.window.transcript.announcer.enabled = saved.announce_lines

    def show(self) -> None:
        self.window.show()
        self.overlay.show()
        self.devices.list_after_paint(self.window, self.window.input_menu.refresh)
        self.window.input_menu.aboutToShow.connect(self.devices.release)

    # --- sessions ---------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        if self.controller.running or self._asking_keyring:
            return
        self.window.starting()
        choice = self.engine_preference
        if choice is EngineChoice.LOCAL:
            self._start_planned(plan_engines(choice, cloud_configured=False), None)
            return
        from caption_app.core.secrets.credentials import has_stored_key, resolve_for_gui

        auth, keyring_needed = resolve_for_gui(self.settings.streaming)
        if not keyring_needed:
            self._set_key(available=True)
            self._start_planned(plan_engines(choice, cloud_configured=True), auth)
            return
        # Reading the keyring can wait on an unlock prompt: ask it off the GUI thread.
        self._asking_keyring = True

        def answered(found: object) -> None:
            self._asking_keyring = False
            self._set_key(available=bool(found))
            self._start_planned(plan_engines(choice, cloud_configured=bool(found)), auth)

        def failed(exc: BaseException) -> None:
            self._asking_keyring = False
            self.window.notify(f"Could not read the keyring: {exc}", until=Until.NEXT_START)

        call_in_background(lambda: has_stored_key(auth.store), answered, failed, "keyring-read")

    def _start_planned(self, plan: EnginePlan | None, auth: CredentialProvider | None) -> None:
        if plan is None:  # the cloud alone was asked for, and it has no key yet
            self._start_when_key_saved = True
            self.open_key_dialog()
        else:
            self._start_with(auth, plan)

    def _start_with(self, auth: CredentialProvider | None, plan: EnginePlan) -> None:
        try:
            opened = open_source(self.choices.source(), self.settings.streaming.chunk_ms)
        except AudioSourceError as exc:
            self.window.notify(
                str(exc), "Refresh devices", self.window.input_menu.refresh, until=Until.NEXT_START
            )
            return
        if opened.notice:
            # News of this start, on top (the thirteenth walk: behind the first-run notice).
            self.window.notify(opened.notice, key="input-fallback", until=Until.NEWS_WHILE_RUNNING)
            standing_in = getattr(opened.source, "device", None)  # the input captioned now
            if standing_in is not None:  # ticked while it is (the chosen one: after Stop)
                self.window.input_menu.set_chosen(standing_in.device_id)
        self.window.transcript.clear()
        self.overlay.clear()
        engine, stand_in = build_engines(
            plan,
            auth,
            self.settings.streaming,
            model_folder=self.settings.local_model_dir,
            local_model=self.settings.local_model,
        )
        self.window.engine_menu.show_live(plan.engine)
        self.choices.running_plan = plan
        view = EngineView(engine.name, engine.on_device, engine.billed_per_hour_usd)

        def factory(listener: SessionListener):  # type: ignore[no-untyped-def]
            built = build_live_session(
                self.settings.streaming,
                opened.source,
                auth,
                listener,
                engine=engine,
                stand_in=stand_in,
                failover=self.settings.failover,
            )
            self._recorder = built.recorder
            return built.session

        try:
            self.controller.start(factory, view, has_stand_in=stand_in is not None)
        except (OSError, TranscriptFileError) as exc:  # e.g. the transcripts folder
            opened.source.stop()
            self.window.notify(f"Could not start captioning: {exc}", until=Until.NEXT_START)

    @Slot(object)
    def _on_problem(self, problem: Problem) -> None:
        if problem.recovery is not Recovery.NEW_KEY:
            return
        if problem.kind is ProblemKind.AUTH:
            self._set_key(rejected=self._key_in_use_described())
        if self.controller.running and self.controller.status.has_stand_in:
            # Automatic: the session captions on this computer meanwhile; the notice offers
            # "Enter key…" (a dialog opening by itself mid-meeting would cover the captions).
            return
        self._start_when_key_saved = True
        self.open_key_dialog()

    def _key_in_use_described(self) -> str:
        """Which key the session used, in words (masked), without asking the keyring."""
        memory = session_memory_key().get()
        if memory:
            return f"the key you entered ({mask_key(memory)})"
        environment = os.environ.get(ENV_VAR, "").strip()
        if environment:
            return f"the key in {ENV_VAR} ({mask_key(environment)})"
        if self.settings.streaming.token_url:
            return "the token from your organisation's token service"
        return "the stored key"

    @Slot(str)
    def _key_changed(self, where: str) -> None:
        """A key was saved: a session captioning here since the cloud rejected the last key
        goes back to the cloud (the same session); a start that asked for a key goes on."""
        if where == "removed":
            self._set_key(available=self._key_set_up_without_keyring(), rejected="")
            if self.controller.running and self.controller.status.cloud:
                from caption_app.ui.api_key.texts import REMOVED_WHILE_SENT

                self.window.notify(REMOVED_WHILE_SENT, key=KEY_NEWS, until=Until.NEXT_START)
            return
        self._set_key(available=True, rejected="")
        if self.controller.running and self.controller.status.has_stand_in:
            self.controller.key_renewed()
            return
        if not self._start_when_key_saved:
            running_here = self.controller.running and self._captioning_here(standing_in=False)
            if running_here and self.engine_preference is not EngineChoice.LOCAL:
                # A session started without the cloud. Said after the dialog's word on the key
                # ("saved", "kept for this session"), which comes next: the news that matters
                # goes on top (the eighth walk: it waited behind "Dismiss (1 more)").
                QTimer.singleShot(0, self.choices.key_for_the_next_start)
            return
        self._start_when_key_saved = False
        self.choices.start_again()  # the session that asked ends first

    @property
    def settings(self) -> AppSettings:
        return self.run.current

    @property
    def engine_preference(self) -> EngineChoice:
        return self.run.engine_preference

    def _use_assemblyai(self) -> None:
        self.choices.engine(EngineChoice.AUTO)
        self.window.engine_menu.set_chosen(EngineChoice.AUTO)
        self.open_key_dialog()

    # --- dialogs ----------------------------------------------------------------------------

    @Slot()
    def export(self) -> None:
        running_s = self.window.status_panel.elapsed_s() if self.controller.running else 0.0
        self.transcripts.export(self._recorder, running_s)

    @Slot()
    def open_settings(self) -> None:
        from caption_app.ui.settings.dialog import SettingsDialog

        def make() -> QDialog:
            dialog = SettingsDialog(self.settings, self.window, shortcuts=self.store.shortcuts())
            self.desktop_session.serve_settings(dialog)
            dialog.applied.connect(self._apply_settings)
            dialog.shortcutsApplied.connect(self.store.save_shortcuts)
            return dialog

        self._show_dialog("settings", make)

    @Slot(object)
    def _apply_settings(self, settings: AppSettings) -> None:
        # The dialog stays open beside the main window: an input picked meanwhile is not the
        # dialog's to undo.
        current = self.settings
        settings = replaced(
            settings,
            input_device_id=current.input_device_id,
            input_device_label=current.input_device_label,
        )
        if settings.engine != self.settings.engine:
            self.run.engine_override = None
            self.window.engine_menu.set_chosen(settings.engine)
        self.run.save(settings)  # the overlay follows through ``store.changed``
        self._show_captions(self.settings)
        self.controller.apply_settings(settings.streaming)

    def _show_captions(self, settings: AppSettings) -> None:
        """Translated lines: under the original, or alone, in the overlay and the transcript."""
        layout = settings.streaming.translation_layout if settings.streaming.translate_to else ""
        captions = layout or "both"
        self.overlay.set_captions(captions)
        self.window.transcript.set_captions(captions)

    def _captioning_here(self, *, standing_in: bool = True) -> bool:
        """Captions run on this computer (``standing_in``: also while it covers for the
        cloud, which is tried meanwhile), or, stopped, will at the next start."""
        engine = self.controller.status.engine
        if self.controller.running and engine is not None:
            return engine.on_device and (standing_in or not engine.standing_in)
        return self.engine_preference is EngineChoice.LOCAL

    def _key_use(self) -> str:
        """Whether captions use the key now (the key dialog's key line says so)."""
        from caption_app.ui.api_key import texts

        return texts.use_lead(
            running=self.controller.running,
            here_now=self.controller.running and self._captioning_here(standing_in=False),
            chose_here=self.engine_preference is EngineChoice.LOCAL,
            sent_now=self.controller.running and self.controller.status.cloud,
        )

    @Slot()
    def _key_use_changed(self) -> None:
        """A Start, a Stop or the Engine menu while the key dialog is open: its key line is
        said again (the review: "Used from the next start" while the cloud used it)."""
        dialog = self.dialog("key")
        if dialog is not None and dialog.isVisible() and hasattr(dialog, "set_use"):
            dialog.set_use(self._key_use())

    @Slot()
    def open_key_dialog(self) -> None:
        from caption_app.core.engines.assemblyai.key_check import check_api_key
        from caption_app.core.secrets.store import KeyStore
        from caption_app.ui.api_key.dialog import KeyDialog

        def make() -> QDialog:
            dialog = KeyDialog(
                KeyStore(),
                check_api_key,
                self.settings.streaming.api_host,
                self.window,
                memory=session_memory_key(),
                environment_key=os.environ.get(ENV_VAR, ""),
                token_service=bool(self.settings.streaming.token_url),
                offline_available=not self._captioning_here(),
                rejected=self.window.facts.key.rejected,
                use=self._key_use(),
            )
            dialog.rejected.connect(self._key_not_given)
            dialog.offline_requested.connect(self._caption_locally_instead)
            dialog.key_changed.connect(self._key_changed)
            dialog.told.connect(
                lambda text: self.window.notify(text, key=KEY_NEWS, until=Until.NEXT_START)
            )
            return dialog

        self._show_dialog("key", make)
        shown = self._dialogs.get("key")
        if self._start_when_key_saved and isinstance(shown, KeyDialog):
            shown.starts_captions()  # also when a Start finds it open already

    @Slot()
    def _key_not_given(self) -> None:
        """The key dialog closed without a key: a Start that waited for one waits no more."""
        self._start_when_key_saved = False

    @Slot()
    def _caption_locally_instead(self) -> None:
        dialog = self._dialogs.get("key")
        if dialog is not None:
            dialog.close()
        self._start_when_key_saved = False
        self.choices.engine(EngineChoice.LOCAL)
        self.window.engine_menu.set_chosen(EngineChoice.LOCAL)
        self.start()

    @Slot()
    def open_history(self) -> None:
        from caption_app.ui.history.dialog import HistoryDialog

        try:
            directory = transcripts_dir()
        except OSError as exc:
            self.window.notify(f"Cannot open the transcripts folder: {exc}")
            return

        def make() -> QDialog:
            dialog = HistoryDialog(directory, self.window)
            dialog.sessionDeleted.connect(self._session_deleted)
            return dialog

        self._show_dialog("history", make)

    @Slot(object)
    def _session_deleted(self, path: Path) -> None:
        """The session shown in the window was deleted: its words leave the window too."""
        recorder = self._recorder
        if recorder is not None and recorder.path == path and not self.controller.running:
            self._recorder = None
            self.window.transcript.clear()
            self.overlay.clear()

    def _show_dialog(self, name: str, make: Callable[[], QDialog]) -> None:
        self._dialogs.show(name, make)

    def dialog(self, name: str) -> QDialog | None:
        return self._dialogs.get(name)

    def shutdown(self) -> None:  # the event loop is ending: see quitting.py
        # Where the person left the main window, frame and all (the seventh walk: it came
        # back where the desktop put a new one, or a title bar lower).
        self.store.save_main_window_geometry(self.window.saveGeometry())
        self._quitting.at_exit()
