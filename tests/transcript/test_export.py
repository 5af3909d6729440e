"""Exports: subtitle files a real subtitle library parses, readable text, lossless JSON."""

from __future__ import annotations

import html
import io
import itertools
import json
import re
from pathlib import Path

import pysubs2
import pytest
import webvtt
from hypothesis import given, settings

from caption_app.core.transcript import (
    ExportOptions,
    SessionTranscript,
    TranscriptDocument,
    TranscriptFileError,
    export_document,
    load_json_export,
    write_export,
)
from caption_app.core.transcript.export import suggested_file_name
from tests.transcript.builders import make_info, make_turn, meeting
from tests.transcript.strategies import documents, turn_text

PREFIX = re.compile(r"^Speaker [ABC]: ")
SRT_TIME = r"\d{2}:\d{2}:\d{2},\d{3}"
VTT_TIME = r"\d{2}:\d{2}:\d{2}\.\d{3}"


def _srt_events(text: str) -> list[pysubs2.SSAEvent]:
    subs = pysubs2.SSAFile.from_string(text, format_="srt")
    return list(subs)


def _vtt_captions(text: str) -> list[webvtt.Caption]:
    captions: list[webvtt.Caption] = webvtt.from_buffer(io.StringIO(text)).captions
    return captions


def _check_srt(doc: TranscriptDocument) -> None:
    text = export_document(doc, "srt")
    for block in text.strip().split("\n\n"):
        number, timing, *lines = block.split("\n")
        assert number.isdigit()
        assert re.fullmatch(f"{SRT_TIME} --> {SRT_TIME}", timing), timing
        assert 1 <= len(lines) <= 2
    events = _srt_events(text)
    words = " ".join(PREFIX.sub("", e.plaintext).replace("\n", " ") for e in events)
    assert words == turn_text(doc.entries)
    for earlier, later in itertools.pairwise(events):
        assert earlier.start < earlier.end <= later.start


def _check_vtt(doc: TranscriptDocument) -> None:
    text = export_document(doc, "vtt")
    assert text.startswith("WEBVTT\n\n")
    captions = _vtt_captions(text)
    words = " ".join(PREFIX.sub("", html.unescape(c.text)).replace("\n", " ") for c in captions)
    assert words == turn_text(doc.entries)
    times = [(_ms(c.start), _ms(c.end)) for c in captions]
    for start, end in times:
        assert start < end
    for earlier, later in itertools.pairwise(times):
        assert earlier[1] <= later[0]


def _ms(stamp: str) -> int:
    assert re.fullmatch(VTT_TIME, stamp), stamp
    hours, minutes, rest = stamp.split(":")
    seconds, millis = rest.split(".")
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


@settings(max_examples=60, deadline=None)
@given(documents())
def test_srt_parses_in_pysubs2_and_round_trips_the_text(doc: TranscriptDocument) -> None:
    _check_srt(doc)


@settings(max_examples=60, deadline=None)
@given(documents())
def test_vtt_parses_in_webvtt_py_and_round_trips_the_text(doc: TranscriptDocument) -> None:
    _check_vtt(doc)


def test_subtitles_of_the_meeting_carry_speakers_and_markup_safely() -> None:
    doc = meeting().snapshot()
    _check_srt(doc)
    _check_vtt(doc)
    captions = _vtt_captions(export_document(doc, "vtt"))
    assert captions[0].voice == "Speaker A"
    assert captions[0].text.startswith("Speaker A: Good morning")
    assert "&amp; final." in export_document(doc, "vtt")
    srt = export_document(doc, "srt", ExportOptions(speakers=False))
    assert "Speaker" not in srt


def test_webvtt_says_between_its_cues_where_nothing_was_captioned_and_why() -> None:
    """Fifth walk W15: a 40 s pause was marked in the text export, while the WebVTT cues
    jumped over it without a word; a NOTE (which players do not show) now says it."""
    transcript = meeting()
    transcript.add_gap(25_000, 65_000, "pause")
    doc = transcript.snapshot()
    text = export_document(doc, "vtt")
    blocks = text.split("\n\n")
    notes = [b.strip() for b in blocks if b.startswith("NOTE")]
    assert notes == [
        "NOTE 00:00:07.000 to 00:00:19.000 [… 12 s not captioned: no connection …]",
        "NOTE 00:00:25.000 to 00:01:05.000 [… 40 s not captioned: paused …]",
    ]
    first_gap = next(i for i, b in enumerate(blocks) if b.startswith(notes[0]))
    assert "the budget?" in blocks[first_gap - 1] and "März" in blocks[first_gap + 1]
    _check_vtt(doc)  # a WebVTT parser still reads the cues, and only the cues


def test_times_past_eight_hours_are_written_correctly() -> None:
    transcript = SessionTranscript(make_info())
    late = 8 * 3_600_000 + 30 * 60_000 + 1_234  # 08:30:01.234
    transcript.put_turn(make_turn(0, 0, "still going", late))
    doc = transcript.snapshot()
    assert "08:30:01,234 --> 08:30:02,234" in export_document(doc, "srt")
    assert "08:30:01.234 --> 08:30:02.234" in export_document(doc, "vtt")
    (event,) = _srt_events(export_document(doc, "srt"))
    assert event.start == late


