"""One Whisper decode of one utterance, and the checks that keep invented text off the screen.

faster-whisper's ``transcribe`` pads every window to 30 s, so each decode costs the encoder's
full 30 s (~0.4 s on 2 cores) however short the utterance. An utterance here is at most ~12 s
and is decoded about once a second, so the encoder is given the utterance plus 3 s of padding
instead: the same words on real speech (measured on the shared clips), at a third of the cost.
This goes through faster-whisper's building blocks (feature extractor, tokenizer, prompt, word
alignment) and CTranslate2's ``generate``, with faster-whisper pinned below 1.3.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from caption_app.core.engines.local.language_memory import LanguageWeights, likeliest
from caption_app.core.engines.local.written_language import is_untranslated

SAMPLE_RATE = 16_000
PAD_FRAMES = 300
"""Mel frames (10 ms each) of padding after the speech; 100-200 made tiny.en repeat itself."""
MAX_FRAMES = 3000
# faster-whisper's defaults for English: punctuation joins the word it touches.
PREPEND_PUNCTUATION = "\"'\u201c([{-"
APPEND_PUNCTUATION = "\"'.,!?:\u201d)]}"

# What Whisper's own signals say about a decode (thresholds from Whisper's transcribe, made
# stricter where a live caption would rather miss a line than show one never said).
NO_SPEECH_MAX = 0.6
NO_SPEECH_LOGPROB = -0.7
"""Whisper calls a window silent when its no-speech probability is high *and* its text unlikely;
high alone is common for the first word or two of an utterance, which the VAD heard."""
NO_SPEECH_CERTAIN = 0.9
AVG_LOGPROB_MIN = -1.0
SHORT_LOGPROB_MIN = -1.5
"""For one or two words, whose average log-probability swings more."""
COMPRESSION_RATIO_MAX = 2.4
MAX_WORDS_PER_SECOND = 6.0
"""Faster than anyone talks: the decoder is filling audio it could not hear."""
SENTENCE_END = (".", "?", "!")
PAUSE_MARKS = (*SENTENCE_END, ",", ";", ":")
_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫♬]")


@dataclass(frozen=True, slots=True)
class DecodedWord:
    text: str
    """As Whisper wrote it: cased, with its punctuation attached (" Mr.", " them.")."""
    start_ms: int
    end_ms: int
    probability: float


@dataclass(frozen=True, slots=True)
class Hypothesis:
    words: tuple[DecodedWord, ...]
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    language: str | None = None
    """The spoken language the decode ran in (detected, or the one asked for); None for an
    English-only model."""
    untranslated: bool = False
    """A translate decode whose words came out in the spoken language, not in English."""

    @property
    def empty(self) -> bool:
        return not self.words


EMPTY = Hypothesis((), "", 0.0, 1.0, 0.0)


def normalized(text: str) -> str:
    """A word as agreement compares it and live captions show it: lower case, letters, digits,
    and the apostrophes and hyphens inside a word ("don't", "cold-hearted")."""
    return re.sub(r"[^a-z0-9'\-]", "", text.lower()).strip("'-")


def join_words(words: list[str]) -> str:
    """Words back into text: a hyphenated word's second half ("-hearted") joins the first."""
    text = ""
    for word in words:
        text += word if not text or word.startswith("-") else f" {word}"
    return text


def rejection(hypothesis: Hypothesis, speech_ms: int) -> str | None:
    """Why this decode must not be shown (Whisper invents text on noise), or None if credible."""
    if hypothesis.empty:
        return None
    if hypothesis.no_speech_prob > NO_SPEECH_CERTAIN or (
        hypothesis.no_speech_prob > NO_SPEECH_MAX and hypothesis.avg_logprob < NO_SPEECH_LOGPROB
    ):
        return "no speech"
    short = len(hypothesis.words) < 3
    if hypothesis.avg_logprob < (SHORT_LOGPROB_MIN if short else AVG_LOGPROB_MIN):
        return "unlikely text"
    if hypothesis.compression_ratio > COMPRESSION_RATIO_MAX or _repeats(hypothesis.words):
        return "repetition"
    if len(hypothesis.words) > MAX_WORDS_PER_SECOND * max(speech_ms, 500) / 1000:
        return "too many words for the speech heard"
    return None


