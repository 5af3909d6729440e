"""The session's recorder in front of the UI: a disk that refuses writes costs the saving, never
the captions."""

from __future__ import annotations

import os
from pathlib import Path

from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import SessionEnded, StreamBegan, StreamOpened
from caption_app.core.streaming.recording import RecordingListener
from caption_app.core.transcript.history import list_sessions
from caption_app.core.transcript.journal import read_journal
from caption_app.core.transcript.recorder import TranscriptRecorder
from tests.streaming.harness import Collector
from tests.transcript.builders import finished, make_info, make_turn


def test_a_full_disk_stops_the_saving_with_one_notice_and_the_captions_go_on(
    tmp_path: Path,
) -> None:
    recorder = TranscriptRecorder(tmp_path, make_info())
    seen = Collector()
    listener = RecordingListener(recorder, seen)
    listener(StreamOpened(0, 0))
    listener(StreamBegan(0, "sess-0"))
    listener(finished(make_turn(0, 0, "Saved before the disk filled.", 1_000)))
    assert recorder.journal.wait_written(timeout=5.0)
    # From here on every write to the journal fails the way a full disk does (ENOSPC).
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        os.dup2(full, recorder.journal._fd)
    finally:
        os.close(full)
    for order in (1, 2):
        listener(finished(make_turn(0, order, f"Said after, number {order}.", 5_000)))
    listener(SessionEnded(audio_s=6.0, session_s=6.0, connections=1, failed=None))

    assert [u.turn.order for u in seen.updates] == [0, 1, 2]  # every caption still shown
    (notice,) = [text for text, _ in seen.notices]
    assert "no longer being saved" in notice
    assert seen.summary is not None
    assert recorder.journal.closed
    saved = read_journal(recorder.path)
    assert [t.text for t in saved.document.turns] == ["Saved before the disk filled."]


def test_a_start_that_failed_before_any_word_leaves_no_session(tmp_path: Path) -> None:
    """A rejected key at Start is not a session: History must not list a 0-word one."""
    rejected = Problem(ProblemKind.AUTH, "AssemblyAI rejected the API key.", Recovery.NEW_KEY)
    recorder = TranscriptRecorder(tmp_path, make_info())
    listener = RecordingListener(recorder, Collector())
    listener(StreamOpened(0, 0))
    listener(SessionEnded(audio_s=0.0, session_s=1.0, connections=1, failed=rejected))
    assert list_sessions(tmp_path) == []
    assert recorder.discarded and not recorder.path.exists()


def test_a_session_that_failed_after_words_is_kept(tmp_path: Path) -> None:
    lost = Problem(ProblemKind.AUDIO_INPUT, "The microphone stopped.", Recovery.GIVE_UP)
    recorder = TranscriptRecorder(tmp_path, make_info())
    listener = RecordingListener(recorder, Collector())
    listener(StreamOpened(0, 0))
    listener(StreamBegan(0, "sess-0"))
    listener(finished(make_turn(0, 0, "Said before it failed.", 1_000)))
    listener(SessionEnded(audio_s=2.0, session_s=2.0, connections=1, failed=lost))
    (listed,) = list_sessions(tmp_path)
    assert listed.words == 4


def test_a_session_only_this_computer_captioned_records_no_billed_audio(tmp_path: Path) -> None:
    """Walk 2, A2: History said "billed audio 34.0 s" for a session the local engine captioned
    (it acknowledges the audio it heard, as the cloud does; nothing is billed for it)."""
    recorder = TranscriptRecorder(tmp_path, make_info())
    listener = RecordingListener(recorder, Collector())
    listener(StreamOpened(0, 0))
    listener(StreamBegan(0, "local-0"))
    listener(finished(make_turn(0, 0, "Said on this computer.", 1_000)))
    listener(SessionEnded(audio_s=34.0, session_s=35.0, connections=1, failed=None))
    assert read_journal(recorder.path).document.billed_audio_s is None
