"""The settings schema: defaults, validation, and junk from a damaged store."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caption_app.core.settings import (
    AppSettings,
    FailoverSettings,
    OverlayStyle,
    SettingsError,
    StreamingSettings,
    from_plain,
    parse_keyterms,
    to_plain,
)


def test_defaults_are_valid_and_documented_values() -> None:
    s = StreamingSettings().validate()
    assert (s.end_of_turn_confidence_threshold, s.min_turn_silence_ms, s.max_turn_silence_ms) == (
        0.4,
        400,
        1280,
    )
    assert s.format_turns and s.speech_model == "universal-streaming-english"
    assert s.chunk_ms == 50
    OverlayStyle().validate()


@pytest.mark.parametrize(
    "change",
    [
        {"keyterms": tuple(f"t{i}" for i in range(101))},
        {"keyterms": ("x" * 51,)},
        {"keyterms": ("  ",)},
        {"end_of_turn_confidence_threshold": 1.5},
        {"min_turn_silence_ms": 900, "max_turn_silence_ms": 800},
        {"speech_model": "nope"},
        {"api_host": "https://example.com"},
        {"api_host": "ws://127.0.0.1:1/"},
        {"chunk_ms": 20},
        {"chunk_ms": 250},
        {"token_url": "ftp://x"},
    ],
)
def test_bad_streaming_settings_are_refused_with_a_reason(change: dict[str, object]) -> None:
    with pytest.raises(SettingsError) as info:
        dataclasses.replace(StreamingSettings(), **change).validate()  # type: ignore[arg-type]
    assert str(info.value)


def test_hosts_that_are_allowed() -> None:
    for host in ("streaming.assemblyai.com", "streaming.eu.assemblyai.com", "ws://127.0.0.1:8765"):
        dataclasses.replace(StreamingSettings(), api_host=host).validate()


def test_keyterms_parse_from_lines_and_commas() -> None:
    assert parse_keyterms("AssemblyAI, Sonny Bono\n\n  Kubernetes ") == (
        "AssemblyAI",
        "Sonny Bono",
        "Kubernetes",
    )


def test_plain_round_trip() -> None:
    settings = AppSettings(
        streaming=StreamingSettings(keyterms=("a", "b"), speaker_labels=True),
        overlay=OverlayStyle(lines=4, text_color="#ffff00"),
        input_device_id="ALSA:pulse",
        retention_days=30,
    )
    loaded, problems = from_plain(to_plain(settings))
    assert loaded == settings and problems == []


def test_strings_from_a_store_are_coerced() -> None:
    loaded, problems = from_plain(
        {"streaming/format_turns": "false", "overlay/lines": "3", "streaming/keyterms": "a,b"}
    )
    assert not loaded.streaming.format_turns
    assert loaded.overlay.lines == 3 and loaded.streaming.keyterms == ("a", "b")
    assert problems == []


def test_junk_values_fall_back_to_defaults_and_are_reported() -> None:
    loaded, problems = from_plain(
        {
            "overlay/font_size_pt": "banana",
            "streaming/end_of_turn_confidence_threshold": 7,
            "streaming/format_turns": "perhaps",
            "history/retention_days": -3,
        }
    )
    assert loaded.overlay.font_size_pt == OverlayStyle().font_size_pt
    assert loaded.streaming == StreamingSettings(format_turns=True)
    assert loaded.retention_days == 0
    assert len(problems) == 4


@given(st.dictionaries(st.sampled_from(sorted(to_plain(AppSettings()))), st.text(max_size=8)))
def test_no_store_content_can_break_loading(values: dict[str, str]) -> None:
    loaded, _problems = from_plain(values)
    loaded.streaming.validate()
    loaded.overlay.validate()


def test_one_bad_value_does_not_reset_its_neighbours() -> None:
    loaded, problems = from_plain(
        {
            "streaming/keyterms": "\n".join(f"term{i}" for i in range(101)),  # one too many
            "streaming/token_url": "https://tokens.example.org/v3/token",
            "streaming/speech_model": "u3-rt-pro",
            "history/retention_days": 1_000_000,
            "overlay/font_size_pt": float("inf"),
        }
    )
    assert loaded.streaming.keyterms == ()
    assert loaded.streaming.token_url == "https://tokens.example.org/v3/token"
    assert loaded.streaming.speech_model == "u3-rt-pro"
    assert loaded.retention_days == 0
    assert loaded.overlay.font_size_pt == OverlayStyle().font_size_pt
    assert len(problems) == 3
    assert any("streaming/keyterms" in p for p in problems)


def test_the_failover_settings_round_trip_and_junk_falls_back() -> None:
    chosen = AppSettings(failover=FailoverSettings(after_s=8.0, return_to_cloud=False))
    again, problems = from_plain(to_plain(chosen))
    assert again.failover == chosen.failover and problems == []
    plain = {**to_plain(chosen), "failover/after_s": "0", "failover/probe_every_s": "soon"}
    junk, problems = from_plain(plain)
    assert junk.failover.after_s == FailoverSettings().after_s
    assert junk.failover.return_to_cloud is False  # the good value is kept
    assert len(problems) == 2


@pytest.mark.parametrize("host", ["[", "wss://[", "ws://host:99999", "notaurl", "a/b"])
def test_an_api_host_no_url_parser_accepts_is_a_settings_error(host: str) -> None:
    from caption_app.core.settings import SettingsError, validate_api_host

    with pytest.raises(SettingsError):
        validate_api_host(host)
