"""Help: how to use the app, and every keyboard shortcut as it is set now."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from caption_app import APP_NAME
from caption_app.qt.settings_store import SHORTCUT_LABELS
from caption_app.ui.resources import RESOURCES

USAGE = RESOURCES / "docs" / "usage.md"
FIXED_SHORTCUTS: tuple[tuple[str, str | QKeySequence.StandardKey], ...] = (
    ("Find in the transcript", QKeySequence.StandardKey.Find),
    ("Settings", "Ctrl+,"),
    ("History", "Ctrl+H"),
    ("How to use Caption App", QKeySequence.StandardKey.HelpContents),
    ("Quit", "Ctrl+Q"),
)
"""Shortcuts that are not changeable in Settings. Kept as names, not QKeySequences: a
platform's standard keys can only be read once a QGuiApplication exists, and importing this
module must not need one."""
USAGE_TAB, SHORTCUTS_TAB = 0, 1


def shortcut_rows(shortcuts: Mapping[str, str]) -> list[tuple[str, str]]:
    """(what it does, the keys as this platform writes them), changeable ones first."""
    native = QKeySequence.SequenceFormat.NativeText
    rows = [
        (label, QKeySequence(shortcuts.get(name, "")).toString(native) or "none")
        for name, label in SHORTCUT_LABELS.items()
    ]
    rows.extend((label, QKeySequence(keys).toString(native)) for label, keys in FIXED_SHORTCUTS)
    return rows


class HelpDialog(QDialog):
    def __init__(self, shortcuts: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Help — {APP_NAME}")
        self.setAccessibleName(f"{APP_NAME} help")
        self.usage = QTextBrowser()
        self.usage.setAccessibleName("How to use Caption App")
        try:
            self.usage.setMarkdown(USAGE.read_text(encoding="utf-8"))
        except OSError as exc:
            self.usage.setPlainText(f"The usage guide could not be read ({exc}).")
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        # The table fills its tab: the keys column as wide as they need, the actions the rest.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.show_shortcuts(shortcuts)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.usage, "&How to use")
        self.tabs.addTab(self.table, "&Keyboard shortcuts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(640, 520)

    def show_shortcuts(self, shortcuts: Mapping[str, str]) -> None:
        rows = shortcut_rows(shortcuts)
        self.table.setRowCount(len(rows))
        for row, (action, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(action))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
