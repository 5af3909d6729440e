"""Microphone + system audio: the mix, the You / Others attribution, and a session that uses it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from caption_app.core.audio.devices import (
    InputDevice,
    MixedInput,
    default_system_audio,
    resolve_mixed,
)
from caption_app.core.audio.levels import levels
from caption_app.core.audio.media import open_media_source
from caption_app.core.audio.mixed import (
    DRIFT_WINDOW_CHUNKS,
    MAX_SYSTEM_BACKLOG,
    OTHERS,
    YOU,
    MixedSource,
)
from caption_app.core.audio.source import AudioChunk, AudioSourceError, EndOfStream
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import SourceChoice, build_live_session, open_source
from caption_app.core.transcript.journal import read_journal
from tests.audio.rig import PulseRig, read_wav, write_wav
from tests.audio.test_capture import capture_playback
from tests.streaming.harness import FAST, Collector, Running, key_auth, run_to_end
from tests.streaming_server.fixtures import running_server
from tests.streaming_server.script import turn_from_text

CHUNK_MS = 50
CHUNK = 16 * CHUNK_MS  # samples


class ListSource:
    """Hands out prepared chunks one per read. With ``clock`` set it never runs ahead of that
    source, like two devices delivering in real time on one clock."""

    def __init__(
        self,
        name: str,
        chunks: list[AudioChunk],
        *,
        end: bool = False,
        clock: ListSource | None = None,
    ) -> None:
        self.description = name
        self._chunks = list(chunks)
        self._end = end
        self._clock = clock
        self.handed = 0
        self.fail_after: int | None = None
        self.started = self.stopped = False
        self.fail_start: str | None = None

    @property
    def overflow_count(self) -> int:
        return 0

    @property
    def duration_ms(self) -> int | None:
        return None

    def start(self) -> None:
        if self.fail_start:
            raise AudioSourceError(self.fail_start)
        self.started = True

    def read(self, timeout: float) -> AudioChunk | None:
        if self.fail_after is not None and self.handed >= self.fail_after:
            raise AudioSourceError(f"The input “{self.description}” was disconnected.")
        if self._clock is not None and self.handed >= self._clock.handed:
            return None
        if self._chunks:
            self.handed += 1
            return self._chunks.pop(0)
        if self._end:
            raise EndOfStream
        return None

    def stop(self) -> None:
        self.stopped = True

    def give(self, chunks: list[AudioChunk]) -> None:
        self._chunks.extend(chunks)


def chunked(samples: npt.NDArray[np.int16], start_ms: int = 0) -> list[AudioChunk]:
    out = []
    for i in range(0, samples.size - CHUNK + 1, CHUNK):
        piece = samples[i : i + CHUNK].astype("<i2")
        rms, peak = levels(piece)
        out.append(AudioChunk(piece.tobytes(), start_ms + i // 16, rms, peak))
    return out


def tone(seconds: float, amplitude: int, hz: float = 220.0) -> npt.NDArray[np.int16]:
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def silence(seconds: float) -> npt.NDArray[np.int16]:
    return np.zeros(int(16_000 * seconds), dtype=np.int16)


def read_all(source: MixedSource, limit: int = 10_000) -> list[AudioChunk]:
    chunks = []
    for _ in range(limit):
        chunk = source.read(0.0)
        if chunk is None:
            break
        chunks.append(chunk)
    return chunks


def test_the_mix_is_the_clipped_sum_on_the_microphone_clock() -> None:
    mic = np.concatenate([tone(0.5, 20_000), silence(0.5)])
    system = np.concatenate([tone(0.5, 20_000, 330.0), tone(0.5, 3_000, 330.0)])
    microphone = ListSource("Mic", chunked(mic, 1000))
    speakers = ListSource("Speakers", chunked(system), clock=microphone)
    source = MixedSource(microphone, speakers, CHUNK_MS)
    source.start()
    chunks = read_all(source)
    assert [c.start_ms for c in chunks] == list(range(1000, 2000, CHUNK_MS))
    mixed = np.frombuffer(b"".join(c.pcm for c in chunks), dtype="<i2")
    expected = np.clip(mic.astype(np.int32) + system, -32768, 32767)
    assert np.array_equal(mixed, expected)
    assert chunks[0].peak_dbfs == pytest.approx(0.0, abs=0.01)  # two loud tones clip
    assert source.description == "Mic + Speakers"
    assert source.overflow_count == 0


def test_words_are_attributed_to_the_side_that_carried_the_speech() -> None:
    mic = np.concatenate([tone(1.0, 8_000), silence(1.0), tone(1.0, 8_000), silence(1.0)])
    system = np.concatenate([silence(1.0), tone(1.0, 8_000), tone(1.0, 8_000), silence(1.0)])
    microphone = ListSource("Mic", chunked(mic))
    source = MixedSource(microphone, ListSource("Out", chunked(system), clock=microphone), 50)
    read_all(source)
    assert source.channel_of(100, 900) == YOU
    assert source.channel_of(1100, 1900) == OTHERS
    assert source.channel_of(2100, 2900) is None  # both at once: nobody clearly
    assert source.channel_of(3100, 3900) is None  # silence
    assert source.channel_of(700, 1100) == YOU  # three quarters on the microphone
    assert source.channel_of(60_000, 61_000) is None  # no audio there (yet)
    # Room tone on the microphone does not out-vote speech from the speakers.
    room = ListSource("Mic", chunked(tone(1.0, 40, 3000.0)))
    hiss = MixedSource(room, ListSource("Out", chunked(tone(1.0, 8_000)), clock=room), CHUNK_MS)
    read_all(hiss)
    assert hiss.channel_of(0, 1000) == OTHERS


def test_a_burst_after_a_stall_mixes_everything_in_step() -> None:
    """A reconnect holds the session thread: both sides queue up, then are read together."""
    mic = tone(1.5, 2_000)
    system = tone(1.5, 2_000, 330.0)
    source = MixedSource(ListSource("Mic", chunked(mic)), ListSource("Out", chunked(system)), 50)
    chunks = read_all(source)  # every chunk of both sides was ready at once
    mixed = np.frombuffer(b"".join(c.pcm for c in chunks), dtype="<i2")
    assert np.array_equal(mixed, mic.astype(np.int32) + system)
    assert source.overflow_count == 0


def test_system_audio_running_ahead_is_trimmed_and_counted() -> None:
    """System audio 10 % fast for 8 s (real clocks differ by ~0.01 %; exaggerated to see it in
    seconds): the backlog stays within what one drift window adds above MAX_SYSTEM_BACKLOG."""
    mic, system = ListSource("Mic", []), ListSource("Out", [])
    source = MixedSource(mic, system, CHUNK_MS)
    mic_chunks, system_chunks = chunked(tone(8.0, 1000)), chunked(tone(8.8, 1000, 330.0))
    depths = []
    for i, chunk in enumerate(mic_chunks):
        mic.give([chunk])
        system.give(system_chunks[i + i // 10 : i + 1 + (i + 1) // 10])
        assert source.read(0.0) is not None
        depths.append(len(source._backlog))
    assert 0 < source.overflow_count <= 16
    grows_per_window = DRIFT_WINDOW_CHUNKS // 10
    assert max(depths) <= MAX_SYSTEM_BACKLOG + 2 * grows_per_window
    assert max(depths[-DRIFT_WINDOW_CHUNKS:]) > MAX_SYSTEM_BACKLOG  # it was really ahead


def test_system_audio_failing_leaves_the_microphone_going_and_says_so() -> None:
    mic = ListSource("Mic", chunked(tone(0.5, 5_000)))
    system = ListSource("Headset", chunked(tone(0.1, 5_000)), clock=mic)
    system.fail_after = 2
    source = MixedSource(mic, system, CHUNK_MS)
    chunks = read_all(source)
    assert len(chunks) == 10  # no microphone chunk lost
    assert system.stopped
    notice = source.take_notice()
    assert notice is not None and "Headset" in notice and "continues from Mic alone" in notice
    assert source.take_notice() is None  # said once


def test_system_audio_that_ends_or_lags_leaves_silence_in_its_place() -> None:
    mic = tone(0.5, 5_000)
    source = MixedSource(
        ListSource("Mic", chunked(mic)), ListSource("Clip", chunked(tone(0.1, 5_000)), end=True), 50
    )
    chunks = read_all(source)
    assert len(chunks) == 10
    tail = np.frombuffer(b"".join(c.pcm for c in chunks[2:]), dtype="<i2")
    assert np.array_equal(tail, mic[2 * CHUNK :])


def test_a_system_side_that_cannot_start_releases_the_microphone() -> None:
    mic, system = ListSource("Mic", []), ListSource("Out", [])
    system.fail_start = "The input “Out” is busy."
    source = MixedSource(mic, system, CHUNK_MS)
    with pytest.raises(AudioSourceError, match="busy"):
        source.start()
    assert mic.started and mic.stopped


def test_the_pair_falls_back_to_defaults_and_says_so() -> None:
    mic = InputDevice("Headset", "PulseAudio", 48_000, 1, is_default=True, key="headset")
    other_mic = InputDevice("Webcam", "PulseAudio", 48_000, 1, key="cam")
    speakers = InputDevice("Speakers", "PulseAudio", 48_000, 2, True, True, "spk.monitor")
    hdmi = InputDevice("HDMI", "PulseAudio", 48_000, 2, False, True, "hdmi.monitor")
    devices = [mic, other_mic, hdmi, speakers]
    assert default_system_audio(devices) == speakers
    pair = resolve_mixed(MixedInput(), devices)
    assert (pair.microphone, pair.system, pair.notice) == (mic, speakers, None)
    chosen = resolve_mixed(MixedInput(other_mic.device_id, hdmi.device_id), devices)
    assert (chosen.microphone, chosen.system, chosen.notice) == (other_mic, hdmi, None)
    saved = MixedInput.parse(chosen.device_id)
    assert saved is not None and resolve_mixed(saved, devices) == chosen
    gone = resolve_mixed(MixedInput("PulseAudio:usb", hdmi.device_id), devices)
    assert (
        gone.microphone == mic
        and gone.notice == "usb was not connected at the start; using Headset."
    )
    follows = resolve_mixed(MixedInput(other_mic.device_id), devices)
    assert (follows.system, follows.notice) == (speakers, None)  # the default output's monitor
    # System audio as the "microphone" would hear the others twice: the real one is used.
    doubled = resolve_mixed(MixedInput(speakers.device_id), devices)
    assert (doubled.microphone, doubled.system) == (mic, speakers)
    assert doubled.notice == "spk.monitor is system audio, not a microphone; using Headset."
    with pytest.raises(AudioSourceError, match="system audio"):
        resolve_mixed(MixedInput(), [mic, other_mic])


# --- a whole session: the real SDK against the local server -----------------------------------


def two_sided_meeting(clips_dir: Path, tmp_path: Path) -> tuple[Path, Path, int]:
    """You speak one clip; after a 1 s pause the others speak another (through the speakers).
    Returns the microphone's and the system's recordings and when the others start (ms)."""
    yours, _ = read_wav(clips_dir / "librivox-austen-0880.wav")
    theirs, _ = read_wav(clips_dir / "librivox-austen-0930.wav")
    pause = silence(1.0)
    split_ms = (yours.size + pause.size) * 1000 // 16_000
    mic = np.concatenate([yours, pause, np.zeros_like(theirs)])
    system = np.concatenate([np.zeros_like(yours), pause, theirs])
    mic_wav, system_wav = tmp_path / "mic.wav", tmp_path / "system.wav"
    return write_wav(mic_wav, mic), write_wav(system_wav, system), split_ms


def test_a_session_labels_your_turns_and_the_others_turns(clips_dir: Path, tmp_path: Path) -> None:
    mic_wav, system_wav, split_ms = two_sided_meeting(clips_dir, tmp_path)
    script = (
        turn_from_text("he was not an ill disposed young man", 200, split_ms - 1100),
        turn_from_text("he might even have been made amiable himself", split_ms + 100, 7_100),
    )
    with running_server() as server:
        server.config.script = script
        settings = StreamingSettings(api_host=server.url).validate()
        source = MixedSource(
            open_media_source(mic_wav, CHUNK_MS, realtime=True),
            open_media_source(system_wav, CHUNK_MS, realtime=True),
            CHUNK_MS,
        )
        seen = Collector()
        auth = key_auth()
        built = build_live_session(
            settings, source, lambda: auth, seen, timing=FAST, transcripts=tmp_path
        )
        summary = run_to_end(built, timeout=30)
    assert summary.failed is None
    turns = list(seen.finished_turns().values())
    assert [t.speaker for t in turns] == [YOU, OTHERS]
    assert all(w.speaker == YOU for w in turns[0].words)
    assert all(w.speaker == OTHERS for w in turns[1].words)
    (journal,) = tmp_path.glob("*.jsonl")
    document = read_journal(journal).document
    assert [t.speaker for t in document.turns] == [YOU, OTHERS]
    assert document.info.source == "mic.wav + system.wav"


def test_labels_stay_right_when_the_mixed_input_starts_mid_session(
    clips_dir: Path, tmp_path: Path
) -> None:
    """The mixed input's clock starts at 0 when it is switched to, seconds into the session;
    words (on the session clock) must be looked up on the input's own clock."""
    mic_wav, system_wav, split_ms = two_sided_meeting(clips_dir, tmp_path)
    quiet = write_wav(tmp_path / "quiet.wav", silence(20.0))
    script = (
        turn_from_text("he was not an ill disposed young man", 200, split_ms - 1100),
        turn_from_text("he might even have been made amiable himself", split_ms + 100, 7_100),
    )
    with running_server() as server:
        server.config.script = script
        settings = StreamingSettings(api_host=server.url).validate()
        seen = Collector()
        auth = key_auth()
        built = build_live_session(
            settings,
            open_media_source(quiet, CHUNK_MS, realtime=True),
            lambda: auth,
            seen,
            timing=FAST,
            transcripts=tmp_path,
        )
        running = Running(built)
        assert server.wait_until_audio_ms(2500, timeout=10)
        built.session.request_source(
            MixedSource(
                open_media_source(mic_wav, CHUNK_MS, realtime=True),
                open_media_source(system_wav, CHUNK_MS, realtime=True),
                CHUNK_MS,
            )
        )
        summary = running.finish(timeout=30)
    assert summary.failed is None and summary.connections == 2
    turns = [t for t in seen.finished_turns().values() if t.stream == 1]
    assert [t.speaker for t in turns] == [YOU, OTHERS]