def test_txt_has_speakers_timestamps_and_gaps_as_asked() -> None:
    doc = meeting().snapshot()
    plain = export_document(doc, "txt", ExportOptions(timestamps=False, speakers=False))
    assert plain.splitlines()[0] == "Weekly sync"
    assert "\nGood morning, everyone.\n" in plain
    assert "[… 12 s not captioned: no connection …]" in plain
    assert "Speaker" not in plain.split("\n\n", 1)[1]
    full = export_document(doc, "txt", ExportOptions(timestamps=True, speakers=True))
    assert "[00:00:01] Speaker A: Good morning, everyone." in full
    assert "[00:00:19] Speaker A: Yes, the numbers for März are ready & final." in full
    bare = export_document(doc, "txt", ExportOptions(header=False))
    assert bare.startswith("Speaker A: Good morning")


def test_markdown_has_a_title_facts_and_escaped_text() -> None:
    transcript = meeting()
    transcript.put_turn(make_turn(1, 1, "press *star* then #", 25_000, speaker="B"))
    md = export_document(transcript.snapshot(), "md", ExportOptions(timestamps=True))
    assert md.startswith("# Weekly sync\n")
    assert "- **Words:** 23" in md
    assert "**[00:00:01] Speaker A:** Good morning, everyone." in md
    assert "*[… 12 s not captioned: no connection …]*" in md
    assert r"press \*star\* then \#" in md


def test_json_round_trips_everything(tmp_path: Path) -> None:
    transcript = meeting()
    doc = transcript.snapshot()
    path = tmp_path / "meeting.json"
    write_export(doc, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["summary"]["words"] == doc.word_count
    assert [e["type"] for e in data["entries"]] == ["turn", "turn", "gap", "turn"]
    assert data["entries"][0]["words"][0] == {
        "text": "Good",
        "start_ms": 1_000,
        "end_ms": 1_300,
        "confidence": 0.91,
        "speaker": "A",
        "is_final": True,
    }
    loaded = load_json_export(path)
    assert loaded == doc


@given(documents())
@settings(max_examples=30, deadline=None)
def test_json_round_trips_random_sessions(doc: TranscriptDocument) -> None:
    text = export_document(doc, "json")
    assert _load_json_text(text) == doc


def _load_json_text(text: str) -> TranscriptDocument:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "doc.json"
        path.write_text(text, encoding="utf-8")
        return load_json_export(path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json at all", "not valid JSON"),
        ('{"format": "something-else"}', "not a Caption App transcript export"),
        ('{"format": "caption-app-transcript", "version": 99}', "newer version"),
        ('{"format": "caption-app-transcript", "version": 1, "session": {}}', "damaged"),
    ],
)
def test_bad_json_files_give_a_clear_error_naming_the_file(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptFileError) as caught:
        load_json_export(path)
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)
    assert path.read_text(encoding="utf-8") == content


def test_every_format_is_written_as_utf8_from_its_file_name(tmp_path: Path) -> None:
    doc = meeting().snapshot()
    for suffix in ("txt", "md", "srt", "vtt", "json"):
        path = tmp_path / f"notes.{suffix}"
        write_export(doc, path)
        assert path.read_bytes().decode("utf-8") == export_document(doc, suffix)
        assert "März" in path.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="Unknown export format"):
        export_document(doc, "docx")
    with pytest.raises(ValueError, match="Cannot tell the export format"):
        write_export(doc, tmp_path / "notes.docx")


def test_empty_session_exports_without_error() -> None:
    doc = SessionTranscript(make_info()).snapshot()
    assert export_document(doc, "srt") == ""
    assert export_document(doc, "vtt") == "WEBVTT\n"
    assert _vtt_captions(export_document(doc, "vtt")) == []
    assert "Words: 0" in export_document(doc, "txt")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Session 2026-11-21 20:13", "Session 2026-11-21 20 13.md"),
        ("Q3 plan / budget: draft?", "Q3 plan budget draft.md"),
        ("  ..  ", "fallback.md"),
        ("line\nbreak\ttab", "line break tab.md"),
    ],
)
def test_suggested_file_names_are_safe_on_every_file_system(title: str, expected: str) -> None:
    assert suggested_file_name(title, "fallback", "md") == expected


def test_every_gap_reason_has_its_own_words() -> None:
    """An unplugged input is not a changed one: each reason reads as what happened."""
    from caption_app.core.model.gaps import GapReason
    from caption_app.core.transcript.export.common import GAP_REASONS

    assert set(GAP_REASONS) == set(GapReason)
    assert len(set(GAP_REASONS.values())) == len(GapReason)
    assert GAP_REASONS[GapReason.INPUT_LOST] == "audio input lost"


def test_the_json_says_what_was_captioned_apart_from_the_session_s_length(
    tmp_path: Path,
) -> None:
    """Ninth and tenth walks: ``captioned_ms`` was the session's length (41 s) for a session
    of which 27 s were not captioned."""
    from caption_app.core.model.gaps import Gap, GapReason
    from caption_app.core.transcript import TranscriptDocument

    turns = (make_turn(0, 0, "before the pause", 1_000), make_turn(0, 1, "after it", 30_000))
    gap = Gap(5_000, 25_000, GapReason.PAUSE.value)
    doc = TranscriptDocument(make_info(), (turns[0], gap, turns[1]), captioned_ms=41_000)
    summary = json.loads(export_document(doc, "json"))["summary"]
    assert summary["duration_ms"] == 41_000
    assert summary["captioned_ms"] == 21_000
    path = tmp_path / "session.json"
    path.write_text(export_document(doc, "json"))
    assert load_json_export(path).duration_ms == 41_000  # the length read back, not 21 s
