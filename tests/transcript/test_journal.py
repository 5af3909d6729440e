"""The journal: round trip, durability under kill -9, tolerance of damage, clear errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from caption_app.core.model.gaps import Marker
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.transcript import (
    Gap,
    JournalError,
    JournalWriter,
    SessionTranscript,
    TranscriptRecorder,
    read_journal,
)
from caption_app.core.transcript.export.common import ExportOptions
from caption_app.core.transcript.export.json_format import load_json_export, to_json
from caption_app.core.transcript.export.text import to_txt
from caption_app.core.transcript.journal import JOURNAL_VERSION
from tests.transcript.builders import finished, make_info, make_turn, meeting

REPO = Path(__file__).resolve().parents[2]


def _record(directory: Path, transcript: SessionTranscript) -> Path:
    writer = JournalWriter.create(directory, transcript.info)
    doc = transcript.snapshot()
    for stream in doc.streams:
        writer.append_stream(stream)
    for entry in doc.entries:
        if isinstance(entry, Gap):
            writer.append_gap(entry)
        elif isinstance(entry, Marker):
            writer.append_marker(entry)
        else:
            writer.append_turn(entry)
    writer.close()
    return writer.path


def test_recorder_journal_reads_back_the_same_document(tmp_path: Path) -> None:
    source = meeting()
    recorder = TranscriptRecorder(tmp_path, source.info)
    for stream in source.streams:
        recorder.begin_stream(stream.index, stream.session_id, stream.offset_ms)
    for entry in source.snapshot().entries:
        if isinstance(entry, Gap):
            recorder.add_gap(entry.start_ms, entry.end_ms, entry.reason)
        elif isinstance(entry, Marker):
            recorder.add_marker(entry.at_ms, entry.text)
        else:
            recorder.apply(finished(entry))
    recorder.rename("Budget review")
    final = recorder.close()

    session = read_journal(recorder.path)
    assert session.clean_end
    assert not session.recovered
    assert session.skipped_lines == 0
    assert session.document.entries == source.snapshot().entries
    assert session.document.streams == source.streams
    assert session.document.info.title == "Budget review"
    assert session.document.info.settings == source.info.settings
    assert session.document.info.started_at == source.info.started_at
    assert final.entries == session.document.entries


def test_replaced_and_relabelled_turns_are_appended_and_the_last_one_wins(tmp_path: Path) -> None:
    recorder = TranscriptRecorder(tmp_path, make_info())
    recorder.apply(finished(make_turn(0, 0, "twenty five dollars", 0)))
    recorder.apply(finished(make_turn(0, 1, "next", 2_000)))
    recorder.apply(TurnUpdate(UpdateKind.REPLACED, make_turn(0, 0, "$25.", 0)))
    relabelled = make_turn(0, 0, "$25.", 0, speaker="B")
    recorder.apply(TurnUpdate(UpdateKind.RELABELLED, relabelled))
    recorder.close()
    lines = recorder.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["type"] for line in lines] == [
        "header",
        "turn",
        "turn",
        "turn",
        "turn",
        "end",
    ]
    doc = read_journal(recorder.path).document
    assert [t.text for t in doc.turns] == ["$25.", "next"]
    assert doc.entries[0] == relabelled
    end = json.loads(lines[-1])
    assert end["words"] == doc.word_count == 2
    assert end["turns"] == 2


def test_live_updates_never_reach_the_journal(tmp_path: Path) -> None:
    recorder = TranscriptRecorder(tmp_path, make_info())
    live = replace(make_turn(0, 0, "partial words", 0), finished=False)
    assert recorder.apply(TurnUpdate(UpdateKind.LIVE, live)) is None
    assert recorder.journal.wait_written(timeout=5.0)  # the writer thread has caught up
    assert len(recorder.path.read_bytes().splitlines()) == 1  # just the header
    recorder.close()


def test_each_finished_turn_is_in_the_file_within_milliseconds(tmp_path: Path) -> None:
    recorder = TranscriptRecorder(tmp_path, make_info())
    for order in range(3):
        turn = make_turn(0, order, f"words of turn {order}", order * 1_000)
        recorder.apply(finished(turn))
        assert recorder.journal.wait_written(timeout=1.0)
        # A separate handle (what a restarted app would use) sees the turn already.
        seen = read_journal(recorder.path)
        assert not seen.clean_end
        assert list(seen.document.turns)[-1] == turn
    recorder.close()


def test_kill_9_loses_nothing_that_was_journaled(tmp_path: Path) -> None:
    count = 25
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.transcript.journal_child", str(tmp_path), str(count)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        path: Path | None = None
        for _ in range(count + 1):  # bounded: one line per turn, then "ready"
            line = child.stdout.readline()
            if line.startswith("ready "):
                path = Path(line.removeprefix("ready ").strip())
                break
        assert path is not None, "the child never reported its journal"
        time.sleep(1.0)  # the promise: every turn finished a second before a kill is on disk
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    session = read_journal(path)
    assert not session.clean_end
    assert session.skipped_lines == 0
    assert [t.text for t in session.document.turns] == [f"turn number {i} é" for i in range(count)]
    assert [s.session_id for s in session.document.streams] == ["child"]


def test_a_torn_last_line_is_skipped_and_counted(tmp_path: Path) -> None:
    path = _record(tmp_path, meeting())
    data = path.read_bytes()
    lines = data.splitlines(keepends=True)
    torn = b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2]  # cut the end record
    path.write_bytes(torn)
    path2 = path.with_name("other.jsonl")
    path2.write_bytes(b"".join(lines[:-2]) + lines[-2][:40])  # cut the last turn record

    session = read_journal(path)
    assert session.skipped_lines == 1
    assert not session.clean_end
    assert len(list(session.document.turns)) == 3
    session2 = read_journal(path2)
    assert session2.skipped_lines == 1
    assert len(list(session2.document.turns)) == 2
    assert path.read_bytes() == torn  # reading never repairs or truncates


def test_garbage_file_raises_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_bytes(b"\x00\xff this is not json\n{}\n")
    with pytest.raises(JournalError) as caught:
        read_journal(path)
    assert str(path) in str(caught.value)
    assert "not a Caption App transcript" in str(caught.value)
    assert path.read_bytes() == b"\x00\xff this is not json\n{}\n"


def test_journal_from_a_newer_version_is_refused_by_name(tmp_path: Path) -> None:
    path = _record(tmp_path, meeting())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["version"] = JOURNAL_VERSION + 1
    path.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    with pytest.raises(JournalError) as caught:
        read_journal(path)
    message = str(caught.value)
    assert str(path) in message
    assert "newer version" in message
    assert path.exists()


def test_empty_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    with pytest.raises(JournalError, match="it is empty"):
        read_journal(empty)
    with pytest.raises(JournalError, match="cannot be read"):
        read_journal(tmp_path / "missing.jsonl")


def test_damaged_line_in_the_middle_is_skipped_and_unknown_records_ignored(
    tmp_path: Path,
) -> None:
    path = _record(tmp_path, meeting())
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(2, b'{"type":"turn","stream":0}\n')  # decodes as JSON but lacks fields
    lines.insert(3, b'{"type":"bookmark","at_ms":5}\n')  # a record a later version may add
    path.write_bytes(b"".join(lines))
    session = read_journal(path)
    assert session.skipped_lines == 1
    assert session.clean_end
    assert len(list(session.document.turns)) == 3


def test_writer_never_reuses_an_existing_file(tmp_path: Path) -> None:
    info = make_info()
    existing = tmp_path / f"{info.id}.jsonl"
    existing.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(JournalError, match="cannot create it"):
        JournalWriter.create(tmp_path, info)
    assert existing.read_text(encoding="utf-8") == "keep me\n"


def test_every_turn_is_fsynced_without_the_caller_waiting_for_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that takes 0.4 s per fsync (a USB or network home): the session's thread hands
    the turns over in microseconds, the journal's own threads write them at once and sync
    them, and a kill -9 meanwhile would find them in the file."""
    synced_on: list[str] = []
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        synced_on.append(threading.current_thread().name)
        time.sleep(0.4)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    with JournalWriter.create(tmp_path, make_info()) as writer:
        started = time.perf_counter()
        for order in range(3):
            writer.append_turn(make_turn(0, order, "some words", order * 1_000))
        handed_over_s = time.perf_counter() - started
        assert writer.wait_written(timeout=0.3)  # in the file while the first fsync stalls
        assert len(list(read_journal(writer.path).document.turns)) == 3
        assert writer.wait_written(timeout=5.0, synced=True)
    assert handed_over_s < 0.05
    assert synced_on and threading.main_thread().name not in synced_on
    assert read_journal(writer.path).clean_end


