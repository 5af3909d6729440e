"""Streaming on a batch model: the local engine's turn logic, free of threads and processes.

Audio (with the VAD's speech probabilities) and decode results go in; decode jobs and Turn
messages come out. Every time is the stream's audio clock (samples received), so the same
audio always gives the same turns, whatever the machine's load:

- an utterance starts when the VAD hears speech, with 200 ms of audio before it;
- while speech goes on, the utterance is decoded again every ``partial_every_ms`` (greedy,
  fast; the model sets it: 0.7 s for tiny.en, the first time after 0.5 s and every 0.5 s
  until a word is final, 1.5 s for the slower Whisper base); words two consecutive decodes
  agree on become final (``agreement.py``);
- when the speaker pauses, the utterance is decoded once more with beam search (the final
  candidate). The turn ends after ``min_turn_silence`` if that text ends a sentence, and after
  ``max_turn_silence`` in any case, with Whisper's punctuated, cased text swapped in;
- an utterance is capped at about 12 s and split at its quietest moment: decode time grows
  with the utterance;
- one decode runs at a time; while it runs, audio keeps arriving and partial refreshes that
  would pile up are skipped, never audio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from caption_app.core.engines.local.agreement import (
    after_committed,
    common_prefix,
    keys,
    merge_final,
)
from caption_app.core.engines.local.decoder import (
    EMPTY,
    DecodedWord,
    Hypothesis,
    rejection,
    without_looping_tail,
)
from caption_app.core.engines.local.language_memory import LanguageMemory, LanguageWeights
from caption_app.core.engines.local.messages import finished_message, partial_message
from caption_app.core.engines.local.models import DEFAULT_MODEL, MODELS
from caption_app.core.engines.local.vad import WINDOW
from caption_app.core.model.turns import TurnMessage

DEFAULT = MODELS[DEFAULT_MODEL]
RATE = 16_000
SAMPLES_PER_MS = RATE // 1000
SPEECH_ON = 0.5
SPEECH_HOLD = 0.35
"""Hysteresis: a window continues speech above this, starts it only above ``SPEECH_ON``."""
PRE_PAD_MS = 200
POST_PAD_MS = 300
PAUSE_MS = 160
"""Silence after which the final candidate is decoded (ahead of the turn's end)."""
MIN_SPEECH_MS = 250
"""Less speech than this is a click or a breath: never decoded."""
MAX_UTTERANCE_MS = 12_000
MIN_SPLIT_MS = 3000
SETTLING_MS = 300
"""A partial decode's words ending this close to the live edge may still be cut off."""
RETRY_MS = 300
"""The next live decode while a turn shows nothing yet (Whisper unsure of its first word or two
and the reading not credible): soon, or the first words wait a whole ``partial_every_ms``
more. Only then: later in a turn, readings that close would give agreement less to go on."""
FIRST_AGREEMENT_MS = 1500
"""An utterance's first words are committed only once the earlier of two agreeing readings
heard this much of it (pre-pad included). It is the tail of the latency: read every 0.7 s, a
turn's first words waited ~2.3 s; read every ``opening_every_ms`` until then, less. 1.2 s cut
the corpus's p90 from 2.3 to 1.8 s too (``benchmarks.replay_local``), but on the tests'
arrangement of the clips it committed "How do you marry the" for "Had he married a"."""
PARTIAL_BEAM, FINAL_BEAM = 1, 5
SENTENCE_END = (".", "?", "!")


@dataclass(frozen=True, slots=True)
class TurnPolicy:
    min_turn_silence_ms: int = 400
    max_turn_silence_ms: int = 1280
    format_turns: bool = True
    hotwords: str = ""
    """Key terms, handed to Whisper as hotwords."""
    partial_every_ms: int = DEFAULT.partial_every_ms
    """How often the live words are decoded again (``LocalModel.partial_every_ms``)."""
    first_partial_ms: int = DEFAULT.first_partial_ms
    opening_every_ms: int = DEFAULT.opening_every_ms
    """``LocalModel.opening_every_ms``."""
    end_in_late_pause: bool = DEFAULT.ends_turn_in_late_pause
    """``LocalModel.ends_turn_in_late_pause``."""


@dataclass(frozen=True, slots=True)
class DecodeJob:
    job_id: int
    audio: np.ndarray
    """float32, 16 kHz mono."""
    offset_ms: int
    """Where ``audio`` starts on the stream clock."""
    beam_size: int
    hotwords: str
    remembered: LanguageWeights = ()
    """The languages of the session's turns so far, for a decode that detects the language."""


@dataclass(slots=True)
class _Job:
    job_id: int
    final: bool
    end: int
    """Last sample decoded."""
    speech_end: int
    """The utterance's last speech sample when the job was made (a final covers it)."""
    utterance: int


@dataclass(slots=True)
class _Utterance:
    number: int
    start: int
    """First sample (speech start minus the pre-pad)."""
    speech_end: int
    speech_samples: int = 0
    committed: list[DecodedWord] = field(default_factory=list)
    previous: list[DecodedWord] = field(default_factory=list)
    previous_end: int = 0
    """The last sample the previous hypothesis heard."""
    """The last credible hypothesis' words after the committed ones."""
    shown: list[DecodedWord] = field(default_factory=list)
    shown_final: int = 0
    """What the last partial showed (committed + tail), the fallback if the final is empty."""
    language: str | None = None
    """The language of the last credible reading: the words shown are in it, so a turn whose
    final reading is not credible ends in it."""
    last_partial_at: int = 0
    readings: int = 0
    """Decodes of this utterance that came back (shown or not)."""
    candidate: Hypothesis | None = None
    candidate_end: int = -1
    """The speech end the candidate covers: stale once more speech arrives."""
    end_at: int | None = None
    """A forced end or a split point: the turn ends here once a final decode covers it."""


@dataclass(slots=True)
class Output:
    jobs: list[DecodeJob] = field(default_factory=list)
    messages: list[TurnMessage] = field(default_factory=list)
    untranslated: set[int] = field(default_factory=set)
    """Turn orders of finished turns, among ``messages``, that the translate task left in the
    spoken language: their words are not English."""


class StreamingRecognizer:
    def __init__(self, policy: TurnPolicy) -> None:
        self.policy = policy
        self._audio: list[np.ndarray] = []
        self._audio_start = 0
        """Sample index of ``_audio[0][0]``."""
        self._probs: list[float] = []
        self._probs_start = 0
        """Window index of ``_probs[0]``."""
        self._now = 0
        self._last_speech_end = 0
        """Where the last turn's speech ended: the next utterance's pre-pad stops there."""
        self._speaking = False
        self._utterance: _Utterance | None = None
        self._turn_order = 0
        self._job: _Job | None = None
        self._next_job = 0
        self._next_number = 0
        self.rejected: list[str] = []
        """Why decodes were dropped (for the log and the tests)."""
        self.languages = LanguageMemory()

    @property
    def idle(self) -> bool:
        """Nothing being said, nothing being decoded: a stop loses nothing now."""
        return self._utterance is None and self._job is None

    # --- input ----------------------------------------------------------------------------

    def feed(self, samples: np.ndarray, probabilities: np.ndarray) -> Output:
        """``samples``: float32 audio just received; ``probabilities``: the VAD's verdicts on
        the windows it completed (window i covers samples i*512 .. (i+1)*512)."""
        self._audio.append(samples)
        self._now += len(samples)
        for p in probabilities:
            self._on_window(float(p))
        out = Output()
        self._step(out)
        self._trim()
        return out

    def force_endpoint(self) -> Output:
        """End the turn now ("End caption line now", or a stop)."""
        out = Output()
        u = self._utterance
        if u is not None and u.end_at is None:
            u.end_at = self._now
            u.speech_end = min(u.speech_end, self._now)
        self._step(out)
        return out

    def decoded(self, job_id: int, hypothesis: Hypothesis) -> Output:
        out = Output()
        job, self._job = self._job, None
        u = self._utterance
        if job is not None and job.job_id == job_id and u is not None and job.utterance == u.number:
            self._take(u, job, hypothesis, out)
        self._step(out)
        self._trim()
        return out

    # --- speech tracking --------------------------------------------------------------------

    def _on_window(self, p: float) -> None:
        index = self._probs_start + len(self._probs)
        self._probs.append(p)
        start, end = index * WINDOW, (index + 1) * WINDOW
        speech = p >= SPEECH_ON or (self._speaking and p >= SPEECH_HOLD)
        resumed = speech and not self._speaking
        self._speaking = speech
        if not speech:
            return
        u = self._utterance
        if (
            u is not None
            and resumed
            and u.end_at is None
            and self.policy.end_in_late_pause
            and self._pause_ends_turn(u, start)
        ):
            # The pause was long enough to end the turn, but its final decode had not come
            # back to decide (the decoder busy, or audio queued while the model loaded): end
            # the turn in the pause, or the next sentence joins it, and a decode of both
            # sentences across the pause can stop at the first.
            u.end_at = u.speech_end + min(POST_PAD_MS * SAMPLES_PER_MS, (start - u.speech_end) // 2)
        if u is None:
            first = max(
                self._audio_start, self._last_speech_end, start - PRE_PAD_MS * SAMPLES_PER_MS
            )
            self._next_number += 1
            u = self._utterance = _Utterance(self._next_number, first, end)
            u.last_partial_at = start
        if u.end_at is not None:
            return  # speech after a forced end or split belongs to the next turn
        u.speech_end = end
        u.speech_samples += WINDOW

    def _pause_ends_turn(self, u: _Utterance, resumed_at: int) -> bool:
        pause_ms = (resumed_at - u.speech_end) // SAMPLES_PER_MS
        if pause_ms >= self.policy.max_turn_silence_ms:
            return True
        decided = u.candidate is not None and u.candidate_end == u.speech_end
        return pause_ms >= self.policy.min_turn_silence_ms and not decided

    # --- decisions ----------------------------------------------------------------------------

    def _step(self, out: Output) -> None:
        u = self._utterance
        if u is None:
            return
        if self._try_to_end(u, out):
            return
        if self._job is not None:
            return
        silence = self._now - u.speech_end
        if u.end_at is not None or silence >= PAUSE_MS * SAMPLES_PER_MS:
            target = u.end_at if u.end_at is not None else u.speech_end
            if u.candidate_end != target:
                if u.speech_samples < MIN_SPEECH_MS * SAMPLES_PER_MS and not u.shown:
                    self._utterance = None  # a click or a breath: nothing to decode
                    return
                end = (
                    target
                    if u.end_at is not None
                    else min(self._now, target + POST_PAD_MS * SAMPLES_PER_MS)
                )
                self._submit(u, out, final=True, end=end, covers=target)
            return
        if self._now - u.start >= MAX_UTTERANCE_MS * SAMPLES_PER_MS:
            u.end_at = self._split_point(u)
            self._submit(u, out, final=True, end=u.end_at, covers=u.end_at)
            return
        policy = self.policy
        if u.committed:
            every = policy.partial_every_ms
        elif u.previous:
            every = min(policy.partial_every_ms, policy.opening_every_ms)
        else:
            every = policy.first_partial_ms
        if u.readings and not u.shown:
            every = min(every, RETRY_MS)
        due = self._now - u.last_partial_at >= every * SAMPLES_PER_MS
        if due and u.speech_samples >= MIN_SPEECH_MS * SAMPLES_PER_MS:
            u.last_partial_at = self._now
            self._submit(u, out, final=False, end=self._now, covers=-1)

    def _try_to_end(self, u: _Utterance, out: Output) -> bool:
        if u.candidate is None:
            return False
        if u.end_at is not None:
            if u.candidate_end != u.end_at:
                return False
            self._end_turn(u, u.candidate, out, next_start=u.end_at)
            return True
        if u.candidate_end != u.speech_end:
            return False
        silence_ms = (self._now - u.speech_end) // SAMPLES_PER_MS
        ends_sentence = u.candidate.text.rstrip().endswith(SENTENCE_END)
        if silence_ms >= self.policy.max_turn_silence_ms or (
            silence_ms >= self.policy.min_turn_silence_ms and ends_sentence
        ):
            self._end_turn(u, u.candidate, out, next_start=None)
            return True
        return False

    def _submit(self, u: _Utterance, out: Output, *, final: bool, end: int, covers: int) -> None:
        self._next_job += 1
        self._job = _Job(self._next_job, final, end, covers, u.number)
        audio = self._slice(u.start, end)
        out.jobs.append(
            DecodeJob(
                self._next_job,
                audio,
                u.start // SAMPLES_PER_MS,
                FINAL_BEAM if final else PARTIAL_BEAM,
                self.policy.hotwords,
                self.languages.weights(),
            )
        )

    def _take(self, u: _Utterance, job: _Job, hypothesis: Hypothesis, out: Output) -> None:
        """Fold one decode into the utterance: agreement, a partial, maybe the final."""
        offset = u.start // SAMPLES_PER_MS
        # The words a decode may hold go by what it heard: the VAD's speech, or the audio
        # decoded when that is longer (the VAD's verdicts lag a fast talker's short words).
        heard_ms = max(u.speech_samples, job.end - u.start) // SAMPLES_PER_MS
        u.readings += 1
        why = rejection(hypothesis, heard_ms)
        if why == "repetition" and not job.final:
            # A live reading that loops on its last, half-heard word still has the words
            # before it; the final reading is never cut short this way.
            kept = without_looping_tail(hypothesis)
            if kept is not None and rejection(kept, heard_ms) is None:
                hypothesis, why = kept, None
        if why is not None:
            self.rejected.append(why)
            hypothesis = EMPTY
        u.language = hypothesis.language or u.language
        covering = job.speech_end in (u.speech_end, u.end_at)
        if hypothesis.untranslated and not (job.final and covering):
            hypothesis = EMPTY  # a live reading not in English joins no English words
        words = [
            DecodedWord(w.text, w.start_ms + offset, w.end_ms + offset, w.probability)
            for w in hypothesis.words
        ]
        if job.final and covering:
            u.candidate = Hypothesis(
                tuple(words),
                hypothesis.text,
                0.0,
                0.0,
                0.0,
                hypothesis.language,
                hypothesis.untranslated,
            )
            u.candidate_end = job.speech_end
            if not hypothesis.untranslated:
                self._show_reading(u, words, out)
            return
        # A partial, or a final overtaken by more speech: either is a fresh reading of the
        # utterance so far, good for agreement and for refreshing what is shown.
        if not words:
            return
        tail = after_committed(u.committed, words)
        settled_before = job.end // SAMPLES_PER_MS - SETTLING_MS
        agreed = []
        # An utterance's first words are committed only once the earlier of the two readings
        # heard enough of it: on a second or less, Whisper guesses at the opening words, and
        # two quick guesses can agree ("How do you" for "Had he"). The final reading may still
        # add an opening word they lost ("And"; ``merge_final``).
        heard_enough = (
            u.committed or u.previous_end - u.start >= FIRST_AGREEMENT_MS * SAMPLES_PER_MS
        )
        for word in common_prefix(after_committed(u.committed, u.previous), tail):
            if word.end_ms > settled_before or not heard_enough:
                break
            agreed.append(word)
        u.committed.extend(agreed)
        u.previous = tail
        u.previous_end = job.end
        live = tail[len(agreed) :]
        shown = [*u.committed, *live]
        if keys(shown) != keys(u.shown) or len(u.committed) != u.shown_final:
            u.shown, u.shown_final = shown, len(u.committed)
            out.messages.append(partial_message(self._turn_order, u.committed, live))

    def _show_reading(self, u: _Utterance, words: list[DecodedWord], out: Output) -> None:
        """Show the final reading made in a pause as the live words, before the pause decides
        whether the turn ends: the speaker may go on ("Sure, | I will have a look"), and the
        words would wait for the partial after it. It commits nothing (agreement stays between
        live readings, which see the audio after the pause too)."""
        live = after_committed(u.committed, words)
        shown = [*u.committed, *live]
        if live and keys(shown) != keys(u.shown):
            u.shown, u.shown_final = shown, len(u.committed)
            out.messages.append(partial_message(self._turn_order, u.committed, live))

    def _end_turn(
        self, u: _Utterance, final: Hypothesis, out: Output, *, next_start: int | None
    ) -> None:
        # Left in the spoken language, the final reading is the whole turn as it was said:
        # the English words shown live are not joined to it.
        words = (
            list(final.words) if final.untranslated else merge_final(u.committed, list(final.words))
        )
        if next_start is not None:
            words = [w for w in words if w.start_ms < next_start // SAMPLES_PER_MS] or words
        if not words:
            words = list(u.shown)  # the final decode heard nothing credible: keep what showed
        # A final reading found not credible has no language: the turn keeps the language its
        # readings were heard in, or its line would have no tag.
        language = final.language or u.language
        if words:
            out.messages.append(
                finished_message(self._turn_order, self.policy.format_turns, words, language)
            )
            if final.untranslated and final.words:
                out.untranslated.add(self._turn_order)
            if language is not None:
                self.languages.heard(language)
            self._turn_order += 1
        self._utterance = None
        self._last_speech_end = min(
            u.speech_end, u.end_at if u.end_at is not None else u.speech_end
        )
        if next_start is not None and self._speech_after(next_start):
            self._restart_at(next_start)
        self._step(out)

    # --- audio buffer -----------------------------------------------------------------------

    def _slice(self, start: int, end: int) -> np.ndarray:
        audio = np.concatenate(self._audio) if len(self._audio) > 1 else self._audio[0]
        self._audio = [audio]
        return audio[max(0, start - self._audio_start) : max(0, end - self._audio_start)]

    def _trim(self) -> None:
        """Keep the utterance's audio (or, between utterances, the pre-pad) and no more."""
        u = self._utterance
        keep_from = u.start if u is not None else self._now - PRE_PAD_MS * SAMPLES_PER_MS
        drop = keep_from - self._audio_start
        if drop <= RATE:  # trim in steps of a second or more, not per chunk
            return
        audio = np.concatenate(self._audio)[drop:]
        self._audio, self._audio_start = [audio], keep_from
        first_window = keep_from // WINDOW
        del self._probs[: max(0, first_window - self._probs_start)]
        self._probs_start = max(self._probs_start, first_window)

    def _split_point(self, u: _Utterance) -> int:
        """The quietest 160 ms of the utterance's later part (after the committed words)."""
        committed_end = u.committed[-1].end_ms * SAMPLES_PER_MS if u.committed else u.start
        lo = max(u.start + MIN_SPLIT_MS * SAMPLES_PER_MS, committed_end) // WINDOW
        hi = (self._now - PRE_PAD_MS * SAMPLES_PER_MS) // WINDOW
        if hi - lo < 5:
            return max(committed_end, self._now - PRE_PAD_MS * SAMPLES_PER_MS)
        probs = np.asarray(self._probs[lo - self._probs_start : hi - self._probs_start])
        smooth = np.convolve(probs, np.ones(5) / 5, mode="same")
        quietest = len(smooth) - 1 - int(np.argmin(smooth[::-1]))  # the later of equals
        return (lo + quietest) * WINDOW + WINDOW // 2

    def _speech_after(self, sample: int) -> bool:
        first = sample // WINDOW - self._probs_start
        return any(p >= SPEECH_ON for p in self._probs[max(0, first) :])

    def _restart_at(self, sample: int) -> None:
        """Open the next utterance at a split point (its speech is already heard)."""
        self._next_number += 1
        u = _Utterance(self._next_number, sample, sample)
        first = sample // WINDOW - self._probs_start
        for i, p in enumerate(self._probs[max(0, first) :]):
            if p >= SPEECH_HOLD:
                u.speech_end = (self._probs_start + max(0, first) + i + 1) * WINDOW
                u.speech_samples += WINDOW
        u.last_partial_at = sample
        self._utterance = u
