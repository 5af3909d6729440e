"""The fake service's LLM Gateway translations, driven by the real assemblyai 1.8.2 SDK: one
LLMGatewayResponse per final turn, its text at ``data.choices[0].message.content``, arriving
after the Turn it translates and, for consecutive turns, out of order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from assemblyai.streaming.v3 import (
    Encoding,
    SpeechModel,
    StreamingClient,
    StreamingClientOptions,
    StreamingParameters,
)
from assemblyai.streaming.v3.models import LLMGatewayConfig, LLMGatewayMessage

from tests.streaming_server import StreamingServer, script_from_sentences
from tests.streaming_server.clips import chunks, load_clip, paced
from tests.streaming_server.fixtures import TEST_API_KEY, running_server
from tests.streaming_server.sdk_events import EventLog

CHUNK_MS = 50
CLIP = load_clip("librivox-austen-0880.wav")
PROMPT = "Translate the following text into English.\n\nText: {{turn}}"


@pytest.fixture
def server() -> Iterator[StreamingServer]:
    with running_server() as started:
        spanish = script_from_sentences(
            ["hola a todos", "gracias", "buenos días"],
            word_ms=250,
            gap_ms=20,
            turn_gap_ms=600,
            start_ms=100,
        )
        english = ["Hello everyone.", "Thank you.", "Good morning."]
        started.config.script = tuple(
            replace(turn, language_code="es", translation=text)
            for turn, text in zip(spanish, english, strict=True)
        )
        yield started


def gateway() -> LLMGatewayConfig:
    return LLMGatewayConfig(
        model="gemini-2.5-flash-lite",
        messages=[LLMGatewayMessage(role="user", content=PROMPT)],
        max_tokens=1000,
    )


def run(server: StreamingServer, model: SpeechModel, audio_ms: int) -> EventLog:
    log = EventLog()
    client = StreamingClient(StreamingClientOptions(api_key=TEST_API_KEY, api_host=server.url))
    log.attach(client)
    try:
        client.connect(
            StreamingParameters(  # type: ignore[call-arg]
                sample_rate=16000,
                encoding=Encoding.pcm_s16le,
                speech_model=model,
                llm_gateway=gateway(),
                language_detection=True,
                max_turn_silence=300,
            )
        )
        pcm = CLIP.pcm[: CLIP.sample_rate * 2 * audio_ms // 1000]
        client.stream(paced(chunks(pcm, CLIP.sample_rate, CHUNK_MS), CHUNK_MS))
        client.disconnect(terminate=True)
    finally:
        client.disconnect()
    return log


def test_each_final_turn_gets_its_translation_after_it_and_out_of_order(
    server: StreamingServer,
) -> None:
    server.config.llm_gateway_delays_ms = (1500, 50)  # turn 1's answer overtakes turn 0's
    log = run(server, SpeechModel.universal_3_6_pro, 4200)

    responses = log.of("LLMGatewayResponse")
    finals = [t for t in log.of("Turn") if t.end_of_turn]
    assert [t.transcript for t in finals] == ["Hola a todos.", "Gracias.", "Buenos días."]
    by_order = {r.turn_order: r for r in responses}
    assert {o: r.data["choices"][0]["message"]["content"] for o, r in by_order.items()} == {
        0: "Hello everyone.",
        1: "Thank you.",
        2: "Good morning.",
    }
    assert [r.transcript for r in sorted(responses, key=lambda r: r.turn_order)] == [
        t.transcript for t in finals
    ]
    assert [r.turn_order for r in responses][:2] == [1, 0]  # out of order, as the docs warn
    entries = log.entries()
    for order in range(3):  # never before the Turn it translates: it never holds one up
        final_at = next(
            i
            for i, (name, turn) in enumerate(entries)
            if name == "Turn" and turn.end_of_turn and turn.turn_order == order
        )
        response_at = next(
            i
            for i, (name, response) in enumerate(entries)
            if name == "LLMGatewayResponse" and response.turn_order == order
        )
        assert final_at < response_at
    names = log.names()
    assert names[-1] == "Termination"
    config = json.loads(str(server.session().query["llm_gateway"]))
    assert config["messages"][0]["content"] == PROMPT


def test_no_translation_on_a_model_the_gateway_does_not_serve(server: StreamingServer) -> None:
    log = run(server, SpeechModel.universal_streaming_multilingual, 2500)
    assert log.of("Turn") and not log.of("LLMGatewayResponse")
