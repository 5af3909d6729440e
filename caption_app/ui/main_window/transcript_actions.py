"""What the window does with saved transcripts: export the session's, tidy the folder, and
offer a session that did not end cleanly."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Slot

from caption_app.core.transcript.errors import TranscriptFileError
from caption_app.core.transcript.export import suggested_file_name
from caption_app.core.transcript.history import (
    HistoryError,
    apply_retention,
    mark_recovered,
    unfinished_sessions,
)
from caption_app.core.transcript.journal import read_journal
from caption_app.core.transcript.model import TranscriptDocument
from caption_app.core.transcript.paths import transcripts_dir
from caption_app.core.transcript.recorder import TranscriptRecorder
from caption_app.ui import prompts
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.main_window.window_words import Until

EXPORT_NEWS = "export-news"
NOTHING_YET = "Nothing to export yet: start captions first."
NOTHING_CAPTIONED = "Nothing to export: the last start captioned nothing."


class TranscriptActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    @Slot()
    def export(self, recorder: TranscriptRecorder | None, running_s: float = 0.0) -> None:
        """``running_s``: how long the session has run, when it still runs."""
        if recorder is None:
            # Said of now: it goes when captions start (the sixth walk: it stayed while they ran).
            self.window.notify(NOTHING_YET, key=EXPORT_NEWS, until=Until.NEXT_START)
            return
        if recorder.discarded:
            self.window.notify(NOTHING_CAPTIONED, key=EXPORT_NEWS, until=Until.NEXT_START)
            return
        try:
            # The journal is the thread-safe copy: the session thread owns the live model,
            # and every finished turn is already on disk.
            document = read_journal(recorder.path).document
        except TranscriptFileError as exc:
            self.window.notify(str(exc))
            return
        if not recorder.journal.closed and running_s > 0:
            # Exported while it runs (the eleventh walk: "Length: 17 s" at 0:24, and nothing
            # said so): its length so far, and the header says the session still ran.
            document = replace(document, captioned_ms=round(running_s * 1000))
        self.export_document(document)

    def export_document(self, document: TranscriptDocument) -> None:
        name = suggested_file_name(document.info.display_title, fallback="transcript")
        suggested = str(Path.home() / name)
        path = prompts.ask_export_path(self.window, suggested)
        if not path:
            return
        target = Path(path)
        try:
            if not prompts.export_asking(
                document, target, lambda question: prompts.confirm(self.window, question)
            ):
                return
        except (OSError, ValueError) as exc:
            self.window.notify(f"Could not write {target}: {exc}")
            return
        # News of this export, not of the next session: it goes when captions start again; the
        # next export's takes its place (five exports left five notices to dismiss).
        exported = f"Transcript exported to {target}."
        self.window.notify(exported, key=EXPORT_NEWS, until=Until.NEXT_START)

    def tidy_history(self, retention_days: int) -> None:
        """Apply the retention setting, then offer sessions that did not end cleanly."""
        try:
            directory = transcripts_dir()
            if retention_days > 0:
                apply_retention(directory, retention_days)
            crashed = [s for s in unfinished_sessions(directory) if s.words > 0]
        except (OSError, HistoryError) as exc:  # the app must start whatever the folder holds
            self.window.notify(f"Cannot read the transcripts folder: {exc}")
            return
        if crashed:
            newest = crashed[0]
            when = newest.started_local
            self.window.notify(
                f"The session of {when} did not end cleanly; its {newest.words} words are safe.",
                "Export it…",
                lambda: self._recover(newest.path),
                key="recovered-session",
                on_dismiss=lambda: self._set_aside(newest.path),
            )

    def _set_aside(self, path: Path) -> None:
        """Dismissed: the session is closed as recovered (its words stay in History), so it
        is not offered again at the next launch."""
        try:
            mark_recovered(path)
        except (TranscriptFileError, HistoryError, OSError) as exc:
            self.window.notify(f"Could not close {path.name}: {exc}")

    def _recover(self, path: Path) -> None:
        try:
            recovered = mark_recovered(path)
        except (TranscriptFileError, HistoryError, OSError) as exc:
            self.window.notify(f"Could not recover {path.name}: {exc}")
            return
        self.export_document(recovered.document)