def without_repeated_tail(words: tuple[DecodedWord, ...]) -> tuple[DecodedWord, ...]:
    """Drop what the decode reads again into the padding after the speech: a sentence at the
    end that starts the utterance over ("Last week we agreed. Last week we", its last word
    perhaps cut short), which short windows invite, or a phrase of two or more words said
    twice at its very end. Applied until nothing more is dropped."""
    while True:
        kept = _without_restart(words)
        keys = [normalized(w.text) for w in kept]
        for size in range(len(kept) // 2, 1, -1):
            if keys[-size:] == keys[-2 * size : -size]:
                kept = kept[:-size]
                break
        if len(kept) == len(words):
            return words
        words = kept


def _without_restart(words: tuple[DecodedWord, ...]) -> tuple[DecodedWord, ...]:
    keys = [normalized(w.text) for w in words]
    for start in range(1, len(words)):
        if not words[start - 1].text.endswith(PAUSE_MARKS):
            continue
        again = keys[start:]
        before = keys[: len(again)]
        if again[:-1] == before[:-1] and before[-1].startswith(again[-1]):
            return words[:start]
    return words


def without_looping_tail(hypothesis: Hypothesis) -> Hypothesis | None:
    """The words before a loop the decode fell into at its very end ("They think the problem
    is the s s s": a short window's last, half-heard word read over and over), or None when
    there is no such loop or nothing before it. A loop elsewhere is no reading at all."""
    words = hypothesis.words
    keys = [normalized(w.text) for w in words]
    for start in range(1, len(words)):
        tail = keys[start:]
        for size in range(1, 5):
            phrase = tail[:size]
            looped = all(tail[i] == phrase[i % size] for i in range(len(tail)))
            if looped and len(tail) >= 3 * size:
                return _reading_of(hypothesis, words[:start])
    if len(words) > 1 and _repeats(words[-1:]) and not _repeats(words[:-1]):
        return _reading_of(hypothesis, words[:-1])  # "old-s-y-y-y-y"
    return None


def _reading_of(hypothesis: Hypothesis, words: tuple[DecodedWord, ...]) -> Hypothesis:
    text = join_words([w.text for w in words])
    encoded = text.encode()
    return replace(
        hypothesis,
        words=words,
        text=text,
        compression_ratio=len(encoded) / max(1, len(zlib.compress(encoded))),
    )


def _repeats(words: tuple[DecodedWord, ...]) -> bool:
    """The same phrase of 1-4 words three times in a row: Whisper's loop on noise and music,
    also inside one hyphen-joined word ("old-s-y-y-y-y", a short window's loop on a letter)."""
    keys = [part for w in words for part in normalized(w.text).split("-") if part]
    for size in range(1, 5):
        for i in range(len(keys) - 3 * size + 1):
            phrase = keys[i : i + size]
            if phrase == keys[i + size : i + 2 * size] == keys[i + 2 * size : i + 3 * size]:
                return True
    return False


def _hyphens_joined(words: list[DecodedWord]) -> tuple[DecodedWord, ...]:
    """Whisper's alignment splits "cold-hearted" into "cold" and "-hearted": one word again."""
    joined: list[DecodedWord] = []
    for word in words:
        if joined and word.text.startswith("-"):
            first = joined[-1]
            probability = min(first.probability, word.probability)
            joined[-1] = DecodedWord(
                first.text + word.text, first.start_ms, word.end_ms, probability
            )
        else:
            joined.append(word)
    return tuple(joined)


def _spoken(alignment: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The aligned words outside Whisper's sound annotations ("[Music]", "(upbeat music)")."""
    spoken, depth = [], 0
    for word in alignment:
        text = str(word["word"])
        opened = text.count("[") + text.count("(")
        inside = depth > 0 or opened > 0 or any(ch in text for ch in "♪♫♬*")
        depth = max(0, depth + opened - text.count("]") - text.count(")"))
        if not inside and normalized(text):
            spoken.append(word)
    return spoken


def _whisper_model(model_path: Path, cpu_threads: int) -> Any:
    """faster-whisper's ``WhisperModel`` around a CTranslate2 model loaded *before* faster-whisper
    and what it imports (PyAV, tokenizers, ONNX Runtime) are in memory. Loading turns the
    float16 file into int8 through a transient buffer, so the process's peak memory is that
    buffer plus whatever is loaded at the time: 272 -> 197 MB measured for tiny.en. The rest is
    what ``WhisperModel.__init__`` sets up for a local folder (faster-whisper is pinned < 1.3)."""
    import ctranslate2

    ct2_model = ctranslate2.models.Whisper(
        str(model_path), device="cpu", compute_type="int8", intra_threads=cpu_threads
    )
    import tokenizers
    from faster_whisper import WhisperModel
    from faster_whisper.feature_extractor import FeatureExtractor
    from faster_whisper.utils import get_logger

    model: Any = WhisperModel.__new__(WhisperModel)
    model.logger = get_logger()
    model.model = ct2_model
    model.hf_tokenizer = tokenizers.Tokenizer.from_file(str(model_path / "tokenizer.json"))
    model.feat_kwargs = model._get_feature_kwargs(str(model_path))  # noqa: SLF001 - its own reader
    model.feature_extractor = FeatureExtractor(**model.feat_kwargs)
    model.input_stride = 2
    model.num_samples_per_token = model.feature_extractor.hop_length * model.input_stride
    model.frames_per_second = (
        model.feature_extractor.sampling_rate // model.feature_extractor.hop_length
    )
    model.tokens_per_second = model.feature_extractor.sampling_rate // model.num_samples_per_token
    model.time_precision = 0.02
    model.max_length = 448
    return model


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one decode's readings share: the encoder's output and the decoder's prompt."""

    encoder_output: Any
    content_frames: int
    language: str
    task: str
    max_new_tokens: int
    hotwords: str


class WhisperDecoder:
    """Loads a CTranslate2 Whisper model once; ``decode`` is then safe to call repeatedly.

    An English-only model (tiny.en) transcribes English. A multilingual one (base) transcribes
    ``language``, or with ``language`` None detects it on each decode from the same encoder
    output (one decoder step); with ``task="translate"`` it writes English whatever was said.
    What the model can do is read from the model itself, so a folder the person chose is run
    as what it is.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        cpu_threads: int = 2,
        language: str | None = "en",
        task: str = "transcribe",
    ) -> None:
        self._model: Any = _whisper_model(model_path, cpu_threads)
        self.multilingual = bool(self._model.model.is_multilingual)
        self.language = language if self.multilingual else "en"
        self.task = task if self.multilingual else "transcribe"
        self._tokenizers: dict[tuple[str, str], tuple[Any, list[int]]] = {}

    def _tokenizer(self, language: str, task: str) -> tuple[Any, list[int]]:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        key = (language, task)
        if key not in self._tokenizers:
            tokenizer = Tokenizer(
                self._model.hf_tokenizer, self.multilingual, task=task, language=language
            )
            self._tokenizers[key] = (tokenizer, get_suppressed_tokens(tokenizer, [-1]))
        return self._tokenizers[key]

    def _language_of(self, encoder_output: Any, remembered: LanguageWeights) -> str:
        """The most likely spoken language, from the encoder output already computed, with the
        session's memory of its turns' languages tipping close calls."""
        if self.language is not None:
            return self.language
        ranked = self._model.model.detect_language(encoder_output)[0]
        return likeliest(((str(token)[2:-2], p) for token, p in ranked), remembered)

    def decode(
        self,
        audio: np.ndarray,
        *,
        beam_size: int,
        hotwords: str = "",
        task: str | None = None,
        remembered: LanguageWeights = (),
    ) -> Hypothesis:
        """Decode float32 16 kHz mono audio (at most ~28 s) as one window; ``task`` overrides
        the decoder's own (a translation of a turn already transcribed); ``remembered``: the
        session's languages so far, when the language is detected (``language_memory``)."""
        from faster_whisper.audio import pad_or_trim

        model = self._model
        features = model.feature_extractor(audio, padding=160)
        content_frames = min(int(features.shape[-1]), MAX_FRAMES)
        frames = min(MAX_FRAMES, -(-(content_frames + PAD_FRAMES) // 100) * 100)
        encoder_output = model.encode(pad_or_trim(features, frames))
        language = self._language_of(encoder_output, remembered)
        task = task or self.task
        spoken_language = language if self.multilingual else None
        # Speech is at most ~5 tokens a second; the cap keeps a looping decode short.
        max_new = 16 + int(8 * len(audio) / SAMPLE_RATE)
        read = _Reading(encoder_output, content_frames, language, task, max_new, hotwords)
        hypothesis = self._read(read, beam_size)
        if task != "translate" or not is_untranslated(hypothesis.text, spoken_language):
            return hypothesis
        # Whisper base wrote the spoken language back. A beam search and a greedy reading
        # take different paths: the other one often translates. A partial (greedy) is not
        # worth a beam search: the next partial comes within a second.
        if beam_size > 1:
            again = self._read(read, 1)
            if not is_untranslated(again.text, spoken_language):
                return again
        return replace(hypothesis, untranslated=True)

    def _read(self, read: _Reading, beam_size: int) -> Hypothesis:
        from faster_whisper.transcribe import get_compression_ratio, merge_punctuations

        model = self._model
        tokenizer, suppressed = self._tokenizer(read.language, read.task)
        spoken_language = read.language if self.multilingual else None
        encoder_output, content_frames = read.encoder_output, read.content_frames
        prompt = model.get_prompt(
            tokenizer, [], without_timestamps=True, hotwords=read.hotwords.strip() or None
        )
        result = model.model.generate(
            encoder_output,
            [prompt],
            beam_size=beam_size,
            patience=1,
            max_length=min(model.max_length, len(prompt) + read.max_new_tokens),
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=suppressed,
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        text = tokenizer.decode(tokens).strip()
        avg_logprob = float(result.scores[0]) * len(tokens) / (len(tokens) + 1)
        spoken = _ANNOTATION.sub(" ", text)
        if not tokens or not any(ch.isalnum() for ch in spoken):
            return Hypothesis(
                (), "", avg_logprob, float(result.no_speech_prob), 0.0, spoken_language
            )
        alignment = model.find_alignment(tokenizer, [tokens], encoder_output, content_frames)[0]
        merge_punctuations(alignment, PREPEND_PUNCTUATION, APPEND_PUNCTUATION)
        words = without_repeated_tail(
            _hyphens_joined(
                [
                    DecodedWord(
                        w["word"].strip(),
                        round(float(w["start"]) * 1000),
                        round(float(w["end"]) * 1000),
                        float(w["probability"]),
                    )
                    for w in _spoken(alignment)
                ]
            )
        )
        return Hypothesis(
            words,
            join_words([w.text for w in words]),
            avg_logprob,
            float(result.no_speech_prob),
            float(get_compression_ratio(text)),
            spoken_language,
        )
