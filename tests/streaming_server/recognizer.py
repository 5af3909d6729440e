"""Turn messages from a script, driven by how much audio has arrived.

Universal-Streaming growth follows protocol doc 5.2: each time the received audio passes a
word's end, one message moves the previous tail word to final and appends the new word as a
non-final tail; the ``transcript`` holds only the final words. A turn ends (``end_of_turn`` true,
all words final, ``utterance`` set) once the audio passes its last word's end plus
``max_turn_silence``, when the next turn's first word is heard, on ForceEndpoint, or on
Terminate. Formatting follows 5.3.

Universal-3 Pro models (5.4) behave differently, and ``U3ProRecognizer`` does that: a
``SpeechStarted`` before each turn's first Turn, no word-by-word growth but one early partial
after ~750 ms of speech and at most one more per silence inside the turn (all words non-final,
the whole text so far in ``transcript``, ending in an em dash), and an end of turn that is
always formatted, with ``end_of_turn_confidence`` 1 and ``utterance == transcript``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from tests.streaming_server.query import SessionParams
from tests.streaming_server.script import Script, ScriptTurn, ScriptWord

Message = dict[str, Any]

UNKNOWN_BELOW_MS = 1000
"""A turn is labelled "UNKNOWN" until about a second of it has been heard (protocol doc)."""


class ScriptedRecognizer:
    def __init__(
        self,
        script: Script,
        params: Callable[[], SessionParams],
        *,
        legacy_formatting: bool,
        loop_script: bool = False,
    ) -> None:
        self._script = script
        self._params = params
        self._legacy = legacy_formatting
        self._loop = loop_script and bool(script)
        self._period_ms = script[-1].end_ms + 1500 if script else 0
        self._cycles = 1
        self._pending: deque[ScriptTurn] = deque(script)
        self._heard = 0  # words of the current turn heard so far
        self.turn_order = 0
        self.completed: dict[int, tuple[ScriptWord, ...]] = {}
        self.translations: dict[int, str] = {}
        """The script's translation of each ended turn (for LLMGatewayResponse)."""

    @property
    def turns_ended(self) -> int:
        return self.turn_order

    def advance(self, audio_ms: float) -> list[Message]:
        """Messages due now that ``audio_ms`` of audio has been received."""
        messages: list[Message] = []
        while (turn := self._current()) is not None:
            if self._heard < len(turn.words) and audio_ms >= turn.words[self._heard].end_ms:
                self._heard += 1
                messages.append(self._partial(turn))
            elif self._heard == len(turn.words) and self._turn_is_over(turn, audio_ms):
                messages.extend(self._end_turn(turn, self._heard))
            else:
                break
        return messages

    def force_endpoint(self) -> list[Message]:
        """End the current turn with the words heard so far; the unheard rest starts a new one."""
        turn = self._current()
        if turn is None or self._heard == 0:
            return []
        return self._end_turn(turn, self._heard)

    def flush(self) -> list[Message]:
        """On Terminate: end the in-flight turn; words never heard are dropped."""
        messages = self.force_endpoint()
        self._pending.clear()
        self._loop = False
        return messages

    def _current(self) -> ScriptTurn | None:
        if not self._pending and self._loop:
            offset = self._period_ms * self._cycles
            self._pending.extend(t.shifted(offset) for t in self._script)
            self._cycles += 1
        return self._pending[0] if self._pending else None

    def _turn_is_over(self, turn: ScriptTurn, audio_ms: float) -> bool:
        if audio_ms >= turn.end_ms + self._params().max_turn_silence:
            return True
        # The next turn's first word is already heard: this turn must end before it starts.
        following = self._pending[1] if len(self._pending) > 1 else None
        return following is not None and audio_ms >= following.words[0].end_ms

    def _end_turn(self, turn: ScriptTurn, heard: int) -> list[Message]:
        params = self._params()
        words = turn.words[:heard]
        self._pending.popleft()
        if heard < len(turn.words):
            remainder = ScriptTurn(turn.words[heard:], speaker=turn.speaker)
            self._pending.appendleft(remainder)
        self._heard = 0
        order = self.turn_order
        self.turn_order += 1
        self.completed[order] = words
        if heard == len(turn.words):
            self.translations[order] = turn.translation
        inline = self._formats_inline(params)
        confidence = self._final_confidence(turn)
        final = self._turn(order, turn, words, (), formatted=inline, confidence=confidence)
        final.update(end_of_turn=True, utterance=final["transcript"])
        self._add_language(final, turn, params)
        messages = [final]
        if params.format_turns and self._legacy and not inline:
            formatted = self._turn(order, turn, words, (), formatted=True, confidence=confidence)
            formatted.update(end_of_turn=True, utterance="")
            self._add_language(formatted, turn, params)
            messages.append(formatted)
        return messages

    def _formats_inline(self, params: SessionParams) -> bool:
        return params.format_turns and not self._legacy

    def _final_confidence(self, turn: ScriptTurn) -> float:
        return turn.end_of_turn_confidence

    def _partial(self, turn: ScriptTurn) -> Message:
        params = self._params()
        inline = params.format_turns and not self._legacy
        finals = turn.words[: self._heard - 1]
        tail = (turn.words[self._heard - 1],)
        confidence = round(min(0.3, 0.02 * self._heard), 4)
        return self._turn(
            self.turn_order, turn, finals, tail, formatted=inline, confidence=confidence
        )

    def _turn(
        self,
        order: int,
        turn: ScriptTurn,
        finals: tuple[ScriptWord, ...],
        tail: tuple[ScriptWord, ...],
        *,
        formatted: bool,
        confidence: float,
    ) -> Message:
        speakers = self._params().speaker_labels
        speaker_label = turn.speaker or "A"
        heard = (*finals, *tail)
        if heard and heard[-1].end_ms - heard[0].start_ms < UNKNOWN_BELOW_MS:
            speaker_label = "UNKNOWN"  # as the service does, before ~1 s of a turn is heard

        def word(w: ScriptWord, is_final: bool) -> Message:
            body: Message = {
                "start": w.start_ms,
                "end": w.end_ms,
                "confidence": w.confidence,
                "text": w.formatted_text if formatted else w.text,
                "word_is_final": is_final,
            }
            if speakers and is_final:
                body["speaker"] = (
                    speaker_label if speaker_label == "UNKNOWN" else (w.speaker or speaker_label)
                )
            return body

        transcript = " ".join(w.formatted_text if formatted else w.text for w in finals)
        message: Message = {
            "type": "Turn",
            "turn_order": order,
            "turn_is_formatted": formatted,
            "end_of_turn": False,
            "transcript": transcript,
            "end_of_turn_confidence": confidence,
            "words": [word(w, True) for w in finals] + [word(w, False) for w in tail],
            "utterance": "",
        }
        if speakers:
            message["speaker_label"] = speaker_label
        return message

    @staticmethod
    def _add_language(message: Message, turn: ScriptTurn, params: SessionParams) -> None:
        if params.language_detection:
            message["language_code"] = turn.language_code
            message["language_confidence"] = turn.language_confidence


