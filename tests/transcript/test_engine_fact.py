"""The export's Engine line names this computer's part of a session (third walk A12: a
session captioned partly on this computer was headed with the cloud's name alone)."""

from __future__ import annotations

import dataclasses

from caption_app.core.model.gaps import (
    Gap,
    GapReason,
    Marker,
    cloud_marker,
    input_marker,
    standing_in_marker,
)
from caption_app.core.transcript.export import export_document
from caption_app.core.transcript.export.common import header_facts
from caption_app.core.transcript.model import TranscriptDocument
from tests.transcript.builders import make_info, make_turn

CLOUD = "AssemblyAI Universal-Streaming"


def _doc(*markers: Marker | Gap, length_ms: int = 70_000) -> TranscriptDocument:
    turns = (make_turn(0, 0, "first words", 1000), make_turn(0, 1, "last words", 60_000))
    info = dataclasses.replace(make_info(), engine=CLOUD)
    return TranscriptDocument(info, (*turns, *markers), captioned_ms=length_ms)


def _engine(doc: TranscriptDocument) -> str:
    return dict(header_facts(doc))["Engine"]


def test_a_session_on_the_cloud_alone_names_the_cloud() -> None:
    assert _engine(_doc()) == CLOUD


def test_the_stretches_on_this_computer_are_counted() -> None:
    doc = _doc(
        Marker(10_000, standing_in_marker(CLOUD, key_rejected=False)),
        Marker(34_000, cloud_marker(CLOUD, back=True)),
        Marker(50_000, standing_in_marker(CLOUD, key_rejected=False)),
        Marker(56_000, cloud_marker(CLOUD, back=True)),
    )
    assert _engine(doc) == f"{CLOUD}, and on this computer for 30 s"
    for fmt in ("txt", "md"):
        assert "on this computer for 30 s" in export_document(doc, fmt)


def test_a_session_here_from_start_to_end_says_so() -> None:
    doc = _doc(Marker(0, standing_in_marker(CLOUD, key_rejected=True)))
    assert _engine(doc) == f"on this computer, in place of {CLOUD}"


def test_a_pause_while_this_computer_stood_in_is_not_counted() -> None:
    """Fifth walk W3: 40 s paused while the local engine stood in was counted as time
    captioned on this computer."""
    doc = _doc(
        Marker(10_000, standing_in_marker(CLOUD, key_rejected=False)),
        Gap(12_000, 52_000, GapReason.PAUSE),
        Marker(60_000, cloud_marker(CLOUD, back=True)),
    )
    assert _engine(doc) == f"{CLOUD}, and on this computer for 10 s"


def test_a_change_of_input_while_this_computer_stood_in_does_not_end_its_stretch() -> None:
    """The seventh walk: a change of input is now a marker row; it is not a change of engine."""
    doc = _doc(
        Marker(10_000, standing_in_marker(CLOUD, key_rejected=False)),
        Marker(20_000, input_marker("USB Microphone")),
        Marker(40_000, cloud_marker(CLOUD, back=True)),
    )
    assert _engine(doc) == f"{CLOUD}, and on this computer for 30 s"
