"""The History window, driven like a person would, over real journals in a temporary folder.

Sessions are recorded with the real ``TranscriptRecorder`` fed by the real ``TurnAssembler``
(a partial, then the end-of-turn message, as the service sends them). The three questions
the window asks are answered by small recorders of what was asked, instead of modal dialogs.
"""

# pytest-qt's QtBot methods are untyped; the calls are what the tests are about.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from caption_app.core.model.turns import TurnMessage, WordMessage
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.core.transcript import (
    SessionInfo,
    TranscriptRecorder,
    list_sessions,
    load_json_export,
    mark_recovered,
    new_session_id,
)
from caption_app.ui.history.dialog import ACTIVE_TIP, HistoryDialog
from caption_app.ui.history.model import Column

START = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
MORNING = ("Good morning everyone", "Shall we start with the budget")


# recording real sessions


def _record(
    directory: Path,
    *,
    started_at: datetime,
    sentences: tuple[str, ...] = MORNING,
    first_ms: int = 1_000,
    title: str = "",
    source: str = "Built-in Microphone",
    close: bool = True,
) -> TranscriptRecorder:
    """One session through the real assembler and recorder; left open when ``close`` is False."""
    info = SessionInfo(
        id=new_session_id(started_at),
        started_at=started_at,
        engine="assemblyai",
        source=source,
        title=title,
    )
    recorder = TranscriptRecorder(directory, info)
    recorder.begin_stream(0, "stream-0", 0)
    assembler = TurnAssembler()
    assembler.begin_stream(0, 0)
    start = first_ms
    for order, sentence in enumerate(sentences):
        words = sentence.split()
        final = tuple(
            WordMessage(w, start + i * 400, start + i * 400 + 300, 0.9, True)
            for i, w in enumerate(words)
        )
        partial = (*final[:-1], WordMessage(words[-1], final[-1].start_ms, 0, 0.5, False))
        messages = [
            TurnMessage(order, " ".join(words[:-1]), False, False, partial),
            TurnMessage(order, sentence + ".", True, True, final),
        ]
        for message in messages:
            for update in assembler.apply(0, message):
                recorder.apply(update)
        start = final[-1].end_ms + 1_000
    if close:
        recorder.close()
    return recorder


def _crashed(directory: Path, *, started_at: datetime) -> Path:
    """What kill -9 leaves: no end record and a torn last line, with no writer holding it."""
    recorder = _record(directory, started_at=started_at, close=False)
    recorder.journal.close(clean=False)
    with recorder.path.open("ab") as handle:
        handle.write(b'{"type":"turn","stream":0,"ord')
    return recorder.path


# answering the window's questions


