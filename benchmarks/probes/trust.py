"""The faults of issue 23 as measurements, one per child process, each printing one JSON line.

``python -m benchmarks.probes.trust WHAT FOLDER`` with WHAT one of:

- ``hang``: the shared clips joined, engine = auto, a cloud that accepts TCP and never answers,
  then the same with a refused port; then ``transcribe`` against the hanging cloud and Ctrl+C;
- ``flaky``: the joined clips to the local server, once clean and once with a drop every 8 s,
  the server hearing the words of the audio each connection really got;
- ``device``: a PulseAudio headset, engine = auto, the cloud hanging: Pause, Stop, drops;
- ``keyring``: the key dialog opened while the real Secret Service takes 5 s;
- ``quit``: Ctrl+Q on the real app (under Xvfb) with a session stuck on a slow disk.

The scenarios are the tests' own (tests/faults, tests/streaming, tests/audio, tests/keyring,
tests/x11), so the benchmark measures what the tests check.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any


def hang(folder: Path) -> dict[str, Any]:
    import jiwer

    from tests.failover.harness import free_port
    from tests.faults.test_hanging_cloud import _caption, _repeated, _transcribe
    from tests.local_engine.speech import normalise
    from tests.support.silent_listener import silent_listener

    with silent_listener() as listener:
        seen, said, reference = _caption(listener.url, folder / "hangs")
        accepted = listener.accepted
    refused, refused_said, _ = _caption(f"ws://127.0.0.1:{free_port()}", folder / "refuses")
    with silent_listener() as listener:
        (folder / "cli").mkdir()
        proc = _transcribe(folder / "cli", listener.url, {})
        time.sleep(12.0)
        asked = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        ctrl_c_s = time.monotonic() - asked
    return {
        "first_words_s": seen.words_at[0][1],
        "refused_first_words_s": refused.words_at[0][1],
        "wer": jiwer.wer(normalise(reference), normalise(said)),
        "refused_wer": jiwer.wer(normalise(reference), normalise(refused_said)),
        "said_twice": len(_repeated(said, reference)),
        "no_answer_said": sum("did not answer in time" in t for t, _ in seen.notices),
        "markers": len(seen.markers),
        "accepted": accepted,
        "ctrl_c_s": ctrl_c_s,
        "cli_no_answer_said": stderr.count("did not answer in time"),
        "cli_exit": proc.returncode,
    }


def flaky(folder: Path) -> dict[str, Any]:
    import jiwer

    from tests.local_engine.speech import normalise
    from tests.streaming.test_flaky_network import DROP_EVERY_MS, _caption, _heard_recording
    from tests.streaming_server.config import Fault, FaultTrigger
    from tests.streaming_server.fixtures import running_server

    path, heard, reference = _heard_recording(folder)
    with running_server() as server:
        server.config.heard = heard
        _, clean = _caption(server, path, folder / "clean")
        sessions = len(server.sessions())
        server.config.faults = (FaultTrigger(Fault.DROP, at_audio_ms=DROP_EVERY_MS),)
        seen, dropped = _caption(server, path, folder / "flaky")
        drops = len(server.sessions()) - sessions - 1
    truth = normalise(reference)
    measures = jiwer.process_words(truth, normalise(dropped))
    return {
        "drops": drops,
        "wer": measures.wer,
        "clean_wer": jiwer.wer(truth, normalise(clean)),
        "missing": measures.deletions,
        "extra": measures.insertions,
        "gaps": len(seen.gaps),
    }


def device(folder: Path) -> dict[str, Any]:
    from tests.audio.test_session_while_connect_hangs import CLIP, run_while_connects_hang
    from tests.support.paths import AUDIO_DIR
    from tests.support.pulse import PulseServer

    pulse = PulseServer(folder / "pulse")
    pulse.start()
    try:
        pulse.activate()
        return asdict(run_while_connects_hang(pulse, AUDIO_DIR / CLIP, folder))
    finally:
        pulse.stop()


def keyring(folder: Path) -> dict[str, Any]:
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop
    from PySide6.QtWidgets import QApplication

    from caption_app.core.secrets.store import KeyStore
    from tests.keyring.test_slow_keyring import STORED_KEY, open_the_key_dialog_on_a_stalled_keyring
    from tests.support.secret_service import secret_service

    os.environ.update(HOME=str(folder), CAPTION_APP_DATA_DIR=str(folder / "data"))
    os.environ.pop("PYTHON_KEYRING_BACKEND", None)  # the real Secret Service, started here
    app = QApplication([])

    def wait(ms: int) -> None:
        deadline = QDeadlineTimer(ms)
        while not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)

    def until(condition: Any, timeout: int) -> None:
        deadline = QDeadlineTimer(timeout)
        while not condition():
            assert not deadline.hasExpired(), "it never happened"
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)

    with secret_service() as service:
        KeyStore().set(STORED_KEY)
        try:
            figures = open_the_key_dialog_on_a_stalled_keyring(service, wait, until)
        finally:
            KeyStore().delete()
    wait(500)  # the keyring's thread reports back and ends
    del app
    return asdict(figures)


def quit_app(folder: Path) -> dict[str, Any]:
    from tests.x11.test_quit import quit_stuck_session

    gone_s, exited_s, stderr, _ = quit_stuck_session(folder)
    return {"gone_s": gone_s, "exited_s": exited_s, "left": "did not end" in stderr}


PROBES = {"hang": hang, "flaky": flaky, "device": device, "keyring": keyring, "quit": quit_app}


def main() -> int:
    what, folder = sys.argv[1], Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    print(json.dumps(PROBES[what](folder)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
