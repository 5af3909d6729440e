"""The few questions windows ask a person: where to save an export, a new title, "sure?".

Windows take these as injectable callables so tests can answer them without modal dialogs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from caption_app.core.transcript.export import FORMATS, format_for_path

EXPORT_FILTERS: dict[str, str] = {fmt: f"{label} (*.{fmt})" for fmt, label in FORMATS.items()}


def ask_export_path(parent: QWidget | None, suggested: str) -> str | None:
    """A save dialog with one filter per format; the suffix picks the format.

    The caller asks before replacing a file (``write_export`` refuses to overwrite), so the
    file dialog must not ask as well.
    """
    path, chosen = QFileDialog.getSaveFileName(
        parent,
        "Export transcript",
        suggested,
        ";;".join(EXPORT_FILTERS.values()),
        "",
        QFileDialog.Option.DontConfirmOverwrite,
    )
    if not path:
        return None
    fmt = next((k for k, v in EXPORT_FILTERS.items() if v == chosen), "txt")
    try:
        format_for_path(Path(path))
    except ValueError:
        path += f".{fmt}"  # no known suffix typed: take the format from the chosen filter
    return path


def ask_text(parent: QWidget | None, title: str, prompt: str, current: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal, current)
    return text if ok else None


def confirm(parent: QWidget | None, question: str) -> bool:
    answer = QMessageBox.question(parent, "Caption App", question)
    return answer == QMessageBox.StandardButton.Yes