# --- real capture: two PulseAudio monitors as microphone and system audio ---------------------


@pytest.mark.pulse
def test_real_capture_mixes_both_devices_and_tells_them_apart(
    pulse: PulseRig, clips_dir: Path
) -> None:
    # A microphone that hears the 16 kHz sink (picked by name, as --device does); system
    # audio is the monitor of the default output, made the 48 kHz sink here.
    microphone = pulse.server.load_microphone(
        "captestmixmic", f"{pulse.sink16}.monitor", "Caption Test Mix Microphone"
    )
    pulse.server.set_default_sink(pulse.sink48)
    try:
        opened = open_source(
            SourceChoice(device_query="Caption Test Mix Microphone", with_system_audio=True),
            CHUNK_MS,
        )
    finally:
        pulse.server.set_default_sink(pulse.sink16)
    source = opened.source
    assert isinstance(source, MixedSource) and opened.notice is None
    assert source.description == (
        f"Caption Test Mix Microphone + System audio — {pulse.description48}"
    )
    clip = clips_dir / "goforward.wav"
    source.start()
    try:
        yours, _ = capture_playback(pulse, source, clip, pulse.sink16)
        theirs, _ = capture_playback(pulse, source, clip, pulse.sink48)
    finally:
        source.stop()
        pulse.server.unload_module(microphone)

    def span(chunks: list[AudioChunk]) -> tuple[int, int]:
        loud = [c for c in chunks if c.rms_dbfs > -40]
        assert len(loud) > 20, "the clip was not captured"
        return loud[0].start_ms, loud[-1].start_ms + CHUNK_MS

    assert source.channel_of(*span(yours)) == YOU
    assert source.channel_of(*span(theirs)) == OTHERS
