"""The overlay with translations and Universal-3 Pro's sparse partials, through the real widget
and the real assembler: a late translation goes under its own line in smaller type (or takes
its place), the language tag says what is shown, and "Speaking" is lit from SpeechStarted until
the turn ends, so minutes without partials do not look like silence."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from caption_app.core.model.session import SessionState
from caption_app.core.model.status import SessionStatus
from caption_app.core.model.turns import Translation, TurnUpdate, UpdateKind
from caption_app.core.settings import OverlayStyle
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.ui.overlay.window import CaptionOverlay
from tests.support.turn_messages import turn_message

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")


@pytest.fixture
def overlay(qtbot: QtBot) -> Iterator[CaptionOverlay]:
    widget = CaptionOverlay()
    qtbot.addWidget(widget)
    widget.set_style(dataclasses.replace(OverlayStyle(), lines=4, font_size_pt=20))
    widget.resize(900, widget.height())
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def feed(overlay: CaptionOverlay, updates: list[TurnUpdate]) -> None:
    for update in updates:
        overlay.apply_update(update)


def spanish(asm: TurnAssembler, order: int, words: list[str]) -> list[TurnUpdate]:
    message = turn_message(order, words, len(words), eot=True, formatted=True)
    return asm.apply(0, dataclasses.replace(message, language_code="es"))


def test_a_late_translation_goes_under_its_own_line_smaller(overlay: CaptionOverlay) -> None:
    asm = TurnAssembler()
    asm.begin_stream(0, 0)
    feed(overlay, spanish(asm, 0, ["Hola", "a", "todos."]))
    feed(overlay, spanish(asm, 1, ["Gracias."]))
    assert overlay.rendered_lines() == ["Hola a todos. Gracias."]
    assert overlay.language_tag() == "ES"
    feed(overlay, asm.translate(0, 1, Translation("Thank you.", "en")))
    feed(overlay, asm.translate(0, 0, Translation("Hello everyone.", "en")))
    assert overlay.rendered_lines() == [
        "Hola a todos.",
        "Hello everyone.",
        "Gracias.",
        "Thank you.",
    ]
    small = [all(run.small for run in line) for line in overlay.rendered_runs()]
    assert small == [False, True, False, True]
    overlay.set_captions("translation")
    assert overlay.rendered_lines() == ["Hello everyone. Thank you."]
    feed(overlay, spanish(asm, 2, ["Adiós."]))
    assert overlay.language_tag() == "ES"  # no translation yet: the original is shown
    feed(overlay, asm.translate(0, 2, Translation("Goodbye.", "en")))
    assert overlay.language_tag() == "ES→EN"
    assert overlay.rendered_lines() == ["Hello everyone. Thank you. Goodbye."]


def test_speaking_is_lit_from_speech_started_until_the_turn_ends(
    overlay: CaptionOverlay,
) -> None:
    asm = TurnAssembler()
    asm.begin_stream(0, 0)
    overlay.show_status(SessionStatus(running=True, state=SessionState.LIVE))
    overlay.show_speech_started()
    assert overlay.speaking()
    partial = turn_message(0, ["my", "name", "is—"], 0)  # a U3 Pro partial: all non-final
    feed(overlay, asm.apply(0, partial))
    assert overlay.speaking()  # words came; more are on their way until the turn ends
    finished = turn_message(0, ["My", "name", "is", "Sonny."], 4, eot=True, formatted=True)
    feed(overlay, asm.apply(0, finished))
    assert not overlay.speaking()
    assert [u.kind for u in asm.translate(0, 0, Translation("x", "en"))] == [UpdateKind.TRANSLATED]
    overlay.show_speech_started()
    overlay.show_status(SessionStatus(running=True, state=SessionState.RECONNECTING))
    assert not overlay.speaking()  # a lost connection hears nobody
