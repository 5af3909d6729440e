"""The Qt adapter: a live session on its own QThread, reporting through queued signals."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from caption_app.core.audio.media import open_media_source
from caption_app.core.model.session import SessionListener, SessionState
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import build_live_session
from caption_app.core.streaming.session import LiveSession
from caption_app.qt.session_controller import SessionController
from caption_app.qt.threads import running_worker_threads
from tests.streaming.harness import FAST, key_auth
from tests.streaming_server.clips import load_clip
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.server import StreamingServer
from tests.support.paths import AUDIO_DIR

CLIP = "goforward.wav"


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        server.config.script = load_clip(CLIP).script(turns=1)
        yield server


def _factory(server: StreamingServer, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = StreamingSettings(api_host=server.url)
    auth = key_auth()

    def factory(listener: SessionListener) -> LiveSession:
        source = open_media_source(AUDIO_DIR / CLIP, settings.chunk_ms, realtime=True)
        built = build_live_session(
            settings, source, lambda: auth, listener, timing=FAST, transcripts=tmp_path
        )
        return built.session

    return factory


@pytest.fixture
def controller() -> Iterator[SessionController]:
    controller = SessionController()
    yield controller
    controller.stop()  # whatever a failing test left running must not outlive it
    assert controller.wait(10_000)


def test_turns_arrive_on_the_gui_thread(
    qtbot: QtBot, server: StreamingServer, tmp_path: Path, controller: SessionController
) -> None:
    updates: list[TurnUpdate] = []
    threads: set[QThread] = set()

    def on_update(update: object) -> None:
        assert isinstance(update, TurnUpdate)
        threads.add(QThread.currentThread())
        updates.append(update)

    controller.turnUpdated.connect(on_update)
    levels: list[bool] = []
    controller.audioLevel.connect(lambda _rms, sending: levels.append(sending))
    controller.start(_factory(server, tmp_path))
    assert controller.running
    # The file ends, so the session ends by itself: Terminate, last turns, finished.
    qtbot.waitUntil(lambda: not controller.running, timeout=20_000)
    assert threads == {QThread.currentThread()}
    assert any(levels), "the sending indicator was never lit while audio went out"
    expected = load_clip(CLIP).script(turns=1)[0].formatted_text
    assert [u.turn.text for u in updates if u.kind is UpdateKind.FINISHED] == [expected]
    assert controller.wait(5000)


def test_fifty_start_stop_cycles_leave_no_thread(
    qtbot: QtBot, server: StreamingServer, tmp_path: Path, controller: SessionController
) -> None:
    before = {t for t in threading.enumerate() if not t.daemon}
    factory = _factory(server, tmp_path)
    for _ in range(50):
        with qtbot.waitSignal(
            controller.stateChanged,
            timeout=10_000,
            check_params_cb=lambda s, _d: s is SessionState.LIVE,
        ):
            controller.start(factory)
        with qtbot.waitSignal(controller.runningChanged, timeout=10_000):
            controller.stop()
        assert controller.wait(5000)
    assert len(server.sessions()) == 50
    assert all("Terminate" in r.control_types() for r in server.sessions())
    # No session thread, SDK thread or closer thread is left behind by any of the 50 cycles.
    qtbot.waitUntil(lambda: not running_worker_threads(), timeout=5000)
    qtbot.waitUntil(
        lambda: {t for t in threading.enumerate() if not t.daemon} <= before, timeout=5000
    )


def test_a_finished_session_frees_its_worker_without_the_cyclic_collector(
    qtbot: QtBot, server: StreamingServer, tmp_path: Path, controller: SessionController
) -> None:
    """The worker (a QObject) must not sit in a reference cycle: the cyclic collector runs on
    whichever thread allocates, and deleting the worker there while the GUI thread deletes its
    QThread crashed the process (1 run in 10). Freed by reference counting, it dies on the GUI
    thread as the reaper lets go of it."""
    gc.disable()
    try:
        with qtbot.waitSignal(
            controller.stateChanged,
            timeout=10_000,
            check_params_cb=lambda s, _d: s is SessionState.LIVE,
        ):
            controller.start(_factory(server, tmp_path))
        worker = weakref.ref(controller._worker)
        with qtbot.waitSignal(controller.runningChanged, timeout=10_000):
            controller.stop()
        qtbot.waitUntil(lambda: worker() is None, timeout=5000)
    finally:
        gc.enable()
