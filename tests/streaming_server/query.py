"""Connection parameters as the service reads them from the upgrade URL (protocol doc 1.1).

Booleans arrive as ``True``/``true``, lists as one JSON-array value (or repeated parameters),
``+`` means space, and unknown parameters are kept but ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

LIST_PARAMS = frozenset({"keyterms_prompt", "language_codes", "redact_pii_policies"})
BYTES_PER_SAMPLE = {"pcm_s16le": 2, "pcm_mulaw": 1}


class ParamError(ValueError):
    """A parameter value the service cannot read (reported as Error 3006)."""


def parse_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ParamError(f"Invalid value for {name}: {value!r}")


def parse_number(name: str, value: object, kind: type[int] | type[float]) -> int | float:
    if isinstance(value, bool):
        raise ParamError(f"Invalid value for {name}: {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParamError(f"Invalid value for {name}: {value!r}") from None
    if kind is int:
        if not number.is_integer():
            raise ParamError(f"Invalid value for {name}: {value!r}")
        return int(number)
    return number


def parse_list(name: str, values: list[str]) -> list[str]:
    """One JSON array value, or the repeated-parameter form of older clients."""
    if len(values) == 1 and values[0].startswith("["):
        try:
            decoded = json.loads(values[0])
        except json.JSONDecodeError:
            raise ParamError(f"Invalid value for {name}: {values[0]!r}") from None
        if not isinstance(decoded, list) or not all(isinstance(v, str) for v in decoded):
            raise ParamError(f"Invalid value for {name}: {values[0]!r}")
        return decoded
    return list(values)


@dataclass
class SessionParams:
    """The parameters that change the double's behaviour; everything else lands in ``other``."""

    speech_model: str | None = None
    sample_rate: int = 16000
    encoding: str = "pcm_s16le"
    format_turns: bool = False
    end_of_turn_confidence_threshold: float = 0.4
    min_turn_silence: int = 400
    max_turn_silence: int = 1280
    vad_threshold: float = 0.4
    keyterms_prompt: list[str] = field(default_factory=list)
    language_detection: bool = False
    speaker_labels: bool = False
    inactivity_timeout: float | None = None
    session_heartbeat: bool = False
    filter_profanity: bool = False
    token: str | None = None
    other: dict[str, object] = field(default_factory=dict)

    @property
    def bytes_per_second(self) -> int | None:
        """Audio bytes per second, or None for compressed encodings (no duration checks)."""
        per_sample = BYTES_PER_SAMPLE.get(self.encoding)
        return None if per_sample is None else self.sample_rate * per_sample

    def update(self, fields: dict[str, object]) -> None:
        """Merge fields given as JSON values (UpdateConfiguration) or query strings."""
        for name, value in fields.items():
            key = "min_turn_silence" if name == "min_end_of_turn_silence_when_confident" else name
            self._set(key, value)

    def _set(self, name: str, value: object) -> None:
        if name in ("format_turns", "language_detection", "speaker_labels", "session_heartbeat"):
            setattr(self, name, parse_bool(name, value))
        elif name == "filter_profanity":
            self.filter_profanity = parse_bool(name, value)
        elif name in ("sample_rate", "min_turn_silence", "max_turn_silence"):
            setattr(self, name, parse_number(name, value, int))
        elif name in ("end_of_turn_confidence_threshold", "vad_threshold", "inactivity_timeout"):
            setattr(self, name, parse_number(name, value, float))
        elif name == "keyterms_prompt":
            self.keyterms_prompt = self._as_list(name, value)
        elif name in ("speech_model", "encoding", "token"):
            setattr(self, name, str(value))
        else:
            self.other[name] = value

    @staticmethod
    def _as_list(name: str, value: object) -> list[str]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        if isinstance(value, str):
            return parse_list(name, [value])
        raise ParamError(f"Invalid value for {name}: {value!r}")


def parse_query(query: str) -> tuple[SessionParams, dict[str, object]]:
    """Parsed parameters and the decoded raw values (lists decoded, scalars as strings)."""
    raw: dict[str, object] = {}
    params = SessionParams()
    for name, values in parse_qs(query, keep_blank_values=True).items():
        if name in LIST_PARAMS:
            value: object = parse_list(name, values)
        else:
            value = values[-1]
        raw[name] = value
        params.update({name: value})
    return params, raw
