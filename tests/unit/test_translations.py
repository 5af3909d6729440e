"""Translations in the core: tied to their turn by (stream, turn_order) however late or out of
order they come, kept through the legacy formatted swap, in the journal and every export; and
the cloud plan that says which model a language or translation needs, and what it costs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from caption_app.core.languages import cloud_plan
from caption_app.core.model.turns import (
    Translation,
    TurnUpdate,
    UpdateKind,
    line_tag,
    shown_text,
)
from caption_app.core.settings import AppSettings, SettingsError, StreamingSettings, from_plain
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.core.transcript.export import ExportOptions, export_document, load_json_export
from caption_app.core.transcript.journal import read_journal
from caption_app.core.transcript.recorder import TranscriptRecorder
from tests.support.turn_messages import turn_message
from tests.transcript.builders import make_info, make_turn

HELLO = Translation("Hello everyone.", "en")
THANKS = Translation("Thank you very much.", "en")


def finished_turns(asm: TurnAssembler, *sentences: str) -> None:
    for order, sentence in enumerate(sentences):
        words = sentence.split()
        asm.apply(0, turn_message(order, words, len(words), eot=True, start_ms=order * 3000))


def test_a_late_translation_lands_on_its_own_turn_even_out_of_order() -> None:
    asm = TurnAssembler()
    asm.begin_stream(0, 0)
    finished_turns(asm, "Hola a todos.", "Muchas gracias.", "Buenos días.")
    second = asm.translate(0, 1, THANKS)  # turn 1's answer overtakes turn 0's
    first = asm.translate(0, 0, HELLO)
    assert [(u.kind, u.turn.order, u.turn.translation) for u in second + first] == [
        (UpdateKind.TRANSLATED, 1, THANKS),
        (UpdateKind.TRANSLATED, 0, HELLO),
    ]
    assert first[0].turn.text == "Hola a todos."  # the original is untouched
    assert asm.translate(0, 0, HELLO) == []  # a repeat changes nothing


def test_a_translation_before_its_turn_ends_waits_for_it_and_the_formatted_swap_keeps_it() -> None:
    asm = TurnAssembler()
    asm.begin_stream(0, 0)
    asm.apply(0, turn_message(0, ["hola", "a"], 1))
    assert asm.translate(0, 0, HELLO) == []
    (done,) = asm.apply(0, turn_message(0, ["hola", "a", "todos"], 3, eot=True))
    assert done.kind is UpdateKind.FINISHED and done.turn.translation == HELLO
    formatted = turn_message(
        0, ["Hola", "a", "todos."], 3, eot=True, formatted=True, transcript="Hola a todos."
    )
    (swapped,) = asm.apply(0, formatted)
    assert swapped.kind is UpdateKind.REPLACED and swapped.turn.translation == HELLO


def test_a_translation_for_a_forgotten_stream_is_dropped() -> None:
    asm = TurnAssembler()
    asm.begin_stream(0, 0)
    finished_turns(asm, "Hola.")
    asm.forget_stream(0)
    assert asm.translate(0, 0, HELLO) == []


def test_what_a_reader_sees_of_a_translated_turn() -> None:
    turn = dataclasses.replace(
        make_turn(0, 0, "Hola a todos.", 0, language="es"), translation=HELLO
    )
    assert shown_text(turn, "both").main == "Hola a todos."
    assert shown_text(turn, "both").under == "Hello everyone."
    assert shown_text(turn, "translation").main == "Hello everyone."
    assert shown_text(turn, "original").under == ""
    assert (line_tag(turn, "both"), line_tag(turn, "translation")) == ("es", "es→en")
    untranslated = make_turn(0, 1, "Gracias.", 0, language="es")
    assert shown_text(untranslated, "translation").main == "Gracias."  # meanwhile: the original
    only = dataclasses.replace(untranslated, text="", translation=THANKS)  # translate task alone
    assert shown_text(only, "original").main == "Thank you very much."


def translated_doc(tmp_path: Path) -> TranscriptRecorder:
    recorder = TranscriptRecorder(tmp_path, make_info(title="Reunión"))
    recorder.begin_stream(0, "s0", 0)
    spanish = make_turn(0, 0, "Hola a todos.", 1_000, language="es")
    recorder.apply(TurnUpdate(UpdateKind.FINISHED, spanish))
    recorder.apply(TurnUpdate(UpdateKind.FINISHED, make_turn(0, 1, "Muchas gracias.", 4_000)))
    later = make_turn(0, 1, "Muchas gracias.", 4_000, language="es")
    recorder.apply(
        TurnUpdate(UpdateKind.TRANSLATED, dataclasses.replace(later, translation=THANKS))
    )
    recorder.apply(
        TurnUpdate(UpdateKind.TRANSLATED, dataclasses.replace(spanish, translation=HELLO))
    )
    return recorder


def test_translations_are_journaled_and_read_back_in_place(tmp_path: Path) -> None:
    recorder = translated_doc(tmp_path)
    recorder.close()
    doc = read_journal(recorder.path).document
    assert [(t.text, t.language, t.translation) for t in doc.turns] == [
        ("Hola a todos.", "es", HELLO),
        ("Muchas gracias.", "es", THANKS),
    ]


def test_every_export_carries_the_language_and_the_translation(tmp_path: Path) -> None:
    doc = translated_doc(tmp_path).close()
    txt = export_document(doc, "txt")
    assert "[es] Hola a todos.\n    [en] Hello everyone." in txt
    md = export_document(doc, "md")
    assert "**[es]** Hola a todos.  \n*[en] Hello everyone.*" in md
    srt = export_document(doc, "srt")
    assert "Hola a todos.\nHello everyone.\n" in srt  # under its own line, in its own cue
    assert "Muchas gracias.\nThank you very much.\n" in srt
    only = export_document(doc, "srt", ExportOptions(captions="translation"))
    assert "Hola" not in only and "Hello everyone." in only and "Thank you very much." in only
    original = export_document(doc, "vtt", ExportOptions(captions="original"))
    assert "Hello" not in original and "Hola a todos." in original
    data = json.loads(export_document(doc, "json"))
    turns = [e for e in data["entries"] if e["type"] == "turn"]
    assert [(t["language"], t["translation"]) for t in turns] == [
        ("es", {"text": "Hello everyone.", "language": "en"}),
        ("es", {"text": "Thank you very much.", "language": "en"}),
    ]
    (tmp_path / "out.json").write_text(export_document(doc, "json"))
    assert [t.translation for t in load_json_export(tmp_path / "out.json").turns] == [HELLO, THANKS]


def test_the_cloud_plan_names_the_model_and_the_cost_before_start() -> None:
    english = cloud_plan("universal-streaming-english", "en", "")
    assert (english.model, english.detect_language, english.language_codes) == (
        "universal-streaming-english",
        False,
        (),
    )
    spanish = cloud_plan("universal-streaming-english", "es", "")
    assert spanish.model == "universal-streaming-multilingual"
    assert spanish.language_codes == ("es",) and spanish.detect_language
    assert "captions English only" in spanish.note and "$0.15" in spanish.note
    japanese = cloud_plan("universal-streaming-english", "ja", "")
    assert japanese.model == "universal-3-6-pro"
    translated = cloud_plan("universal-streaming-multilingual", "auto", "fr")
    assert translated.model == "universal-3-6-pro" and translated.translate_to == "fr"
    assert "about $0.45" in translated.note and "French" in translated.note
    assert "LLM Gateway" in translated.note and "per token" in translated.note
    kept = cloud_plan("universal-3-5-pro", "de", "en")
    assert kept.model == "universal-3-5-pro"


def test_language_settings_are_checked_and_the_old_detection_switch_means_auto() -> None:
    with pytest.raises(SettingsError, match="Unknown language"):
        StreamingSettings(language="xx").validate()
    with pytest.raises(SettingsError, match="nothing to translate"):
        StreamingSettings(language="es", translate_to="es").validate()
    settings, problems = from_plain({"streaming/language_detection": "true"})
    assert settings.streaming.language == "auto" and problems == []
    assert AppSettings().streaming.language == "en"  # English (tiny.en) on a fresh machine
