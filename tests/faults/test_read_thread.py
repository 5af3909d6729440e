"""The SDK's read thread killed by a hostile frame: heard of at once, logged, captions resume.

The unmodified SDK 1.8.2 against the local server, which sends one frame no faithful service
sends (binary, a JSON list or string, a Turn with wrongly typed fields, a Warning whose code is
a string). The reader's death must reach the session when it happens (not through the 5 s
watchdog), its traceback must go to the log and not to the hook that prints to the terminal,
and captions must resume within 2 s of the frame, measured from the server's send time to the
first words of the new connection, with the production backoff.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from caption_app.core.engines.assemblyai import read_thread
from caption_app.core.engines.assemblyai.engine import READER_LOST
from caption_app.core.transcript.journal import read_journal
from tests.faults.harness import (
    CLIP,
    Running,
    long_recording,
    looping_config,
    session,
    wait_for,
    words_after,
)
from tests.streaming_server.clips import load_clip
from tests.streaming_server.config import Fault, FaultTrigger
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.hostile import HOSTILE_FAULTS
from tests.streaming_server.server import StreamingServer
from tests.streaming_server.session import RAW_FRAME
from tests.support.paths import AUDIO_DIR

pytestmark = pytest.mark.timeout(60)
RESUME_LIMIT_S = 2.0


def _terminal_hook(monkeypatch: pytest.MonkeyPatch) -> list[threading.ExceptHookArgs]:
    """The hook before the app's (the one that prints to the terminal), replaced by a list.
    The app's watch chains itself in front of whatever hook is there when it watches a first
    reader: an earlier test's connections, still closing, must be let go first, or this test
    would replace the app's hook instead of standing behind it (its readers' deaths then
    unheard until the watchdog, 5 s later)."""
    wait_for(lambda: read_thread.watching() == 0, 15, "the earlier connections let go")
    terminal: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", terminal.append)
    return terminal


@pytest.mark.parametrize("fault", HOSTILE_FAULTS, ids=[f.value for f in HOSTILE_FAULTS])
def test_a_hostile_frame_reconnects_at_once_and_the_traceback_is_only_logged(
    tmp_path: Path,
    fault: Fault,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = _terminal_hook(monkeypatch)
    caplog.set_level(logging.DEBUG, logger=read_thread.__name__)
    recording = long_recording(tmp_path, 12)
    with running_server(looping_config()) as server:
        built, seen = session(server.url, recording, tmp_path)
        running = Running(built)
        try:
            wait_for(lambda: seen.finished_at, 10, "a first finished turn")
            before = dict(seen.finished_turns())
            server.inject(0, fault)
            sent = server.session(0).sent_records()
            (frame,) = [s for s in sent if s.message["type"] == RAW_FRAME]
            wait_for(lambda: words_after(seen, 1) is not None, 10, "words after the frame")
        finally:
            running.stop()
        resumed_at = words_after(seen, 1)
        assert resumed_at is not None
        resume_s = resumed_at - frame.sent_at
        reconnect_s = server.session(1).opened_at - frame.sent_at
        print(f"\n{fault.value}: reconnected {reconnect_s:.2f} s, words {resume_s:.2f} s after it")
        assert resume_s <= RESUME_LIMIT_S

    # Reported as the lost connection it is, once, and not by the watchdog.
    assert seen.problems == [READER_LOST]
    assert not [text for text, _ in seen.notices if "stopped answering" in text]
    # The traceback went to the log (and the warning names the exception), never to stderr.
    assert terminal == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "could not read" in warnings[0].getMessage()
    (detail,) = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert "Traceback (most recent call last)" in detail.getMessage()
    assert "assemblyai" in detail.getMessage()  # the SDK's frames, for a bug report
    # Nothing finished before the frame was lost, and the hook is gone with the connections.
    journal = {t.key: t for t in read_journal(built.recorder.path).document.turns}
    assert all(journal[key] == turn for key, turn in before.items())
    assert read_thread.watching() == 0
    assert threading.excepthook == terminal.append


def _die(message: str) -> None:
    raise RuntimeError(message)


def test_the_hook_passes_other_threads_on_and_is_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _terminal_hook(monkeypatch)
    deaths: list[BaseException | None] = []
    reader = threading.Thread(target=_die, args=("reader",), name="reader")
    read_thread.watch(reader, deaths.append)
    assert threading.excepthook is not terminal.append
    other = threading.Thread(target=_die, args=("other",), name="other")
    for thread in (reader, other):
        thread.start()
        thread.join(5)
    assert [str(e) for e in deaths] == ["reader"]
    assert [str(a.exc_value) for a in terminal] == ["other"]
    # Reported once: the watch ends with the thread.
    assert read_thread.watching() == 0
    read_thread.unwatch(reader)
    assert threading.excepthook == terminal.append


def test_a_watched_thread_that_ends_quietly_is_let_go_and_the_secret_is_masked(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from caption_app.core.log_masking import MASKED, masking_filter

    secret = "sk-fault-test-0123456789"
    masking_filter().add_secret(secret)
    terminal = _terminal_hook(monkeypatch)
    caplog.set_level(logging.DEBUG, logger=read_thread.__name__)
    quiet = threading.Thread(target=lambda: None, name="quiet")
    read_thread.watch(quiet, lambda _exc: None)
    quiet.start()
    quiet.join(5)
    loud = threading.Thread(target=_die, args=(f"frame quoted {secret}",), name="loud")
    read_thread.watch(loud, lambda _exc: None)  # prunes the quiet one
    assert read_thread.watching() == 1
    loud.start()
    loud.join(5)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in text and MASKED in text
    assert terminal == [] and read_thread.watching() == 0
    read_thread.unwatch(loud)
    assert threading.excepthook == terminal.append


def test_caption_app_transcribe_prints_no_traceback_for_a_hostile_frame(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    """As a person runs it: the CLI's terminal gets one log line, not the SDK's traceback."""
    clip = load_clip(CLIP)
    streaming_server.config.script = clip.script(turns=3)
    streaming_server.config.faults = (FaultTrigger(Fault.BINARY_FRAME, at_audio_ms=2500),)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(
        ASSEMBLYAI_API_KEY=TEST_API_KEY,
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    command = [sys.executable, "-m", "caption_app", "transcribe", str(AUDIO_DIR / CLIP)]
    command += ["--api-host", streaming_server.url, "--engine", "assemblyai"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        streaming_server.wait_for_sessions(1, timeout=20)
        streaming_server.config.faults = ()  # the first connection only
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 0, stderr
    assert len(streaming_server.sessions()) == 2  # reconnected once, at once
    assert "Traceback" not in stderr and "Exception in thread" not in stderr
    assert "could not read: UnicodeDecodeError" in stderr
    assert stdout.strip()  # the captions before and after the frame
