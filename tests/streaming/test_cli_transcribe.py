"""``caption-app transcribe`` as a person runs it: a subprocess against the local server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from caption_app.core.transcript.export import export_document
from caption_app.core.transcript.history import unfinished_sessions
from caption_app.core.transcript.journal import read_journal
from caption_app.exit_codes import ExitCode
from tests.streaming_server.clips import load_clip
from tests.streaming_server.server import StreamingServer
from tests.support.paths import AUDIO_DIR

CLIP = "librivox-austen-0880.wav"
LONG_CLIP = "librivox-austen-0870.wav"


def _env(tmp_path: Path, key: str = "test-key") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(
        ASSEMBLYAI_API_KEY=key,
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def _transcribe(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "caption_app", "transcribe", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_transcribe_a_file_to_json(streaming_server: StreamingServer, tmp_path: Path) -> None:
    clip = load_clip(CLIP)
    streaming_server.config.script = clip.script(turns=1)
    expected = clip.script(turns=1)[0].formatted_text
    out = tmp_path / "t.json"
    proc = _transcribe(
        str(AUDIO_DIR / CLIP),
        "--api-host",
        streaming_server.url,
        "--format",
        "json",
        "--out",
        str(out),
        env=_env(tmp_path),
    )
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.OK, stderr
    assert stdout.splitlines() == [expected]
    document = json.loads(out.read_text(encoding="utf-8"))
    turns = [e for e in document["entries"] if e["type"] == "turn"]
    assert [t["text"] for t in turns] == [expected]
    assert len(turns[0]["words"]) == len(expected.split())
    assert all({"start_ms", "end_ms", "confidence"} <= set(w) for w in turns[0]["words"])
    audio = streaming_server.session(0).audio_bytes()
    assert audio[: len(clip.pcm)] == clip.pcm and set(audio[len(clip.pcm) :]) <= {0}
    assert "test-key" not in stdout + stderr


def test_legacy_formatting_prints_each_line_once_formatted(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    clip = load_clip(LONG_CLIP)
    streaming_server.config.script = clip.script(turns=2)
    streaming_server.config.legacy_formatting = True
    proc = _transcribe(
        str(AUDIO_DIR / LONG_CLIP), "--api-host", streaming_server.url, env=_env(tmp_path)
    )
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.OK, stderr
    assert stdout.splitlines() == [t.formatted_text for t in clip.script(turns=2)]


def test_exit_codes(streaming_server: StreamingServer, tmp_path: Path) -> None:
    host = ("--api-host", streaming_server.url)
    cloud = ("--engine", "assemblyai")
    bad_key = _transcribe(str(AUDIO_DIR / CLIP), *host, *cloud, env=_env(tmp_path, key="nope"))
    _out, err = bad_key.communicate(timeout=60)
    assert bad_key.returncode == ExitCode.AUTH and "rejected" in err
    # With "auto" the rejection is said, and the file is captioned on this computer.
    bad_key = _transcribe(str(AUDIO_DIR / CLIP), *host, env=_env(tmp_path, key="nope"))
    out, err = bad_key.communicate(timeout=120)
    assert bad_key.returncode == ExitCode.OK and "rejected" in err, err
    assert "old" in out.lower() and "young man" in out.lower(), out
    missing = _transcribe(str(tmp_path / "missing.wav"), *host, env=_env(tmp_path))
    _out, err = missing.communicate(timeout=60)
    assert missing.returncode == ExitCode.AUDIO and "missing.wav" in err
    usage = _transcribe(*host, env=_env(tmp_path))
    assert usage.wait(timeout=60) == ExitCode.USAGE
    # A file and live system audio at once cannot be mixed.
    both = _transcribe(str(AUDIO_DIR / CLIP), "--with-system-audio", *host, env=_env(tmp_path))
    _out, err = both.communicate(timeout=60)
    assert both.returncode == ExitCode.USAGE and "--with-system-audio" in err
    no_key_env = _env(tmp_path)
    del no_key_env["ASSEMBLYAI_API_KEY"]
    # With the cloud chosen; "auto" captions on this computer instead (test_local_cli.py).
    no_key = _transcribe(str(AUDIO_DIR / CLIP), *host, "--engine", "assemblyai", env=no_key_env)
    _out, err = no_key.communicate(timeout=60)
    assert no_key.returncode == ExitCode.AUTH and "ASSEMBLYAI_API_KEY" in err


def test_ctrl_c_stops_cleanly_and_writes_the_transcript(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    clip = load_clip(LONG_CLIP)
    streaming_server.config.script = clip.script(turns=3)
    out = tmp_path / "partial.txt"
    proc = _transcribe(
        str(AUDIO_DIR / LONG_CLIP),
        "--api-host",
        streaming_server.url,
        "--out",
        str(out),
        env=_env(tmp_path),
    )
    assert streaming_server.wait_for_sessions(1, timeout=20)
    assert streaming_server.session(0).wait_until_audio_ms(3500, timeout=20)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=15)
    assert proc.returncode == ExitCode.OK, stderr
    assert "Terminate" in streaming_server.session(0).control_types()
    printed = stdout.splitlines()
    assert printed and out.read_text(encoding="utf-8").count(printed[0]) == 1


def test_sigkill_loses_at_most_the_unfinished_turn(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    """Issue acceptance: kill -9 mid-session; every turn finished >1 s earlier is journaled."""
    clip = load_clip(LONG_CLIP)
    streaming_server.config.script = clip.script(turns=4)
    proc = _transcribe(
        str(AUDIO_DIR / LONG_CLIP), "--api-host", streaming_server.url, env=_env(tmp_path)
    )
    assert streaming_server.wait_for_sessions(1, timeout=20)
    record = streaming_server.session(0)
    assert record.wait_for_sent("Turn", count=1, timeout=20)
    assert record.wait_for(
        lambda r: sum(bool(m.get("end_of_turn")) for m in r.sent("Turn")) >= 2, timeout=20
    )
    time.sleep(1.2)
    killed_at = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=15)
    finished_in_time = [
        s.message["transcript"]
        for s in record.sent_records()
        if s.message.get("type") == "Turn"
        and s.message.get("end_of_turn")
        and s.sent_at < killed_at - 1.0
    ]
    assert len(finished_in_time) >= 2
    (journal,) = unfinished_sessions(tmp_path / "data" / "transcripts")
    recovered = read_journal(journal.path)
    assert not recovered.clean_end
    texts = [t.text for t in recovered.document.turns]
    assert texts[: len(finished_in_time)] == finished_in_time
    exported = export_document(recovered.document, "txt")
    assert all(text in exported for text in finished_in_time)
