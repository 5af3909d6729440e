"""Languages and translation benchmark (issue 25): the local multilingual model on speech in
four languages other than English, Whisper's translate task, and the cloud's translations.

Run: ``.venv/bin/python benchmarks/bench_languages.py [--json PATH]`` (about 4 minutes: the
audio is played in real time). Prints each figure beside its budget, met or MISSED.

The speech in other languages is made here with espeak-ng (no recording of real speech in
another language ships with a package these machines can reach); synthetic voices are harder
for Whisper than real speech, so these are floors. English is measured beside them on the
shared real clips, through the same multilingual model with detection on.

* local, detect automatically: language right on ≥ 90 % of utterances (an utterance counts as
  right when it became part of a line and every line it is in carries its language); word
  error rate per language (reported; the English benchmark's normalisation, accents kept);
* local, English translation alone (Whisper's translate task): end of speech → English line
  ≤ 1.5 s median; a partial at least every 2 s of speech (the longest wait);
  the translation's key words found (reported);
* cloud (the local v3 service, real SDK, LLM Gateway answering late and out of order): the
  original line's arrival after the service sent it, p99 with translation on ÷ off ≤ 1.2; every
  translation under its own turn (count of misplaced ones ≤ 0).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jiwer
import numpy as np

from caption_app.core.model.turns import Turn, UpdateKind
from tests.local_engine.speech import joined_clips, stream_locally
from tests.local_engine.speech import normalise as normalise_english
from tests.support.foreign_speech import RATE, Utterance, synthesize

GAP_S = 1.6
SENTENCES = (
    Utterance("es", "es", "Buenas tardes. El equipo ha terminado el informe de ventas.", ("team",)),
    Utterance("es", "es", "Necesitamos más tiempo para revisar los números.", ("time",)),
    Utterance("es", "es", "La próxima reunión será el martes por la mañana.", ("meeting",)),
    Utterance("de", "de", "Wir haben den Bericht gestern Abend fertig geschrieben.", ("report",)),
    Utterance("de", "de", "Können wir das Thema nächste Woche besprechen?", ("week",)),
    Utterance("de", "de", "Die neue Version ist schneller als die alte.", ("version",)),
    Utterance("it", "it", "Il progetto è quasi finito, mancano solo i test.", ("project",)),
    Utterance("it", "it", "Grazie a tutti per il lavoro di questa settimana.", ("thank",)),
    Utterance("it", "it", "Domani mattina parliamo con il cliente.", ("tomorrow",)),
    Utterance("fr", "fr", "Nous avons besoin de plus de temps pour ce projet.", ("time",)),
    Utterance("fr", "fr", "La réunion commence à dix heures demain matin.", ("meeting",)),
    Utterance("fr", "fr", "Merci beaucoup pour votre aide cette semaine.", ("thank",)),
)
TRANSLATED = tuple(u for u in SENTENCES if u.language in ("es", "de", "it"))
BUDGETS: dict[str, float | None] = {
    "local: language detected right (share of utterances)": None,  # a floor: see below
    "local translate: end of speech → English line, median (s)": 1.5,
    "local translate: longest wait for a partial (s)": 2.0,
    "cloud: original line arrival p99, translation on ÷ off": 1.2,
    "cloud: translations not under their own turn": 0.0,
}
FLOORS = {"local: language detected right (share of utterances)": 0.9}


@dataclass(frozen=True, slots=True)
class Placed:
    utterance: Utterance
    start_ms: int
    end_ms: int
    """The utterance's last audible sample, on the recording's clock."""


def build_recording(utterances: tuple[Utterance, ...], path: Path) -> list[Placed]:
    rng = np.random.default_rng(25)
    pieces, placed, position = [], [], 0
    for index, utterance in enumerate(utterances):
        quiet = rng.normal(0, 30, int(RATE * (GAP_S if index else 0.5))).astype(np.int16)
        speech = synthesize(utterance, path.parent, f"{path.stem}-{index}")
        audible = np.nonzero(np.abs(speech.astype(np.int32)) > 300)[0]
        start = position + len(quiet)
        placed.append(
            Placed(utterance, start * 1000 // RATE, (start + int(audible[-1])) * 1000 // RATE)
        )
        pieces += [quiet, speech]
        position = start + len(speech)
    pieces.append(rng.normal(0, 30, int(RATE * 2.5)).astype(np.int16))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.concatenate(pieces).tobytes())
    return placed


def normalise(text: str) -> str:
    """Lower case, punctuation and hyphens removed, accents kept (they carry meaning)."""
    return " ".join(re.sub(r"[^\w' ]", " ", text.lower().replace("-", " ")).split())


def overlap(turn: Turn, p: Placed) -> int:
    return min(turn.end_ms, p.end_ms) - max(turn.start_ms, p.start_ms)


def owner(turn: Turn, placed: list[Placed]) -> Placed:
    """The utterance a line came from: the one its words overlap most (else the nearest)."""
    return max(placed, key=lambda p: overlap(turn, p))


def local_detection(folder: Path) -> dict[str, float]:
    placed = build_recording(SENTENCES, folder / "languages.wav")
    collector, summary = stream_locally(folder / "languages.wav", folder, language="auto")
    if summary.failed is not None:
        raise SystemExit(f"the session failed: {summary.failed.message}")
    # Every line an utterance became part of (two utterances can end up in one line when the
    # pause between them is short: that is not a detection error, so both count it).
    turns = list(collector.finished_turns().values())
    lines = {i: [t for t in turns if overlap(t, p) > 0] for i, p in enumerate(placed)}
    right = sum(
        1
        for index, p in enumerate(placed)
        if lines[index] and all(t.language == p.utterance.language for t in lines[index])
    )
    figures: dict[str, float] = {
        "local: language detected right (share of utterances)": right / len(placed)
    }
    for language in ("es", "de", "it", "fr"):
        indices = [i for i, p in enumerate(placed) if p.utterance.language == language]
        reference = " ".join(normalise(placed[i].utterance.text) for i in indices)
        said = {t.key: t for i in indices for t in lines[i]}  # a line once, in order
        heard = " ".join(normalise(said[k].text) for k in sorted(said))
        figures[f"local: word error rate, {language} (base, detected)"] = jiwer.wer(
            reference, heard or "-"
        )
    english = joined_clips(folder)
    collector, _summary = stream_locally(english.path, folder, language="auto")
    turns = list(collector.finished_turns().values())
    heard = " ".join(t.text for t in turns)
    figures["local: word error rate, en (base, detected; real speech)"] = jiwer.wer(
        normalise_english(english.reference), normalise_english(heard)
    )
    figures["local: English lines detected as en (real speech)"] = sum(
        t.language == "en" for t in turns
    ) / max(1, len(turns))
    return figures


def local_translation(folder: Path) -> dict[str, float]:
    placed = build_recording(TRANSLATED, folder / "translate.wav")
    collector, summary = stream_locally(
        folder / "translate.wav",
        folder,
        language="auto",
        translate_to="en",
        translation_layout="translation",
    )
    if summary.failed is not None:
        raise SystemExit(f"the session failed: {summary.failed.message}")
    t0 = collector.audio_started_at
    latencies: list[float] = []
    waits: list[float] = []
    found: list[bool] = []
    last_seen: dict[tuple[int, int], float] = {}
    for update, at in zip(collector.updates, collector.arrived, strict=True):
        key = update.turn.key
        if update.kind is UpdateKind.LIVE:
            if key in last_seen:
                waits.append(at - last_seen[key])
            else:
                waits.append(at - (t0 + update.turn.start_ms / 1000))
            last_seen[key] = at
        elif update.kind is UpdateKind.FINISHED and update.turn.translation is not None:
            source = owner(update.turn, placed)
            latencies.append(at - (t0 + source.end_ms / 1000))
    english = " ".join(
        (t.translation.text if t.translation else "").lower()
        for t in collector.finished_turns().values()
    )
    for p in placed:
        found.extend(key in english for key in p.utterance.english_keys)
    return {
        "local translate: end of speech → English line, median (s)": statistics.median(latencies),
        "local translate: end of speech → English line, p90 (s)": sorted(latencies)[
            max(0, round(0.9 * len(latencies)) - 1)
        ],
        "local translate: longest wait for a partial (s)": max(waits),
        "local translate: translation key words found (share)": sum(found) / max(1, len(found)),
    }


def cloud_translation(folder: Path) -> dict[str, float]:
    from tests.streaming.harness import FAST, cloud_session
    from tests.streaming_server.fixtures import running_server
    from tests.streaming_server.script import script_from_sentences

    words = ["uno dos tres", "cuatro cinco", "seis siete ocho", "nueve diez"] * 6
    script = script_from_sentences(words, word_ms=220, gap_ms=20, turn_gap_ms=1100, start_ms=200)
    script = tuple(
        replace(turn, language_code="es", translation=f"line {order} in english")
        for order, turn in enumerate(script)
    )
    noise = np.random.default_rng(7).normal(0, 30, RATE * (script[-1].end_ms // 1000 + 3))
    media = folder / "cloud.wav"
    with wave.open(str(media), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(noise.astype(np.int16).tobytes())
    from caption_app.core.audio.media import open_media_source
    from caption_app.core.settings import StreamingSettings

    arrivals: dict[bool, list[float]] = {}
    misplaced = 0
    for translate in (False, True):
        with running_server() as server:
            server.config.script = script
            server.config.llm_gateway_delays_ms = (900, 50, 300)
            collector = _Stamped()
            settings = StreamingSettings(
                api_host=server.url,
                speech_model="universal-3-6-pro",
                language="es",
                translate_to="en" if translate else "",
            ).validate()
            source = open_media_source(media, settings.chunk_ms, realtime=True)
            cloud_session(settings, source, collector, folder, timing=FAST).session.run()
            sent = {
                s.message["turn_order"]: s.sent_at
                for s in server.session(0).sent_records()
                if s.message.get("type") == "Turn" and s.message.get("end_of_turn")
            }
        arrivals[translate] = [
            at - sent[u.turn.order]
            for u, at in zip(collector.updates, collector.arrived, strict=True)
            if u.kind is UpdateKind.FINISHED and u.turn.order in sent
        ]
        if translate:
            turns = collector.finished_turns()
            misplaced = sum(
                1
                for turn in turns.values()
                if turn.translation is None
                or turn.translation.text != f"line {turn.order} in english"
            ) + (len(script) - len(turns))
    off, on = _p99(arrivals[False]), _p99(arrivals[True])
    return {
        "cloud: original line arrival median, translation off (ms)": statistics.median(
            arrivals[False]
        )
        * 1000,
        "cloud: original line arrival median, translation on (ms)": statistics.median(
            arrivals[True]
        )
        * 1000,
        "cloud: original line arrival p99, translation off (ms)": off * 1000,
        "cloud: original line arrival p99, translation on (ms)": on * 1000,
        "cloud: original line arrival p99, translation on ÷ off": on / off,
        "cloud: translations not under their own turn": float(misplaced),
    }


class _Stamped:
    """A collector that notes when each update arrived (the harness's, with times)."""

    def __init__(self) -> None:
        from tests.streaming.harness import Collector

        self._inner = Collector()
        self.updates = self._inner.updates
        self.arrived: list[float] = []

    def __call__(self, event: object) -> None:
        before = len(self.updates)
        self._inner(event)  # type: ignore[arg-type]
        if len(self.updates) > before:
            self.arrived.append(time.monotonic())

    def finished_turns(self) -> dict[tuple[int, int], Turn]:
        return self._inner.finished_turns()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.99 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", choices=("detect", "translate", "cloud"), action="append")
    args = parser.parse_args()
    steps = {"detect": local_detection, "translate": local_translation, "cloud": cloud_translation}
    figures: dict[str, float] = {}
    for name in args.only or list(steps):
        with tempfile.TemporaryDirectory() as folder:
            figures.update(steps[name](Path(folder)))
    rows, missed = [], []
    for name, value in figures.items():
        budget, floor = BUDGETS.get(name), FLOORS.get(name)
        if floor is not None:
            verdict = "met" if value >= floor else "MISSED"
            shown = f"≥ {floor:g}"
        elif budget is not None:
            verdict = "met" if value <= budget else "MISSED"
            shown = f"≤ {budget:g}"
        else:
            verdict, shown = "", ""
        if verdict == "MISSED":
            missed.append(name)
        rows.append(
            {"figure": name, "value": value, "budget": budget, "floor": floor, "verdict": verdict}
        )
        print(f"{name:62} {value:9.3f}  {shown:8} {verdict}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    if missed:
        print(f"missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