@dataclass
class Answers:
    """Plays the person: queued answers for each kind of question, and what was asked."""

    paths: list[str | None] = field(default_factory=list)
    texts: list[str | None] = field(default_factory=list)
    confirms: list[bool] = field(default_factory=list)
    asked_paths: list[tuple[str, str]] = field(default_factory=list)
    asked_texts: list[tuple[str, str]] = field(default_factory=list)
    asked_confirms: list[str] = field(default_factory=list)

    def ask_save_path(self, suggested: str, filters: str) -> str | None:
        self.asked_paths.append((suggested, filters))
        return self.paths.pop(0)

    def ask_text(self, prompt: str, current: str) -> str | None:
        self.asked_texts.append((prompt, current))
        return self.texts.pop(0)

    def confirm(self, question: str) -> bool:
        self.asked_confirms.append(question)
        return self.confirms.pop(0)


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def local_utc_plus_2() -> Iterator[None]:
    """A fixed local zone (POSIX rule, no tz database needed) so 'local time' is checkable."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "XYZ-2"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def _dialog(qtbot: QtBot, directory: Path, answers: Answers) -> HistoryDialog:
    dialog = HistoryDialog(
        directory,
        ask_save_path=answers.ask_save_path,
        ask_text=answers.ask_text,
        confirm=answers.confirm,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _cell(dialog: HistoryDialog, row: int, column: Column) -> str:
    value = dialog.model.index(row, column).data()
    assert isinstance(value, str)
    return value


def _row(dialog: HistoryDialog, row: int) -> list[str]:
    return [_cell(dialog, row, column) for column in Column]


def _select(dialog: HistoryDialog, path: Path) -> None:
    ids = [s.path for s in dialog.model.sessions()]
    dialog.select_row(ids.index(path))
    selected = dialog.selected_session()
    assert selected is not None and selected.path == path


# the list


def test_rows_show_date_title_length_words_source_and_status(
    qtbot: QtBot, tmp_path: Path, answers: Answers, local_utc_plus_2: None
) -> None:
    _record(tmp_path, started_at=START, title="Standup")
    crashed = _crashed(tmp_path, started_at=START + timedelta(days=1))
    recovered = _crashed(tmp_path, started_at=START + timedelta(days=2))
    mark_recovered(recovered)
    # An hour in: the duration column must show hours.
    _record(
        tmp_path,
        started_at=START + timedelta(days=3, hours=5, minutes=2),
        sentences=("One two three", "four five"),
        first_ms=3_720_000,
        source="Firefox (system audio)",
    )
    dialog = _dialog(qtbot, tmp_path, answers)

    assert dialog.model.rowCount() == 4
    headers = [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers == ["Date", "Title", "Duration", "Words", "Source", "Status"]
    # Newest first; dates in local time (UTC+2 here); "Session <local date>" when untitled.
    assert _row(dialog, 0) == [
        "2025-03-07 16:32",
        "Session 2025-03-07 16:32",
        "1:02:03",
        "5",
        "Firefox (system audio)",
        "complete",
    ]
    assert _row(dialog, 1)[0] == "2025-03-06 11:30"
    assert _row(dialog, 1)[2:] == ["0:00:05", "9", "Built-in Microphone", "recovered"]
    assert _row(dialog, 2)[0] == "2025-03-05 11:30"
    assert _row(dialog, 2)[2:] == ["0:00:05", "9", "Built-in Microphone", "did not end cleanly"]
    assert [s.path for s in dialog.model.sessions()][2] == crashed
    assert _row(dialog, 3) == [
        "2025-03-04 11:30",
        "Standup",
        "0:00:05",
        "9",
        "Built-in Microphone",
        "complete",
    ]
    assert not dialog.problems_label.isVisible()
    # The first row is selected, so Enter opens something straight away.
    assert dialog.selected_session() == dialog.model.session_at(0)


def test_sorting_by_a_column_keeps_the_selected_session(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    few = _record(tmp_path, started_at=START, sentences=("a b",))
    _record(tmp_path, started_at=START + timedelta(days=1), sentences=("a b c d e f",))
    dialog = _dialog(qtbot, tmp_path, answers)
    _select(dialog, few.path)
    dialog.table.sortByColumn(Column.WORDS, Qt.SortOrder.DescendingOrder)
    assert [_cell(dialog, r, Column.WORDS) for r in range(2)] == ["6", "2"]
    selected = dialog.selected_session()
    assert selected is not None and selected.path == few.path
    dialog.table.sortByColumn(Column.WORDS, Qt.SortOrder.AscendingOrder)
    assert [_cell(dialog, r, Column.WORDS) for r in range(2)] == ["2", "6"]


# open


def test_open_shows_the_transcript_with_times(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    older = _record(tmp_path, started_at=START, title="Standup")
    _record(tmp_path, started_at=START + timedelta(days=1), sentences=("Second session here",))
    dialog = _dialog(qtbot, tmp_path, answers)
    assert dialog.viewer.toPlainText() == ""
    _select(dialog, older.path)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    text = dialog.viewer.toPlainText()
    assert text.startswith("Standup\n")
    assert "[00:00:01] Good morning everyone." in text
    assert "[00:00:03] Shall we start with the budget." in text
    assert "Second session" not in text
    assert dialog.viewer.isReadOnly()
    assert "Standup" in dialog.viewer_title.text()

    # Enter on a row opens it.
    dialog.select_row(0)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert "[00:00:01] Second session here." in dialog.viewer.toPlainText()
    assert "Good morning" not in dialog.viewer.toPlainText()


def test_open_of_a_crashed_session_shows_what_survived(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    _crashed(tmp_path, started_at=START)
    dialog = _dialog(qtbot, tmp_path, answers)
    dialog.open_selected()
    assert "Shall we start with the budget." in dialog.viewer.toPlainText()
    assert "1 damaged line(s) were skipped" in dialog.viewer_title.text()
    assert not dialog.error_label.isVisible()


# export


@pytest.mark.parametrize("fmt", ["txt", "md", "srt", "vtt", "json"])
def test_export_writes_each_format(
    qtbot: QtBot, tmp_path: Path, answers: Answers, fmt: str
) -> None:
    sessions, out = tmp_path / "sessions", tmp_path / "out"
    out.mkdir()
    _record(sessions, started_at=START, title="Budget: Q1/Q2")
    dialog = _dialog(qtbot, sessions, answers)
    target = out / f"notes.{fmt}"
    answers.paths.append(str(target))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)

    suggested, filters = answers.asked_paths[0]
    assert Path(suggested).name == "Budget Q1 Q2.txt"  # no ':' or '/' in a file name
    assert filters.split(";;") == [
        "Plain text (*.txt)",
        "Markdown (*.md)",
        "SubRip subtitles (*.srt)",
        "WebVTT subtitles (*.vtt)",
        "JSON (complete) (*.json)",
    ]
    assert answers.asked_confirms == []  # a new file needs no question
    text = target.read_text(encoding="utf-8")
    first_line = {
        "txt": "Budget: Q1/Q2",
        "md": "# Budget: Q1/Q2",
        "srt": "1",
        "vtt": "WEBVTT",
        "json": "{",
    }[fmt]
    assert text.splitlines()[0] == first_line
    assert "Good morning everyone" in text
    if fmt == "srt":
        assert "00:00:01,000 --> " in text
    if fmt == "vtt":
        assert "00:00:01.000 --> " in text
    if fmt == "json":
        document = load_json_export(target)
        assert document.word_count == 9
        assert document.info.title == "Budget: Q1/Q2"
    assert not dialog.error_label.isVisible()
    assert str(target) in dialog.status_label.text()


def test_export_asks_before_replacing_and_no_keeps_the_file(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    sessions = tmp_path / "sessions"
    _record(sessions, started_at=START, title="Standup")
    target = tmp_path / "notes.txt"
    old = b"my own notes\r\n\x00\xff not a transcript"
    target.write_bytes(old)
    dialog = _dialog(qtbot, sessions, answers)

    answers.paths.append(str(target))
    answers.confirms.append(False)
    dialog.export_selected()
    assert answers.asked_confirms == [f"Replace notes.txt?\nIt already exists in {tmp_path}."]
    assert target.read_bytes() == old
    assert "left as it was" in dialog.status_label.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "sessions"]  # no temp

    answers.paths.append(str(target))
    answers.confirms.append(True)
    dialog.export_selected()
    assert len(answers.asked_confirms) == 2
    assert target.read_text(encoding="utf-8").startswith("Standup\n")
    assert "Good morning everyone." in target.read_text(encoding="utf-8")


def test_export_problems_show_inline_and_write_nothing(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    sessions = tmp_path / "sessions"
    _record(sessions, started_at=START)
    dialog = _dialog(qtbot, sessions, answers)

    answers.paths.append(str(tmp_path / "notes.docx"))  # a format we cannot write
    dialog.export_selected()
    assert dialog.error_label.isVisible()
    assert "notes.docx" in dialog.error_label.text()
    assert not (tmp_path / "notes.docx").exists()

    answers.paths.append(str(tmp_path / "missing" / "notes.txt"))  # OSError from the write
    dialog.export_selected()
    assert "Could not export" in dialog.error_label.text()
    assert not (tmp_path / "missing").exists()

    answers.paths.append(None)  # cancelled: nothing happens, nothing is said
    dialog.refresh()
    dialog.export_selected()
    assert not dialog.error_label.isVisible()
    assert not dialog.status_label.isVisible()


# rename and delete


def test_rename_changes_the_title_in_the_list(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    recorder = _record(tmp_path, started_at=START, title="Standup")
    dialog = _dialog(qtbot, tmp_path, answers)

    answers.texts.append(None)  # cancelled
    dialog.rename_selected()
    assert _cell(dialog, 0, Column.TITLE) == "Standup"

    answers.texts.append("  Budget review ")
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    assert answers.asked_texts[-1] == ("New title for this session:", "Standup")
    assert _cell(dialog, 0, Column.TITLE) == "Budget review"
    # It is in the file, not only in the window.
    assert [s.title for s in list_sessions(tmp_path)] == ["Budget review"]
    fresh = _dialog(qtbot, tmp_path, answers)
    assert _cell(fresh, 0, Column.TITLE) == "Budget review"
    assert recorder.path.exists()


def test_renaming_the_open_session_renames_its_header_and_moves_no_button(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    """Sixth walk X5: the open session's header kept its old title until Open was pressed
    again, and "Renamed to…" pushed the buttons 20 px, so the next click on Open missed."""
    _record(tmp_path, started_at=START, title="Standup")
    dialog = _dialog(qtbot, tmp_path, answers)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.select_row(0)
    dialog.open_selected()
    assert "Standup" in dialog.viewer_title.text()
    before = dialog.open_button.mapTo(dialog, dialog.open_button.rect().topLeft())
    answers.texts.append("Budget review")
    dialog.rename_selected()
    assert "Budget review" in dialog.viewer_title.text(), dialog.viewer_title.text()
    assert dialog.status_label.isVisible()
    qtbot.wait(50)
    after = dialog.open_button.mapTo(dialog, dialog.open_button.rect().topLeft())
    assert after == before


def test_the_rename_dialog_is_wide_enough_for_its_title(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QInputDialog

    from caption_app.ui import prompts

    widths: list[int] = []

    def answer() -> None:
        for shown in QApplication.topLevelWidgets():
            if isinstance(shown, QInputDialog) and shown.isVisible():
                widths.append(shown.width())
                shown.reject()

    QTimer.singleShot(100, answer)
    assert prompts.ask_text(None, "Rename session", "New title:", "Standup") is None
    assert widths and widths[0] >= prompts.TEXT_DIALOG_MIN_WIDTH, widths


def test_delete_removes_the_file_only_after_yes(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    keep = _record(tmp_path, started_at=START, title="Keep me")
    doomed = _record(tmp_path, started_at=START + timedelta(days=1), title="Delete me")
    dialog = _dialog(qtbot, tmp_path, answers)
    _select(dialog, doomed.path)

    answers.confirms.append(False)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert "Delete me" in answers.asked_confirms[0]
    assert doomed.path.exists()
    assert dialog.model.rowCount() == 2

    # The Delete key asks too.
    answers.confirms.append(True)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert len(answers.asked_confirms) == 2
    assert not doomed.path.exists()
    assert keep.path.exists()
    assert [_cell(dialog, r, Column.TITLE) for r in range(dialog.model.rowCount())] == ["Keep me"]
    selected = dialog.selected_session()
    assert selected is not None and selected.path == keep.path


def test_actions_on_a_vanished_file_show_an_inline_error(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    recorder = _record(tmp_path, started_at=START, title="Standup")
    dialog = _dialog(qtbot, tmp_path, answers)
    recorder.path.unlink()  # removed behind the window's back

    answers.texts.append("New name")
    dialog.rename_selected()
    assert dialog.error_label.isVisible()
    assert "Could not rename Standup" in dialog.error_label.text()
    assert not recorder.path.exists()  # rename never recreates a file

    answers.confirms.append(True)
    dialog.delete_selected()
    assert "Could not delete Standup" in dialog.error_label.text()

    dialog.open_selected()
    assert "Cannot open Standup" in dialog.error_label.text()
    assert dialog.viewer.toPlainText() == ""

    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 0
    assert not dialog.error_label.isVisible()
    assert not dialog.open_button.isEnabled()
    assert not dialog.delete_button.isEnabled()


# damaged files and live sessions


def test_unreadable_files_are_listed_as_problems_and_never_deleted(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    good = _record(tmp_path, started_at=START, title="Standup")
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\x00\x01 this is not a journal\n{]\n")
    newer = tmp_path / "future.jsonl"
    newer.write_text(
        json.dumps({"type": "header", "format": "caption-app-journal", "version": 99}) + "\n"
    )
    contents = {p: p.read_bytes() for p in (garbage, newer)}

    dialog = _dialog(qtbot, tmp_path, answers)
    assert dialog.problems_label.isVisible()
    notice = dialog.problems_label.text()
    assert notice.startswith("2 files in the history folder cannot be read")
    assert "garbage.jsonl: it is not a Caption App transcript" in notice
    assert "future.jsonl: it was written by a newer version of Caption App" in notice
    assert sorted(p.path.name for p in dialog.problems) == ["future.jsonl", "garbage.jsonl"]
    assert [s.path for s in dialog.model.sessions()] == [good.path]

    # Deleting the one real session and refreshing leaves the damaged files alone.
    answers.confirms.append(True)
    dialog.delete_selected()
    dialog.refresh()
    assert dialog.model.rowCount() == 0
    assert {p: p.read_bytes() for p in (garbage, newer)} == contents
    assert "garbage.jsonl" in dialog.problems_label.text()


def test_a_session_still_recording_cannot_be_renamed_or_deleted(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    _record(tmp_path, started_at=START, title="Old one")
    live = _record(tmp_path, started_at=START + timedelta(days=1), close=False)
    try:
        dialog = _dialog(qtbot, tmp_path, answers)
        assert _cell(dialog, 0, Column.STATUS) == "recording"
        selected = dialog.selected_session()
        assert selected is not None and selected.active and selected.path == live.path
        assert not dialog.rename_button.isEnabled()
        assert not dialog.delete_button.isEnabled()
        assert dialog.rename_button.toolTip() == ACTIVE_TIP
        assert dialog.delete_button.toolTip() == ACTIVE_TIP
        # The Delete key does not get round it, and asks nothing.
        dialog.table.setFocus()
        qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
        assert answers.asked_confirms == []
        assert live.path.exists()
        assert "still being recorded" in dialog.error_label.text()
        # Reading it is fine: what is saved so far.
        assert dialog.open_button.isEnabled()
        dialog.open_selected()
        assert "Good morning everyone." in dialog.viewer.toPlainText()
        assert "still recording" in dialog.viewer_title.text()
        # The other session is unaffected.
        dialog.select_row(1)
        assert dialog.rename_button.isEnabled()
        assert dialog.delete_button.isEnabled()
        assert dialog.delete_button.toolTip() != ACTIVE_TIP
    finally:
        live.close()
    dialog.select_row(0)
    dialog.refresh()
    # Third walk C8: a finished session's Status was empty (every row read as unknown).
    assert _cell(dialog, 0, Column.STATUS) == "complete"
    assert dialog.rename_button.isEnabled()
    assert dialog.delete_button.isEnabled()


# accessibility and scale


def test_every_control_has_a_name_and_tab_reaches_the_buttons(
    qtbot: QtBot, tmp_path: Path, answers: Answers
) -> None:
    _record(tmp_path, started_at=START)
    dialog = _dialog(qtbot, tmp_path, answers)
    controls = [
        w
        for kind in (QPushButton, QTableView, QPlainTextEdit, QLabel)
        for w in dialog.findChildren(kind)
    ]
    assert len(controls) >= 12
    unnamed = [type(w).__name__ for w in controls if not w.accessibleName()]
    assert unnamed == []

    dialog.activateWindow()
    dialog.table.setFocus()
    qtbot.waitUntil(dialog.table.hasFocus, timeout=1000)
    visited = [QApplication.focusWidget()]
    for _ in range(7):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == [
        dialog.table,
        dialog.open_button,
        dialog.export_button,
        dialog.rename_button,
        dialog.delete_button,
        dialog.refresh_button,
        dialog.close_button,
        dialog.viewer,
    ]


def test_hundreds_of_sessions_list_quickly(qtbot: QtBot, tmp_path: Path, answers: Answers) -> None:
    count = 300
    for n in range(count):
        _record(tmp_path, started_at=START + timedelta(minutes=n), sentences=("a b c",))
    dialog = _dialog(qtbot, tmp_path, answers)
    assert dialog.model.rowCount() == count
    started = time.perf_counter()
    dialog.refresh()
    QApplication.processEvents()  # includes laying out and painting the visible rows
    elapsed = time.perf_counter() - started
    assert dialog.model.rowCount() == count
    assert _cell(dialog, 0, Column.DATE) == (
        (START + timedelta(minutes=count - 1)).astimezone().strftime("%Y-%m-%d %H:%M")
    )
    print(f"refresh of {count} sessions: {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0


def test_the_details_give_assemblyais_session_ids_for_support_not_the_local_engines() -> None:
    """Fifth walk W14: "service session ids: local-5b3b…, 8ecd…" (jargon, and the local
    engine's made-up ids mean nothing to support)."""
    from caption_app.core.transcript import SessionTranscript
    from caption_app.ui.history.model import session_details
    from tests.transcript.builders import make_info

    transcript = SessionTranscript(make_info())
    transcript.add_stream(0, "local-5b3b330b", 0)
    transcript.add_stream(1, "8ecd269d-96c3", 24_550)
    details = session_details(transcript.snapshot())
    assert "AssemblyAI session id (for support): 8ecd269d-96c3" in details, details
    assert "local-" not in details
