"""The settings dialog: edits an ``AppSettings`` (and the shortcuts) page by page.

Every edit is validated at once against the core schema; a problem is shown inline on its page
and in one line above the buttons, and OK/Apply stay disabled until it is fixed. The widgets
are never reset by validation, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caption_app.core.settings import AppSettings, SettingsError
from caption_app.qt.settings_store import DEFAULT_SHORTCUTS
from caption_app.ui.settings.language_page import LanguagePage
from caption_app.ui.settings.overlay_page import OverlayStylePage
from caption_app.ui.settings.pages import (
    DesktopPage,
    EnginePage,
    HistoryPage,
    SettingsPage,
    ShortcutsPage,
    TurnsPage,
    error_label,
    show_error,
)


class SettingsDialog(QDialog):
    applied = Signal(object)
    """The validated ``AppSettings``, on Apply and on OK."""
    autostartApplied = Signal(bool)
    """Start with the desktop switched on or off (on Apply and on OK, when it changed)."""
    shortcutsApplied = Signal(object)
    """The shortcut mapping (action name -> key sequence), on Apply and on OK."""

    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        shortcuts: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Caption App")
        self.setAccessibleName("Settings")
        self._settings = settings
        self._shortcuts = dict(shortcuts or DEFAULT_SHORTCUTS)
        self.engine_page = EnginePage()
        self.turns_page = TurnsPage()
        self.language_page = LanguagePage()
        self.overlay_page = OverlayStylePage()
        self.shortcuts_page = ShortcutsPage()
        self.history_page = HistoryPage()
        self.desktop_page = DesktopPage()
        self._starts_with_desktop = False
        self._pages: list[SettingsPage] = [
            self.engine_page,
            self.language_page,
            self.turns_page,
            self.overlay_page,
            self.history_page,
        ]
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings pages")
        # Every tab in sight: no scroll arrows hiding the last one (the dialog is as wide as
        # its tabs need).
        self.tabs.setUsesScrollButtons(False)
        self.tabs.tabBar().setExpanding(False)
        for tab, title, name in (
            (self.engine_page, "&Engine", "Engine"),
            (self.language_page, "&Language", "Language and translation"),
            (self.turns_page, "&Turns", "Formatting and turns"),
            (self.overlay_page, "&Overlay", "Overlay style"),
            (self.shortcuts_page, "S&hortcuts", "Shortcuts"),
            (self.history_page, "Tr&anscripts", "Transcripts"),
            (self.desktop_page, "&Desktop", "Start with the desktop"),
        ):
            tab.setAccessibleName(name)
            self.tabs.addTab(tab, title)
        self.problem_label = error_label("Settings problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.ok_button = self._standard_button(QDialogButtonBox.StandardButton.Ok, "OK")
        self.apply_button = self._standard_button(QDialogButtonBox.StandardButton.Apply, "Apply")
        self.cancel_button = self._standard_button(QDialogButtonBox.StandardButton.Cancel, "Cancel")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        for page in self._pages:
            page.load(settings)
            page.edited.connect(self._revalidate)
        self.shortcuts_page.load(self._shortcuts)
        self.shortcuts_page.edited.connect(self._revalidate)
        labelled = self.turns_page.speakers_check
        self.overlay_page.set_speakers_labelled(labelled.isChecked())
        labelled.toggled.connect(self.overlay_page.set_speakers_labelled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)
        self.tabs.setFocus()
        self._revalidate()
        self._fix_size()

    def _fix_size(self) -> None:
        """One size for the dialog's life, big enough for its largest page and a problem
        line, so OK and Apply never move while the person works."""
        keep = self.problem_label.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # the problem line's room is always kept
        self.problem_label.setSizePolicy(keep)
        show_error(self.problem_label, "A problem sentence long enough to need the room.")
        layout = self.layout()
        assert layout is not None
        layout.activate()
        size = self.sizeHint().expandedTo(self.minimumSizeHint())
        self._revalidate()
        self.setMinimumSize(size)
        self.resize(size)

    def _standard_button(self, which: QDialogButtonBox.StandardButton, name: str) -> QPushButton:
        button = self.buttons.button(which)
        button.setAccessibleName(name)
        return button

    # --- results --------------------------------------------------------------------------

    def show_desktop(self, global_note: str, *, starts: bool) -> None:
        """What this desktop allows the global shortcuts, and whether the app starts with it."""
        self.shortcuts_page.set_global_status(global_note)
        self.desktop_page.autostart_check.setChecked(starts)
        self._starts_with_desktop = starts

    def settings(self) -> AppSettings:
        """The last applied settings (the ones passed in until Apply or OK)."""
        return self._settings

    def shortcuts(self) -> dict[str, str]:
        return dict(self._shortcuts)

    def problem(self) -> str | None:
        """Why OK is disabled, or None when everything typed is valid."""
        return self._candidate()[2]

    # --- validation -----------------------------------------------------------------------

    def _candidate(self) -> tuple[AppSettings | None, dict[str, str] | None, str | None]:
        settings = self._settings
        try:
            for page in self._pages:
                settings = page.apply(settings)
            settings.streaming.validate()
            settings.overlay.validate()
            shortcuts = self.shortcuts_page.shortcuts()
        except SettingsError as exc:
            return None, None, str(exc)
        return settings, shortcuts, None

    @Slot()
    def _revalidate(self) -> bool:
        _settings, _shortcuts, problem = self._candidate()
        show_error(self.problem_label, problem)
        self.ok_button.setEnabled(problem is None)
        self.apply_button.setEnabled(problem is None)
        return problem is None

    @Slot()
    def apply(self) -> bool:
        settings, shortcuts, problem = self._candidate()
        if settings is None or shortcuts is None:
            show_error(self.problem_label, problem)
            return False
        self._settings = settings
        self._shortcuts = shortcuts
        self.applied.emit(settings)
        self.shortcutsApplied.emit(dict(shortcuts))
        starts = self.desktop_page.autostart_check.isChecked()
        if starts != self._starts_with_desktop:
            self._starts_with_desktop = starts
            self.autostartApplied.emit(starts)
        return True

    @Slot()
    def accept(self) -> None:
        if self.apply():
            super().accept()
