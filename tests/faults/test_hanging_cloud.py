"""A cloud that hangs, with engine = auto: it accepts the TCP connection (or its name look-up
never returns) and never answers, as a captive portal, a proxy or a dropping firewall does.

Defect 2 of issue 23: the return probe was a plain TCP connect, which such a cloud accepts, so
the session switched back, hung in the upgrade, and handed the same audio to the local engine
again each time: "Cannot reach …: it did not answer in time" every 7 s and the transcript
repeating itself, 17.6 % WER against 4 % when the port simply refuses. Now the cloud is back
only once it has begun, a failed try waits longer, and the problem is said once.

Each session captions the shared clips joined into one recording (``joined_clips``), judged
against their reference text: the hanging cloud must caption as well as a refused port.
"""

from __future__ import annotations

import collections
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import jiwer
import pytest

from caption_app.core.audio.media import open_media_source
from caption_app.core.streaming.reports import COVERED
from caption_app.exit_codes import ExitCode
from tests.failover.harness import FailoverCollector, auto_session, free_port
from tests.local_engine.speech import joined_clips, normalise
from tests.streaming_server.fixtures import TEST_API_KEY
from tests.support.silent_listener import silent_listener
from tests.support.stalls import hung_lookup

pytestmark = [pytest.mark.timeout(240), pytest.mark.xdist_group("serial")]
HUNG_HOST = "streaming.caption-app-hangs.test"


def _caption(host: str, folder: Path) -> tuple[FailoverCollector, str, str]:
    """Caption the joined clips with engine = auto and the cloud at ``host``."""
    folder.mkdir()
    recording = joined_clips(folder)
    source = open_media_source(recording.path, 50, realtime=True)
    built, seen = auto_session(host, source, folder / "transcripts")
    thread = threading.Thread(target=built.session.run, name="test-session")
    thread.start()
    thread.join(timeout=150)
    assert not thread.is_alive(), "the session did not end"
    said = " ".join(t.text for t in seen.finished_turns().values())
    return seen, said, recording.reference


def _repeated(said: str, reference: str) -> list[str]:
    """Word pairs said more often than the reference says them, and a word said twice in a
    row where the reference does not: text captioned twice."""
    words, ref = normalise(said).split(), normalise(reference).split()
    pairs = collections.Counter(itertools.pairwise(words))
    ref_pairs = collections.Counter(itertools.pairwise(ref))
    return [
        " ".join(pair)
        for pair, count in pairs.items()
        if count > ref_pairs[pair] and (count > 1 or pair[0] == pair[1])
    ]


def test_a_cloud_that_hangs_captions_as_well_as_one_that_refuses(tmp_path: Path) -> None:
    with silent_listener() as listener:
        seen, said, reference = _caption(listener.url, tmp_path / "hangs")
    refused, refused_said, _ = _caption(f"ws://127.0.0.1:{free_port()}", tmp_path / "refuses")

    error = jiwer.wer(normalise(reference), normalise(said))
    refused_error = jiwer.wer(normalise(reference), normalise(refused_said))
    first_words, refused_first = seen.words_at[0][1], refused.words_at[0][1]
    notices = [text for text, _ in seen.notices]
    print(
        f"\nhanging cloud: WER {error:.1%} (refused port {refused_error:.1%}); first local "
        f"words {first_words:.1f} s after Start (refused port {refused_first:.1f} s); "
        f"{listener.accepted} connections accepted; notices: {notices}\n{said}"
    )
    # The local engine loads from Start either way; a hanging cloud costs the 1.5 s it is
    # waited for, and the SDK's import (seconds on a busy machine). The 5 s budget:
    # scripts/bench (trust).
    assert first_words <= refused_first + 4.0
    assert error <= refused_error + 0.02
    assert _repeated(said, reference) == []
    # Never flapped: one switch to this computer, the cloud never used, no audio replayed.
    assert [m.text.split(":")[0] for m in seen.markers] == ["Captions continue on this computer"]
    assert {e.on_device for e, _ in seen.engines} == {True}
    # Said once (and tried again less and less often), not every few seconds.
    no_answer = [n for n in notices if "did not answer in time" in n]
    assert len(no_answer) <= 1 and all(n.endswith(COVERED) for n in notices)
    assert seen.problems == []
    assert listener.accepted <= 6  # 3 s, 6 s, 12 s, 24 s between tries: about 4 in 36 s


def _transcribe(tmp_path: Path, host: str, extra_env: dict[str, str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(
        ASSEMBLYAI_API_KEY=TEST_API_KEY,
        CAPTION_APP_DATA_DIR=str(tmp_path / "data"),
        HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        **extra_env,
    )
    recording = joined_clips(tmp_path)
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "caption_app", "transcribe", str(recording.path)),
            *("--api-host", host, "--out", str(tmp_path / "out.txt")),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("hang", ["upgrade", "name look-up"])
def test_transcribe_against_a_hanging_cloud_says_so_once_and_ctrl_c_ends_it_at_once(
    tmp_path: Path, hang: str
) -> None:
    with silent_listener() as listener:
        if hang == "upgrade":
            proc = _transcribe(tmp_path, listener.url, {})
        else:
            proc = _transcribe(tmp_path, f"wss://{HUNG_HOST}", hung_lookup(HUNG_HOST, 30_000))
        time.sleep(12.0)  # the first try and two more on the side, at 3 s and 6 s
        asked = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
        ended_s = time.monotonic() - asked
    print(f"\n{hang}: Ctrl+C ended it in {ended_s:.2f} s\nstdout: {stdout}\nstderr: {stderr}")
    assert proc.returncode == ExitCode.OK, stderr
    # The target is 1 s (0.5-0.7 s measured on a quiet machine; scripts/bench); under the
    # test suite's load the interpreter's own exit takes a second more. On the pump, a hung
    # connect held it 3.5 s, a hung name look-up 21 s.
    assert ended_s <= 3.0
    assert stderr.count("did not answer in time") <= 1
    assert stderr.count("has not answered yet") == 1
    assert "Traceback" not in stderr and "WARNING" not in stderr
    assert (tmp_path / "out.txt").exists()  # the transcript was still written
