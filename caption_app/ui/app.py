"""The GUI's composition root: builds the windows, the controller and the wiring between them.

Start-up stays quick: the window is shown before anything slow (the SDK import costs ~0.3 s and
happens on the session thread when a session starts).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from caption_app import APP_ID, APP_NAME, __version__
from caption_app.core.audio.devices import list_devices
from caption_app.core.audio.source import AudioSourceError
from caption_app.core.secrets.credentials import NoCredentials
from caption_app.core.settings import AppSettings
from caption_app.core.streaming.builder import SourceChoice, build_live_session, open_source
from caption_app.core.streaming.errors import Problem, Recovery
from caption_app.core.streaming.session import SessionListener
from caption_app.core.transcript.errors import TranscriptFileError
from caption_app.core.transcript.export import write_export
from caption_app.core.transcript.journal import read_journal
from caption_app.core.transcript.recorder import TranscriptRecorder
from caption_app.qt.session_controller import SessionController
from caption_app.qt.settings_store import SettingsStore
from caption_app.ui.main_window import MainWindow
from caption_app.ui.overlay import CaptionOverlay
from caption_app.ui.tray import build_tray

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
EXPORT_FILTERS = {
    "txt": "Plain text (*.txt)",
    "md": "Markdown (*.md)",
    "srt": "SubRip subtitles (*.srt)",
    "vtt": "WebVTT subtitles (*.vtt)",
    "json": "JSON, full detail (*.json)",
}


class CaptionApp:
    """Holds the long-lived objects of one GUI run and connects them."""

    def __init__(self, args: argparse.Namespace, qsettings: QSettings | None = None) -> None:
        self.store = SettingsStore(qsettings or QSettings())
        self.settings: AppSettings = self.store.load()
        if args.api_host:
            self.settings = _with_host(self.settings, args.api_host)
        self.media_path: str | None = args.source
        self.device_query: str | None = args.device
        self.controller = SessionController()
        self.overlay = CaptionOverlay()
        self.overlay.set_style(self.settings.overlay)
        self.overlay.restore_geometry(self.store.qsettings)
        self.window = MainWindow(
            self.controller,
            list_devices,
            price_per_hour=0.15,
            shortcuts=self.store.shortcuts(),
        )
        self.window.input_menu.set_chosen(self.settings.input_device_id)
        self.tray = build_tray(
            QIcon(str(RESOURCES / "icons" / "caption-app.svg")),
            [
                self.window.overlay_action,
                self.window.lock_action,
                None,
                self.window.start_action,
                None,
                self.window.quit_action,
            ],
            self.window,
        )
        self._recorder: TranscriptRecorder | None = None
        self._wire()
        for problem in self.store.problems:
            self.window.notices.show_notice(f"A setting was reset: {problem}")

    def _wire(self) -> None:
        w, c = self.window, self.controller
        c.turnUpdated.connect(self.overlay.apply_update)
        c.problemRaised.connect(self._on_problem)
        w.startRequested.connect(self.start)
        w.deviceChosen.connect(self._choose_device)
        w.mediaFileChosen.connect(self._choose_media)
        w.overlayToggled.connect(self.overlay.setVisible)
        w.lockToggled.connect(self.overlay.set_locked)
        self.overlay.lockedChanged.connect(w.lock_action.setChecked)
        w.exportRequested.connect(self.export)
        w.settingsRequested.connect(self.open_settings)
        w.keyRequested.connect(self.open_key_dialog)

    def show(self) -> None:
        self.window.show()
        self.overlay.show()

    # --- sessions ---------------------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        if self.controller.running:
            return
        from caption_app.core.secrets.credentials import resolve_for_gui

        try:
            auth = resolve_for_gui(self.settings.streaming)
        except NoCredentials:
            self.open_key_dialog()
            return
        choice = SourceChoice(
            media_path=self.media_path,
            device_query=self.device_query,
            device_id=self.settings.input_device_id or None,
        )
        try:
            opened = open_source(choice, self.settings.streaming.chunk_ms)
        except AudioSourceError as exc:
            self.window.notices.show_notice(
                str(exc), "Refresh devices", self.window.input_menu.refresh
            )
            return
        self.window.transcript.clear()
        self.overlay.clear()

        def factory(listener: SessionListener):  # type: ignore[no-untyped-def]
            built = build_live_session(self.settings.streaming, opened.source, auth, listener)
            self._recorder = built.recorder
            return built.session

        self.controller.start(factory)

    @Slot(object)
    def _on_problem(self, problem: Problem) -> None:
        if problem.recovery is Recovery.NEW_KEY:
            self.open_key_dialog()

    @Slot(str)
    def _choose_device(self, device_id: str) -> None:
        self.media_path = None
        self.device_query = None
        self.settings = _replace(self.settings, input_device_id=device_id)
        self.store.save(self.settings)

    @Slot(str)
    def _choose_media(self, path: str) -> None:
        self.media_path = path
        self.start()

    # --- dialogs ----------------------------------------------------------------------------

    @Slot()
    def export(self) -> None:
        recorder = self._recorder
        if recorder is None:
            self.window.notices.show_notice("Nothing to export yet: start captions first.")
            return
        path, chosen = QFileDialog.getSaveFileName(
            self.window, "Export transcript", "", ";;".join(EXPORT_FILTERS.values())
        )
        if not path:
            return
        fmt = next(k for k, v in EXPORT_FILTERS.items() if v == chosen) if chosen else "txt"
        if not path.endswith(f".{fmt}"):
            path += f".{fmt}"
        try:
            # The journal is the thread-safe copy: the session thread owns the live model,
            # and every finished turn is already on disk.
            document = read_journal(recorder.path).document
            write_export(document, Path(path), fmt, overwrite=True)
        except (OSError, TranscriptFileError) as exc:
            QMessageBox.warning(self.window, "Export failed", f"Could not write {path}: {exc}")

    @Slot()
    def open_settings(self) -> None:
        from caption_app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.window)
        dialog.applied.connect(self._apply_settings)
        dialog.open()

    @Slot(object)
    def _apply_settings(self, settings: AppSettings) -> None:
        self.settings = settings
        self.store.save(settings)
        self.overlay.set_style(settings.overlay)
        self.controller.apply_settings(settings.streaming)

    @Slot()
    def open_key_dialog(self) -> None:
        from caption_app.core.secrets.store import KeyStore
        from caption_app.core.secrets.validation import check_api_key
        from caption_app.ui.key_dialog import KeyDialog

        dialog = KeyDialog(KeyStore(), check_api_key, self.settings.streaming.api_host, self.window)
        dialog.open()

    def shutdown(self) -> None:
        self.overlay.save_geometry(self.store.qsettings)
        if self.controller.running:
            self.controller.stop()
            self.controller.wait(7000)


def _replace(settings: AppSettings, **changes: object) -> AppSettings:
    import dataclasses

    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def _with_host(settings: AppSettings, host: str) -> AppSettings:
    import dataclasses

    return dataclasses.replace(
        settings, streaming=dataclasses.replace(settings.streaming, api_host=host)
    )


def run_gui(args: argparse.Namespace) -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setOrganizationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(True)
    captions = CaptionApp(args)
    captions.show()
    app.aboutToQuit.connect(captions.shutdown)
    if args.self_test:
        QTimer.singleShot(0, lambda: _self_test(captions, app))
    elif args.start:
        QTimer.singleShot(0, captions.start)
    return app.exec()


def _self_test(captions: CaptionApp, app: QApplication) -> None:
    ok = captions.window.isVisible() and captions.overlay.isVisible()
    print(f"self-test: {'ok' if ok else 'FAILED'} ({APP_NAME} {__version__})", flush=True)
    app.exit(0 if ok else 1)
