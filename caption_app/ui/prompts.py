"""The few questions windows ask a person: where to save an export, a new title, "sure?",
and the export that asks before it replaces a file.

Windows take these as injectable callables so tests can answer them without modal dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from caption_app.core.transcript.export import (
    FORMATS,
    TargetExistsError,
    format_for_path,
    write_export,
)
from caption_app.core.transcript.model import TranscriptDocument

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


TEXT_DIALOG_MIN_WIDTH = 460
"""Wide enough for the window manager to show the title whole (the sixth walk: Qt's own
width cut "Rename session" to "Renam…n App") and for a long title to be edited."""


def ask_text(parent: QWidget | None, title: str, prompt: str, current: str) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(prompt)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(current)
    # Its layout sets the dialog's own size from its contents, so the text field is widened.
    if (field := dialog.findChild(QLineEdit)) is not None:
        field.setMinimumWidth(TEXT_DIALOG_MIN_WIDTH)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.textValue() if accepted else None


def confirm(parent: QWidget | None, question: str) -> bool:
    answer = QMessageBox.question(parent, "Caption App", question)
    return answer == QMessageBox.StandardButton.Yes


def export_asking(
    document: TranscriptDocument,
    path: Path,
    confirm: Callable[[str], bool],
    fmt: str | None = None,
) -> bool:
    """Write an export; when ``path`` exists, ask before replacing it. ``False`` when the
    person chose to keep the file that was there; write errors are raised."""
    try:
        write_export(document, path, fmt)
    except TargetExistsError:
        if not confirm(f"Replace {path.name}?\nIt already exists in {path.parent}."):
            return False
        write_export(document, path, fmt, overwrite=True)
    return True