def test_an_exception_inside_the_recorder_leaves_the_session_unfinished(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), TranscriptRecorder(tmp_path, make_info()) as recorder:
        recorder.apply(finished(make_turn(0, 0, "kept words", 0)))
        raise RuntimeError("audio device vanished")
    session = read_journal(recorder.path)
    assert not session.clean_end
    assert [t.text for t in session.document.turns] == ["kept words"]


def test_an_engine_switch_marker_is_journaled_exported_and_read_back(tmp_path: Path) -> None:
    recorder = TranscriptRecorder(tmp_path, make_info())
    recorder.begin_stream(0, "sess-0", 0)
    recorder.apply(finished(make_turn(0, 0, "Said in the cloud.", 1_000)))
    recorder.add_marker(4_000, "Captions continue on this computer.")
    recorder.begin_stream(1, None, 4_000)
    recorder.apply(finished(make_turn(1, 0, "Said on this computer.", 4_100)))
    recorder.close()
    document = read_journal(recorder.path).document
    assert [type(e).__name__ for e in document.entries] == ["Turn", "Marker", "Turn"]
    assert document.entries[1] == Marker(4_000, "Captions continue on this computer.")
    text = to_txt(document, ExportOptions(header=False))
    assert text.split("\n\n")[1] == "[Captions continue on this computer.]"
    exported = tmp_path / "out.json"
    exported.write_text(to_json(document, ExportOptions()), encoding="utf-8")
    assert load_json_export(exported).entries == document.entries
