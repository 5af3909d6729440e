"""Recognising the audio a session actually received, not its position in the session.

A scripted session says the script's words as its own audio passes each word's end, from the
script's start, whatever audio it got. That is right for one connection, but a reconnect that
sends the audio after the last reported word again would hear the script from its first word
once more. ``HeardAudio`` places the script on the recording's own timeline instead: a session
finds where its audio lies in the recording (by the content of its 50 ms frames, which the app
sends bit for bit from a 16 kHz file) and hears the words whose audio it received whole, at
the times they fall in its own stream. So a test can compare what the app captioned with the
recording's reference text: words spoken while no connection heard them are missing, words
sent twice are heard twice, as from a real service.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, replace

from tests.streaming_server.recognizer import Message, ScriptedRecognizer
from tests.streaming_server.script import Script, ScriptTurn

SAMPLE_RATE = 16_000
CHUNK_MS = 50


@dataclass(frozen=True, slots=True)
class HeardAudio:
    script: Script
    """The words, on the recording's timeline."""
    frames: dict[bytes, int]
    """A 50 ms frame of the recording that occurs once in it -> where it starts (ms)."""

    @classmethod
    def of(cls, pcm: bytes, script: Script) -> HeardAudio:
        size = SAMPLE_RATE * 2 * CHUNK_MS // 1000
        seen: collections.Counter[bytes] = collections.Counter()
        starts: dict[bytes, int] = {}
        for index in range(0, len(pcm) - size + 1, size):
            frame = pcm[index : index + size]
            seen[frame] += 1
            starts.setdefault(frame, index * 1000 // (SAMPLE_RATE * 2))
        return cls(script, {frame: at for frame, at in starts.items() if seen[frame] == 1})

    def locate(self, frame: bytes) -> int | None:
        """Where ``frame`` starts in the recording, if it can be told."""
        return self.frames.get(frame)

    def script_from(self, start_ms: int) -> Script:
        """What a session whose audio begins at ``start_ms`` of the recording hears: the words
        it got most of (their middle or later), on its own timeline."""
        turns = []
        for turn in self.script:
            words = tuple(
                replace(w, start_ms=max(0, w.start_ms - start_ms), end_ms=w.end_ms - start_ms)
                for w in turn.words
                if w.start_ms + w.end_ms >= 2 * start_ms
            )
            if words:
                turns.append(_with_words(turn, words))
        return tuple(turns)


def _with_words(turn: ScriptTurn, words: tuple[object, ...]) -> ScriptTurn:
    return replace(turn, words=words)  # type: ignore[arg-type]


class HeardRecognizer(ScriptedRecognizer):
    """Ends like a recogniser that heard audio, not a script: on Terminate, a word whose
    middle was received is said, though its end was not (the next session will not hear it,
    as ``script_from`` leaves it out)."""

    _audio_ms = 0.0

    def advance(self, audio_ms: float) -> list[Message]:
        self._audio_ms = audio_ms
        return super().advance(audio_ms)

    def flush(self) -> list[Message]:
        turn = self._current()
        if turn is not None:
            words = turn.words
            while (
                self._heard < len(words)
                and words[self._heard].start_ms + words[self._heard].end_ms <= 2 * self._audio_ms
            ):
                self._heard += 1
        return super().flush()
