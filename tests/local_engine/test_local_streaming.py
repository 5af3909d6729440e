"""The local engine through the live session, on real speech at real-time pace: accuracy, the
live → formatted swap, final words that never change, and the same shape as the cloud's."""

from __future__ import annotations

from pathlib import Path

import jiwer
import pytest

from caption_app.core.engines.local.agreement import MAX_WORDS_BEFORE
from caption_app.core.engines.local.decoder import normalized
from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind
from caption_app.core.transcript.journal import read_journal
from tests.local_engine.noise import no_speech_minute
from tests.local_engine.speech import (
    Recording,
    TimedCollector,
    finished_text,
    joined_clips,
    normalise,
    stream_locally,
    write_wav,
)
from tests.streaming.harness import build, run_to_end
from tests.streaming_server.clips import load_clip
from tests.streaming_server.server import StreamingServer
from tests.support.paths import AUDIO_DIR

WER_BOUND = 0.08
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def streamed(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Recording, TimedCollector, Path]:
    folder = tmp_path_factory.mktemp("local-speech")
    recording = joined_clips(folder)
    collector, summary = stream_locally(recording.path, folder)
    assert summary.failed is None, summary.failed
    assert collector.summary is summary
    return recording, collector, folder


def test_the_shared_clips_are_captioned_within_the_error_bound(
    streamed: tuple[Recording, TimedCollector, Path],
) -> None:
    recording, collector, _ = streamed
    turns = collector.finished_turns()
    error = jiwer.wer(normalise(recording.reference), normalise(finished_text(turns)))
    assert error <= WER_BOUND, (error, finished_text(turns))
    assert len(turns) >= len(recording.speech_ends_ms) - 1  # about one turn per clip
    capitalised = [t.text for t in turns.values() if t.text[0].isupper()]
    assert len(capitalised) >= len(turns) - 1, [t.text for t in turns.values()]


def test_a_final_word_never_changes(streamed: tuple[Recording, TimedCollector, Path]) -> None:
    _, collector, _ = streamed
    final_so_far: dict[tuple[int, int], list[str]] = {}
    finals_seen = 0
    for update in collector.updates:
        words = [normalized(w.text) for w in update.turn.words]
        promised = final_so_far.get(update.turn.key, [])
        # The turn's end may add an opening word or two the live readings lost ("And" before
        # the promised "Mr. John"): the promised words follow them unchanged.
        added = MAX_WORDS_BEFORE if update.kind is UpdateKind.FINISHED else 0
        assert any(
            words[before : before + len(promised)] == promised for before in range(added + 1)
        ), (update.turn.key, promised, words)
        finals = [normalized(w.text) for w in update.turn.words if w.is_final]
        if update.kind is UpdateKind.LIVE:
            finals_seen += len(finals)
            final_so_far[update.turn.key] = max(promised, finals, key=len)
    assert finals_seen > 0, "no partial ever had a final word: agreement never ran"


def test_live_words_come_first_then_the_formatted_swap(
    streamed: tuple[Recording, TimedCollector, Path],
) -> None:
    recording, collector, folder = streamed
    by_turn: dict[tuple[int, int], list[TurnUpdate]] = {}
    for update in collector.updates:
        by_turn.setdefault(update.turn.key, []).append(update)
    for key, updates in by_turn.items():
        *live, last = updates
        assert live, f"turn {key} was never shown live"
        assert all(u.kind is UpdateKind.LIVE and not u.turn.formatted for u in live)
        assert last.kind is UpdateKind.FINISHED and last.turn.formatted
        assert last.turn.text[-1] in ".?!", last.turn.text  # Whisper's punctuated text
        assert all(w.is_final for w in last.turn.words)
    # Word times are on the session's audio clock and in order.
    starts = [w.start_ms for t in collector.finished_turns().values() for w in t.words]
    assert starts == sorted(starts)
    assert starts[0] >= 0 and starts[-1] < recording.speech_ends_ms[-1]
    # Began and Terminated came through like the cloud's: the engine, the audio it heard.
    assert collector.began and collector.summary is not None
    assert collector.summary.audio_s == pytest.approx(_length_s(recording.path), abs=0.1)
    # The journal records the engine, and every finished turn.
    journal = read_journal(next(folder.glob("*.jsonl"))).document
    assert journal.info.engine == "Whisper tiny.en on this computer"
    assert [t.text for t in journal.turns] == [t.text for t in collector.finished_turns().values()]


def test_the_same_shape_as_the_cloud_engine(
    streaming_server: StreamingServer, tmp_path: Path
) -> None:
    clip = "librivox-austen-0870.wav"
    streaming_server.config.script = load_clip(clip).script(turns=1)
    built, cloud = build(streaming_server.url, clip, tmp_path / "cloud")
    assert run_to_end(built).failed is None
    local, summary = stream_locally(AUDIO_DIR / clip, tmp_path)
    assert summary.failed is None
    assert _shape(local.updates) == _shape(cloud.updates)


def test_a_minute_without_speech_captions_at_most_two_words(tmp_path: Path) -> None:
    media = write_wav(tmp_path / "no-speech.wav", no_speech_minute())
    collector, summary = stream_locally(media, tmp_path)
    assert summary.failed is None and summary.audio_s == pytest.approx(60, abs=0.2)
    words = [w for t in collector.finished_turns().values() for w in t.text.split()]
    assert len(words) <= 2, words


def _shape(updates: list[TurnUpdate]) -> list[tuple[object, ...]]:
    """What a listener can rely on, engine aside: per turn, live updates, then one formatted
    finish with every word final. (Live text is formatted inline by today's cloud and is the
    plain live words on this computer: both are drawn the same way.)"""
    shape: list[tuple[object, ...]] = []
    for update in updates:
        turn: Turn = update.turn
        finals = sum(w.is_final for w in turn.words)
        entry = (
            turn.key,
            update.kind,
            turn.formatted if turn.finished else None,
            turn.finished,
            finals == len(turn.words) if turn.finished else _finals_lead(turn),
        )
        if not shape or shape[-1] != entry:
            shape.append(entry)
    return shape


def _finals_lead(turn: Turn) -> bool:
    """Final words come first: no word after a live one is final (a promise both engines
    keep, which the overlay's dimmed live tail relies on)."""
    flags = [w.is_final for w in turn.words]
    return flags == sorted(flags, reverse=True)


def _length_s(path: Path) -> float:
    import wave

    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