EARLY_PARTIAL_MS = 750
"""U3 Pro: the first partial comes after this much continuous speech."""
SILENCE_INSIDE_TURN_MS = 300
"""U3 Pro: a pause between two words of a turn at least this long earns one partial."""


class U3ProRecognizer(ScriptedRecognizer):
    """Universal-3 Pro message sequence (protocol doc 5.4) from the same scripts. Like the real
    service it only knows what it has heard: a pause partial is sent once the silence after a
    word has lasted ``SILENCE_INSIDE_TURN_MS``, never by looking ahead in the script."""

    def __init__(
        self, script: Script, params: Callable[[], SessionParams], *, loop_script: bool = False
    ) -> None:
        super().__init__(script, params, legacy_formatting=False, loop_script=loop_script)
        self._partial_at = 0  # words heard when the last partial of this turn went out

    def advance(self, audio_ms: float) -> list[Message]:
        messages: list[Message] = []
        while (turn := self._current()) is not None:
            if self._pause_heard(turn, audio_ms):  # (the silence comes before the next word)
                messages.append(self._partial(turn))
            elif self._heard < len(turn.words) and audio_ms >= turn.words[self._heard].end_ms:
                if self._heard == 0:
                    messages.append({"type": "SpeechStarted", "timestamp": turn.words[0].start_ms})
                self._heard += 1
                if self._partial_at == 0 and self._speech_ms(turn) >= EARLY_PARTIAL_MS:
                    messages.append(self._partial(turn))
            elif self._heard == len(turn.words) and self._turn_is_over(turn, audio_ms):
                messages.extend(self._end_turn(turn, self._heard))
                self._partial_at = 0
            else:
                break
        return messages

    def force_endpoint(self) -> list[Message]:
        self._partial_at = 0
        return super().force_endpoint()

    def _speech_ms(self, turn: ScriptTurn) -> int:
        return turn.words[self._heard - 1].end_ms - turn.words[0].start_ms

    def _pause_heard(self, turn: ScriptTurn, audio_ms: float) -> bool:
        """A silence inside the turn, after the early partial, not yet answered."""
        if not 0 < self._partial_at < self._heard < len(turn.words):
            return False
        silence_from = turn.words[self._heard - 1].end_ms
        next_word = turn.words[self._heard].start_ms
        heard_silence = audio_ms >= silence_from + SILENCE_INSIDE_TURN_MS
        return heard_silence and next_word >= silence_from + SILENCE_INSIDE_TURN_MS

    def _partial(self, turn: ScriptTurn) -> Message:
        self._partial_at = self._heard
        heard = turn.words[: self._heard]
        message = self._turn(self.turn_order, turn, (), heard, formatted=False, confidence=0.0)
        message["transcript"] = " ".join(w.text for w in heard) + "—"
        return message

    def _formats_inline(self, params: SessionParams) -> bool:
        return True  # format_turns does not apply: U3 Pro always formats

    def _final_confidence(self, turn: ScriptTurn) -> float:
        return 1.0


def recognizer_for(
    script: Script,
    params: Callable[[], SessionParams],
    *,
    legacy_formatting: bool,
    loop_script: bool = False,
) -> ScriptedRecognizer:
    """The recognizer the session's ``speech_model`` calls for."""
    model = params().speech_model or ""
    if model.startswith(("u3", "universal-3")):
        return U3ProRecognizer(script, params, loop_script=loop_script)
    return ScriptedRecognizer(
        script, params, legacy_formatting=legacy_formatting, loop_script=loop_script
    )
