"""Translated captions in real windows under Xvfb: the local service answers each finished
Spanish turn's LLM Gateway request late and out of order, and each translation lands under its
own turn in the transcript, in the overlay, and in an exported SRT; the original lines are shown
before their translations arrive. Universal-3 Pro's SpeechStarted lights "Speaking" first."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from caption_app.cli import build_parser
from caption_app.core.model.turns import TurnUpdate, UpdateKind
from caption_app.ui import prompts
from caption_app.ui.app import CaptionApp
from caption_app.ui.transcript.view import LINE_SEPARATOR
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.script import script_from_sentences
from tests.streaming_server.server import StreamingServer
from tests.support.home import private_home
from tests.support.paths import AUDIO_DIR

pytestmark = [pytest.mark.x11, pytest.mark.timeout(120)]
CLIP = "librivox-austen-0870.wav"
SPANISH = ["Hola a todos.", "Gracias.", "Empezamos ya."]
ENGLISH = ["Hello everyone.", "Thank you.", "Let's begin now."]


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as server:
        spoken = script_from_sentences(
            [s.lower().strip(".") for s in SPANISH],
            word_ms=280,
            gap_ms=20,
            turn_gap_ms=1300,
            start_ms=200,
        )
        server.config.script = tuple(
            dataclasses.replace(turn, language_code="es", translation=english)
            for turn, english in zip(spoken, ENGLISH, strict=True)
        )
        # Turn 0's translation takes 4.5 s, turn 1's 0.1 s: turn 1's lands first, after turn 2's
        # original is already on screen.
        server.config.llm_gateway_delays_ms = (4500, 100, 100)
        yield server


@pytest.fixture
def app(
    server: StreamingServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> Iterator[CaptionApp]:
    private_home(tmp_path, monkeypatch, "test-key")
    settings = QSettings(str(tmp_path / "home" / "settings.ini"), QSettings.Format.IniFormat)
    source = ["--api-host", server.url, "--source", str(AUDIO_DIR / CLIP)]
    languages = ["--engine", "assemblyai", "--language", "es", "--translate"]
    args = build_parser().parse_args([*source, *languages])
    app = CaptionApp(args, settings)
    app.overlay.set_style(dataclasses.replace(app.settings.overlay, lines=6))
    app.show()
    qtbot.waitExposed(app.overlay)
    yield app
    app.shutdown()
    app.window.close()
    app.overlay.close()


def test_each_late_translation_lands_under_its_own_turn_everywhere(
    qtbot: QtBot,
    app: CaptionApp,
    server: StreamingServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, int, bool]] = []
    speaking: list[bool] = []

    def updated(update: TurnUpdate) -> None:
        if update.kind in (UpdateKind.FINISHED, UpdateKind.TRANSLATED):
            seen.append((update.kind.value, update.turn.order, update.turn.translation is None))

    app.controller.turnUpdated.connect(updated)
    app.controller.speechStarted.connect(lambda: speaking.append(app.overlay.speaking()))
    app.start()
    qtbot.waitUntil(lambda: not app.controller.running, timeout=60_000)

    assert server.session(0).params.speech_model == "universal-3-6-pro"
    assert speaking and all(speaking)  # lit by SpeechStarted, before that turn's words
    # Every original first, untranslated; the translations after, out of order.
    assert seen.index(("finished", 0, True)) < seen.index(("translated", 0, False))
    translated = [order for kind, order, _ in seen if kind == "translated"]
    assert translated.index(1) < translated.index(0), seen
    assert seen.index(("finished", 2, True)) < seen.index(("translated", 0, False))

    # The transcript: each translation inside its own turn's block, under the original.
    document = app.window.transcript.editor.document()
    blocks = [document.findBlockByNumber(n).text() for n in range(document.blockCount())]
    turns = [b for b in blocks if "Hola" in b or "Gracias" in b or "Empezamos" in b]
    assert len(turns) == 3
    for block, spanish, english in zip(turns, SPANISH, ENGLISH, strict=True):
        original, under = block.split(LINE_SEPARATOR)
        assert original.endswith(f"[es] {spanish}") and under == f"[en] {english}"

    # The overlay: the last turns as drawn, each translation on its own row under its line.
    rows = app.overlay.rendered_lines()  # (a status line may follow: the recording ended)
    last = rows.index(SPANISH[2])
    assert rows[last - 2 : last + 2] == [SPANISH[1], ENGLISH[1], SPANISH[2], ENGLISH[2]], rows
    small = [line for line in app.overlay.rendered_runs() if all(run.small for run in line)]
    assert [" ".join(run.text for run in line) for line in small][-1] == ENGLISH[2]

    # An exported SRT: each cue holds its turn's original with its translation under it.
    target = tmp_path / "meeting.srt"
    monkeypatch.setattr(prompts, "ask_export_path", lambda _parent, _suggested: str(target))
    app.export()
    cues = re.split(r"\n\n", target.read_text().strip())
    texts = ["\n".join(cue.splitlines()[2:]) for cue in cues]
    assert texts == [f"{s}\n{e}" for s, e in zip(SPANISH, ENGLISH, strict=True)], texts
