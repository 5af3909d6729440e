"""History: listing, rename, delete, retention and crash recovery, on real journal files."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from caption_app.core.model.gaps import input_marker
from caption_app.core.transcript import (
    HistoryError,
    JournalError,
    SessionInfo,
    TranscriptRecorder,
    apply_retention,
    delete_session,
    list_sessions,
    mark_recovered,
    open_session,
    read_journal,
    rename_session,
    transcripts_dir,
    unfinished_sessions,
)
from caption_app.core.transcript.export import export_document
from caption_app.core.transcript.export.common import header_facts
from caption_app.core.transcript.history import TAIL_BYTES
from caption_app.core.transcript.paths import DATA_DIR_ENV
from tests.transcript.builders import finished, make_info, make_turn

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _session(
    directory: Path,
    *,
    days_ago: float = 0,
    turns: int = 3,
    clean: bool = True,
    title: str = "",
    source: str = "Built-in Microphone",
) -> TranscriptRecorder:
    info = make_info(title=title, started_at=NOW - timedelta(days=days_ago), source=source)
    recorder = TranscriptRecorder(directory, info)
    recorder.begin_stream(0, None, 0)
    for order in range(turns):
        recorder.apply(finished(make_turn(0, order, "one two three four", order * 3_000)))
    if clean:
        recorder.close()
    else:
        assert recorder.journal.wait_written(timeout=5.0)  # a running session: in the file
    return recorder


def _crash(recorder: TranscriptRecorder) -> None:
    """What kill -9 leaves: the journal without an end record and no lock held."""
    recorder.journal.close(clean=False)


def test_sessions_are_listed_newest_first_with_their_summary(tmp_path: Path) -> None:
    _session(tmp_path, days_ago=2, title="Standup", turns=2)
    _session(tmp_path, days_ago=1, source="Firefox (system audio)", turns=5)
    summaries = list_sessions(tmp_path)
    newest, older = summaries
    assert newest.title == newest.started_at.astimezone().strftime("Session %Y-%m-%d %H:%M")
    assert newest.started_at == NOW - timedelta(days=1)
    assert newest.source == "Firefox (system audio)"
    assert newest.words == 20
    assert newest.duration_ms == 4 * 3_000 + 3 * 400 + 300
    assert newest.clean_end
    assert not newest.active
    assert older.title == "Standup"
    assert older.words == 8


def test_listing_does_not_read_a_long_journal_in_full(tmp_path: Path) -> None:
    recorder = _session(tmp_path, turns=600, title="Long")
    assert recorder.path.stat().st_size > 2 * TAIL_BYTES
    # Damage a turn far from both ends: a full read would count it, the listing never sees it.
    data = bytearray(recorder.path.read_bytes())
    middle = data.index(b'"order":100,')
    data[middle : middle + 1] = b"X"
    recorder.path.write_bytes(bytes(data))
    (summary,) = list_sessions(tmp_path)
    assert summary.words == 2_400
    assert summary.title == "Long"
    assert read_journal(recorder.path).skipped_lines == 1


def test_rename_is_seen_by_the_listing_and_by_open(tmp_path: Path) -> None:
    recorder = _session(tmp_path, turns=600)
    rename_session(recorder.path, "  Quarterly planning ")
    (summary,) = list_sessions(tmp_path)
    assert summary.title == "Quarterly planning"
    assert open_session(recorder.path).document.info.title == "Quarterly planning"
    rename_session(recorder.path, "Q3 planning")
    assert list_sessions(tmp_path)[0].title == "Q3 planning"


def test_running_session_is_active_and_cannot_be_renamed_or_deleted(tmp_path: Path) -> None:
    recorder = _session(tmp_path, clean=False)
    (summary,) = list_sessions(tmp_path)
    assert summary.active
    assert not summary.clean_end
    assert summary.words == 12
    assert unfinished_sessions(tmp_path) == []
    with pytest.raises(HistoryError, match="being recorded"):
        rename_session(recorder.path, "x")
    with pytest.raises(HistoryError, match="being recorded"):
        delete_session(tmp_path, recorder.path)
    with pytest.raises(HistoryError, match="being recorded"):
        mark_recovered(recorder.path)
    recorder.rename("Renamed while recording")
    recorder.close()
    assert list_sessions(tmp_path)[0].title == "Renamed while recording"


def test_crashed_session_is_offered_once_for_recovery(tmp_path: Path) -> None:
    _session(tmp_path, days_ago=1)
    crashed = _session(tmp_path, clean=False, turns=4)
    _crash(crashed)
    with crashed.path.open("ab") as handle:
        handle.write(b'{"type":"turn","stream":0,"ord')  # torn by the crash

    (offer,) = unfinished_sessions(tmp_path)
    assert offer.path == crashed.path
    assert offer.words == 16
    assert not offer.active

    recovered = mark_recovered(crashed.path)
    assert recovered.clean_end
    assert recovered.recovered
    assert recovered.skipped_lines == 1  # the torn line, still kept in the file
    assert len(list(recovered.document.turns)) == 4
    assert unfinished_sessions(tmp_path) == []
    summary = next(s for s in list_sessions(tmp_path) if s.path == crashed.path)
    assert summary.clean_end
    assert summary.recovered
    assert summary.words == 16


def test_delete_only_removes_caption_app_journals_in_the_directory(tmp_path: Path) -> None:
    keep = _session(tmp_path, title="Keep")
    gone = _session(tmp_path, title="Delete me")
    foreign = tmp_path / "other-app.jsonl"
    foreign.write_text('{"hello": "world"}\n', encoding="utf-8")
    elsewhere = tmp_path / "sub"
    elsewhere.mkdir()
    outside = _session(elsewhere)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", encoding="utf-8")

    delete_session(tmp_path, gone.path)
    assert not gone.path.exists()
    for path in (foreign, outside.path, notes):
        with pytest.raises(HistoryError):
            delete_session(tmp_path, path)
        assert path.exists()
    assert [s.title for s in list_sessions(tmp_path)] == ["Keep"]
    assert keep.path.exists()


def test_retention_removes_old_finished_sessions_only(tmp_path: Path) -> None:
    old = _session(tmp_path, days_ago=40)
    recent = _session(tmp_path, days_ago=3)
    old_crashed = _session(tmp_path, days_ago=50, clean=False)
    _crash(old_crashed)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\x00garbage\n")

    assert apply_retention(tmp_path, None, now=NOW) == []
    assert apply_retention(tmp_path, 0, now=NOW) == []
    deleted = apply_retention(tmp_path, 30, now=NOW)
    assert deleted == [old.path]
    assert not old.path.exists()
    assert recent.path.exists()
    assert old_crashed.path.exists()  # not yet offered for recovery
    assert broken.exists()


def test_unreadable_and_newer_journals_are_reported_not_raised(tmp_path: Path) -> None:
    good = _session(tmp_path)
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\xff\xfe not a journal")
    newer = _session(tmp_path, days_ago=1)
    lines = newer.path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["version"] = 7
    newer.path.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")

    problems: list[JournalError] = []
    summaries = list_sessions(tmp_path, problems=problems)
    assert [s.path for s in summaries] == [good.path]
    messages = sorted(str(p) for p in problems)
    assert len(messages) == 2
    assert any(str(garbage) in m and "not a Caption App transcript" in m for m in messages)
    assert any(str(newer.path) in m and "newer version" in m for m in messages)
    assert garbage.exists()
    assert newer.path.exists()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda h: h.update(session=["not", "an", "object"]), id="session-a-list"),
        pytest.param(lambda h: h.update(session="text"), id="session-text"),
        pytest.param(
            lambda h: h["session"].update(started_at="9999-12-31T23:59:00-23:59"),
            id="date-out-of-range",
        ),
    ],
)
def test_a_hand_edited_header_is_reported_not_raised(
    tmp_path: Path, damage: Callable[[dict[str, Any]], None]
) -> None:
    good = _session(tmp_path)
    bad = _session(tmp_path, days_ago=1)
    lines = bad.path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    damage(header)
    bad.path.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    problems: list[JournalError] = []
    assert [s.path for s in list_sessions(tmp_path, problems=problems)] == [good.path]
    (problem,) = problems
    assert str(bad.path) in str(problem)
    assert unfinished_sessions(tmp_path) == []


def test_deeply_nested_lines_are_damage_not_a_crash(tmp_path: Path) -> None:
    nested = _session(tmp_path)
    with nested.path.open("ab") as handle:
        handle.write(b"[" * 100_000 + b"\n")
    assert [s.path for s in list_sessions(tmp_path)] == [nested.path]
    assert read_journal(nested.path).skipped_lines == 1
    start = tmp_path / "nested-start.jsonl"
    start.write_bytes(b"[" * 100_000 + b"\n")
    problems: list[JournalError] = []
    list_sessions(tmp_path, problems=problems)
    assert [p.path for p in problems] == [start]


def test_missing_directory_lists_nothing(tmp_path: Path) -> None:
    assert list_sessions(tmp_path / "never-created") == []


def test_data_directory_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "override"))
    assert transcripts_dir() == tmp_path / "override" / "transcripts"
    assert transcripts_dir().is_dir()
    monkeypatch.delenv(DATA_DIR_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert transcripts_dir(create=False) == tmp_path / "xdg" / "caption-app" / "transcripts"


def test_session_info_keeps_aware_utc_start(tmp_path: Path) -> None:
    local = datetime(2025, 6, 1, 14, 0, tzinfo=UTC).astimezone()
    info = SessionInfo("x-1", local, "assemblyai", "mic")
    recorder = TranscriptRecorder(tmp_path, info)
    recorder.close()
    started = read_journal(recorder.path).document.info.started_at
    assert started == local
    assert started.tzinfo == UTC


@pytest.mark.parametrize("ending", ["clean", "crashed", "recovered"])
def test_every_input_a_session_captioned_is_listed(tmp_path: Path, ending: str) -> None:
    """Ninth walk V3: captions continued from another input mid-session, and the History's
    Source column, the export's header and the JSON named only the first."""
    recorder = _session(tmp_path, clean=False, source="Headset Microphone")
    recorder.add_marker(5_000, input_marker("USB Microphone"))
    recorder.add_marker(9_000, input_marker("Headset Microphone"))
    recorder.add_marker(9_500, input_marker("Headset Microphone"))  # the same again: one
    if ending == "clean":
        recorder.close()
    else:
        assert recorder.journal.wait_written(timeout=5.0)
        _crash(recorder)
        if ending == "recovered":
            mark_recovered(recorder.path)
    (summary,) = list_sessions(tmp_path)
    said = "Headset Microphone, then USB Microphone, then Headset Microphone"
    assert summary.source == said
    doc = read_journal(recorder.path).document
    assert doc.inputs == ("Headset Microphone", "USB Microphone", "Headset Microphone")
    assert dict(header_facts(doc))["Source"] == said
    exported = json.loads(export_document(doc, "json"))
    assert exported["summary"]["inputs"] == list(doc.inputs)
    assert exported["session"]["source"] == "Headset Microphone"  # where it started


def test_one_input_is_named_once(tmp_path: Path) -> None:
    _session(tmp_path, source="Headset Microphone")
    (summary,) = list_sessions(tmp_path)
    assert summary.source == "Headset Microphone"
