"""Speech in other languages with a known text, made here with espeak-ng (installed by
scripts/bootstrap.sh). No real recordings of other languages ship with a package these
machines can reach; synthetic voices are harder for Whisper than real ones, so what passes on
them is a floor. Each utterance comes with key words its English translation must hold (chosen
from what any fair translation says, not from one decode's wording)."""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16_000


@dataclass(frozen=True, slots=True)
class Utterance:
    language: str
    voice: str
    text: str
    english_keys: tuple[str, ...]
    """Words (lower case) the English translation must contain."""


UTTERANCES = (
    Utterance(
        "es",
        "es",
        "Buenos días a todos. Hoy vamos a hablar del presupuesto del próximo año.",
        ("good", "today"),  # "good morning" or "good days": both fair
    ),
    Utterance(
        "de",
        "de",
        "Guten Morgen zusammen. Heute sprechen wir über das Budget für das nächste Jahr.",
        ("morning", "today"),
    ),
    Utterance(
        "it",
        "it",
        "Buongiorno a tutti. Oggi parliamo del bilancio del prossimo anno.",
        ("morning", "year"),
    ),
    Utterance(
        "fr",
        "fr",
        "Bonjour à tous. Aujourd'hui nous allons parler du budget de l'année prochaine.",
        ("budget",),
    ),
    Utterance(
        "es",
        "es",
        "Muchas gracias por venir. La reunión termina a las cinco.",
        ("thank", "coming"),
    ),
)

ES_ONE_SENTENCE = Utterance(
    "es", "es", "Muchas gracias a todos por venir a la reunión de hoy.", ("thank",)
)
"""One sentence, no pause inside: its turn ends in the quiet after it, where the final decode
is waited for. Speech that resumes after a sentence boundary can end a turn on a busy machine
before its final decode is back, with only the live words' reading, which Whisper base may
leave untranslated."""


def synthesize(utterance: Utterance, folder: Path, name: str) -> np.ndarray:
    """The utterance said by espeak-ng, as 16 kHz mono int16 samples."""
    raw = folder / f"{name}.raw"
    wav = folder / f"{name}.22k.wav"
    subprocess.run(
        ["espeak-ng", "-v", utterance.voice, "-s", "140", "-w", str(wav), utterance.text],
        check=True,
        timeout=30,
    )
    subprocess.run(
        ["sox", str(wav), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed", str(raw)],
        check=True,
        timeout=30,
    )
    return np.frombuffer(raw.read_bytes(), dtype=np.int16)


def recording(
    utterances: tuple[Utterance, ...], path: Path, gap_s: float = 2.0, tail_s: float = 6.0
) -> Path:
    """The utterances one after another with ``gap_s`` of quiet room noise between them (a
    pause long enough to end each turn) and ``tail_s`` after them, as a meeting goes on after
    someone speaks (a busy machine's engine catches up meanwhile), as a 16 kHz WAV file."""
    rng = np.random.default_rng(25)
    pieces = []
    for index, utterance in enumerate(utterances):
        pieces.append(_room(rng, gap_s if index else 0.5))
        pieces.append(synthesize(utterance, path.parent, f"{path.stem}-{index}"))
    pieces.append(_room(rng, tail_s))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.concatenate(pieces).astype(np.int16).tobytes())
    return path


def _room(rng: np.random.Generator, seconds: float) -> np.ndarray:
    return (rng.normal(0, 30, int(RATE * seconds))).astype(np.int16)  # about -60 dBFS
