"""The typed settings schema: every setting with its default, range and validation.

One place knows what a setting is. Stores (QSettings in the GUI, nothing in the headless CLI)
only load and save the plain values this module produces; junk values from a damaged store are
replaced by defaults and reported, never raised into the UI.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from caption_app.core.languages import (
    AUTO,
    ENGLISH,
    SPARSE_PARTIAL_MODEL_PREFIXES,
    CloudPlan,
    cloud_plan,
    is_known_language,
    language_name,
)

DEFAULT_API_HOST = "streaming.assemblyai.com"
EU_API_HOST = "streaming.eu.assemblyai.com"
SPEECH_MODELS = (
    "universal-streaming-english",
    "universal-streaming-multilingual",
    "u3-rt-pro",
    "universal-3-5-pro",
    "universal-3-6-pro",
)
TRANSLATION_LAYOUTS = ("both", "translation")
"""With a translation on: the original line with its translation under it, or the translation
alone."""
FIXED_FOR_THE_SESSION = (
    "api_host",
    "speech_model",
    "speaker_labels",
    "language",
    "translate_to",
    "translation_layout",
    "chunk_ms",
    "token_url",
)
"""What a live session keeps from its start; the rest can change mid-session."""
FIXED_FOR_THE_SESSION_TEXT = (
    "Changes to the model, host, speaker labels, language, translation, audio chunk or token "
    "service apply at the next start."
)
MAX_KEYTERMS = 100
MAX_KEYTERM_CHARS = 50
MIN_CHUNK_MS, MAX_CHUNK_MS = 50, 200
MAX_RETENTION_DAYS = 3650


class EngineChoice(StrEnum):
    """Which engine captions: the ``engine`` setting, ``--engine`` and the Engine menu.

    ``core/engines/choice.plan_engines`` is the one place that turns it into engines.
    """

    AUTO = "auto"
    """AssemblyAI when a key or a token service is configured, the local engine otherwise;
    the local engine also stands in when the cloud cannot be reached."""
    ASSEMBLYAI = "assemblyai"
    LOCAL = "local"


class SettingsError(ValueError):
    """A setting value a person typed or a store held is out of range; the message says why."""


@dataclass(frozen=True, slots=True)
class StreamingSettings:
    """What a streaming session needs; documented defaults of Universal-Streaming (2025-09)."""

    api_host: str = DEFAULT_API_HOST
    speech_model: str = SPEECH_MODELS[0]
    format_turns: bool = True
    end_of_turn_confidence_threshold: float = 0.4
    min_turn_silence_ms: int = 400
    max_turn_silence_ms: int = 1280
    keyterms: tuple[str, ...] = ()
    filter_profanity: bool = False
    speaker_labels: bool = False
    language: str = ENGLISH
    """``en`` (English; on this computer the fast tiny.en), ``auto`` (detect it line by line)
    or a language code (``es``)."""
    translate_to: str = ""
    """Translate each line into this language ("" for none; on this computer English only)."""
    translation_layout: str = TRANSLATION_LAYOUTS[0]
    """With a translation: ``both`` (the original, its translation under it) or
    ``translation`` (the translation alone)."""
    chunk_ms: int = 50
    token_url: str = ""
    """Organisation token service; when set, no API key is used (token-service mode)."""

    @property
    def cloud(self) -> CloudPlan:
        """The model and options a cloud connection uses for these choices, and their cost."""
        return cloud_plan(self.speech_model, self.language, self.translate_to)

    @property
    def sparse_partials(self) -> bool:
        return self.cloud.model.startswith(SPARSE_PARTIAL_MODEL_PREFIXES)

    @property
    def language_detection(self) -> bool:
        """Each line carries its spoken language whenever the language is not plain English."""
        return self.language != ENGLISH

    @property
    def translation_only(self) -> bool:
        return bool(self.translate_to) and self.translation_layout == "translation"

    def updated_mid_session(self, new: StreamingSettings) -> tuple[StreamingSettings, bool]:
        """``new`` with what a connection is opened with kept as it is (reconnects included),
        so "at the next start" is true; and whether ``new`` asked to change any of that."""
        fixed = {name: getattr(self, name) for name in FIXED_FOR_THE_SESSION}
        changed = any(getattr(new, name) != value for name, value in fixed.items())
        return dataclasses.replace(new, **fixed), changed

    def validate(self) -> StreamingSettings:
        """Return self when valid; raise SettingsError naming the first bad setting."""
        validate_api_host(self.api_host)
        if self.speech_model not in SPEECH_MODELS:
            raise SettingsError(
                f"Unknown speech model {self.speech_model!r}; choose one of "
                + ", ".join(SPEECH_MODELS)
            )
        if not 0.0 <= self.end_of_turn_confidence_threshold <= 1.0:
            raise SettingsError("End-of-turn confidence must be between 0 and 1.")
        if not 0 <= self.min_turn_silence_ms <= 10_000:
            raise SettingsError("Minimum turn silence must be between 0 and 10000 ms.")
        if not self.min_turn_silence_ms <= self.max_turn_silence_ms <= 10_000:
            raise SettingsError(
                "Maximum turn silence must be at least the minimum and at most 10000 ms."
            )
        validate_keyterms(self.keyterms)
        if self.language not in (ENGLISH, AUTO) and not is_known_language(self.language):
            raise SettingsError(f"Unknown language {self.language!r}: use en, auto or a code.")
        if self.translate_to and not is_known_language(self.translate_to):
            raise SettingsError(f"Cannot translate into {self.translate_to!r}.")
        if self.translate_to and self.translate_to == self.language:
            raise SettingsError(
                f"Captions are already in {language_name(self.language)}: nothing to translate."
            )
        if self.translation_layout not in TRANSLATION_LAYOUTS:
            raise SettingsError("Show the translation under the original line, or alone.")
        if not MIN_CHUNK_MS <= self.chunk_ms <= MAX_CHUNK_MS:
            raise SettingsError(f"Audio chunks must be {MIN_CHUNK_MS}-{MAX_CHUNK_MS} ms.")
        if self.token_url and not self.token_url.startswith(("https://", "http://")):
            raise SettingsError("The token service URL must start with https://")
        return self


def language_overrides(
    language: str | None, translate: str | None, translation_only: bool
) -> dict[str, object]:
    """The streaming settings ``--language``, ``--translate`` and ``--translation-only`` ask
    for (only those given), checked: ``SettingsError`` says what is wrong."""
    overrides: dict[str, object] = {}
    if language:
        overrides["language"] = language.strip().lower()
    if translate:
        overrides["translate_to"] = translate.strip().lower()
    if translation_only:
        if not translate:
            raise SettingsError("--translation-only needs --translate.")
        overrides["translation_layout"] = "translation"
    dataclasses.replace(StreamingSettings(), **overrides).validate()  # type: ignore[arg-type]
    return overrides


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_HOST_FORMS = (
    "a host name such as streaming.assemblyai.com, or a ws:// or wss:// URL such as "
    "ws://127.0.0.1:8765"
)


def validate_api_host(host: str) -> None:
    """A dotted host name (or localhost, or an IP address) with an optional port, or a ws://
    or wss:// URL of one: what the SDK can connect to. Anything else is refused up front."""
    if not host or host.strip() != host:
        raise SettingsError("The API host is empty or has spaces around it.")
    if host.endswith("/"):
        raise SettingsError("The API host must not end with '/'.")
    if "://" in host and not host.startswith(("ws://", "wss://")):
        raise SettingsError(f"The API host must be {_HOST_FORMS}.")
    try:
        parsed = urllib.parse.urlsplit(host if "://" in host else f"wss://{host}")
        name, _port = parsed.hostname, parsed.port
    except ValueError:  # a bad port, or an unbalanced "[" of an IPv6 address
        raise SettingsError(
            f"“{host}” has a bad port; the API host must be {_HOST_FORMS}."
        ) from None
    if parsed.path or parsed.query or parsed.fragment or not name or not _is_host_name(name):
        raise SettingsError(f"“{host}” is not {_HOST_FORMS}.")


def _is_host_name(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return True
    labels = name.rstrip(".").split(".")
    if name == "localhost":
        return True
    return len(labels) >= 2 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def validate_keyterms(terms: tuple[str, ...]) -> None:
    if len(terms) > MAX_KEYTERMS:
        raise SettingsError(f"At most {MAX_KEYTERMS} key terms are allowed ({len(terms)} given).")
    for term in terms:
        if not term.strip():
            raise SettingsError("Key terms must not be empty.")
        if len(term) > MAX_KEYTERM_CHARS:
            raise SettingsError(
                f"Key term {term[:20]!r}… is longer than {MAX_KEYTERM_CHARS} characters; "
                "the service would ignore it."
            )


def parse_keyterms(text: str) -> tuple[str, ...]:
    """One term per line or comma-separated, as people type them; blanks dropped."""
    parts = [p.strip() for line in text.splitlines() for p in line.split(",")]
    return tuple(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class OverlayStyle:
    font_family: str = "DejaVu Sans"
    font_size_pt: int = 28
    text_color: str = "#ffffff"
    background_color: str = "#000000"
    background_opacity: float = 0.75
    outline: bool = True
    lines: int = 2
    finished_lines_only: bool = False
    clear_after_silence_s: int = 8
    """0 keeps the last lines on screen."""
    show_speakers: bool = True
    dock: str = "floating"
    """"floating" (where it is dragged), or "top" / "bottom": docked across that edge of its
    screen, the space reserved so that maximised windows are not covered."""

    def validate(self) -> OverlayStyle:
        if not 12 <= self.font_size_pt <= 96:
            raise SettingsError("Caption font size must be between 12 and 96 pt.")
        if not 1 <= self.lines <= 6:
            raise SettingsError("The overlay shows 1 to 6 lines.")
        if not 0.0 <= self.background_opacity <= 1.0:
            raise SettingsError("Background opacity must be between 0 and 1.")
        for colour in (self.text_color, self.background_color):
            _check_colour(colour)
        if not 0 <= self.clear_after_silence_s <= 600:
            raise SettingsError("Clear-after-silence must be 0-600 seconds.")
        if self.dock not in DOCK_PLACES:
            raise SettingsError(f"The overlay docks at {' or '.join(DOCK_PLACES)}.")
        return self


DOCK_PLACES = ("floating", "top", "bottom")

OVERLAY_PRESETS: Mapping[str, OverlayStyle] = {
    "White on black": OverlayStyle(),
    "Yellow on black (high contrast)": OverlayStyle(
        text_color="#ffff00", background_color="#000000", background_opacity=0.9
    ),
    "Green screen (chroma key)": OverlayStyle(
        text_color="#ffffff", background_color="#00b140", background_opacity=1.0
    ),
}


def _check_colour(colour: str) -> None:
    if len(colour) != 7 or not colour.startswith("#"):
        raise SettingsError(f"Colour {colour!r} must look like #rrggbb.")
    try:
        int(colour[1:], 16)
    except ValueError as exc:
        raise SettingsError(f"Colour {colour!r} must look like #rrggbb.") from exc


@dataclass(frozen=True, slots=True)
class FailoverSettings:
    """engine = auto: when the local engine stands in for a cloud it cannot reach."""

    after_s: float = 5.0
    """A live cloud connection lost this long: go on locally (unreachable at Start: at once)."""
    return_to_cloud: bool = True
    """Back to the cloud at a turn boundary once it answers again; else stay local."""
    probe_every_s: float = 3.0
    """A TCP connect to the cloud while local: nothing is opened, nothing billed."""

    def validate(self) -> FailoverSettings:
        if not 1.0 <= self.after_s <= 60.0:
            raise SettingsError("Switch to this computer after 1-60 seconds.")
        if not 2.0 <= self.probe_every_s <= 300.0:
            raise SettingsError("Check the cloud again every 2-300 seconds.")
        return self


@dataclass(frozen=True, slots=True)
class AppSettings:
    streaming: StreamingSettings = field(default_factory=StreamingSettings)
    overlay: OverlayStyle = field(default_factory=OverlayStyle)
    input_device_id: str = ""
    """Stable device id (host API + name); empty means the system default."""
    engine: EngineChoice = EngineChoice.AUTO
    retention_days: int = 0
    """0 keeps transcripts forever."""
    local_model_dir: str = ""
    """A faster-whisper model folder the person chose; empty looks in the usual places."""
    failover: FailoverSettings = field(default_factory=FailoverSettings)
    input_device_label: str = ""
    """The chosen device's name as the person saw it, for a notice when it is missing."""
    announce_lines: bool = True
    """Announce each finished line to screen readers."""
    local_model: str = ""
    """The local engine's model by name (``core/engines/local/models.py``); empty: the default."""


def to_plain(settings: AppSettings) -> dict[str, Any]:
    """Flatten to ``section/name`` keys holding plain JSON-able values (for any store)."""
    plain: dict[str, Any] = {}
    for section in ("streaming", "overlay", "failover"):
        for f in fields(getattr(settings, section)):
            value = getattr(getattr(settings, section), f.name)
            plain[f"{section}/{f.name}"] = list(value) if isinstance(value, tuple) else value
    plain["input/device_id"] = settings.input_device_id
    plain["input/device_label"] = settings.input_device_label
    plain["engine/name"] = settings.engine.value
    plain["engine/local_model_dir"] = settings.local_model_dir
    plain["engine/local_model"] = settings.local_model
    plain["history/retention_days"] = settings.retention_days
    plain["accessibility/announce_lines"] = settings.announce_lines
    return plain


def from_plain(values: Mapping[str, Any]) -> tuple[AppSettings, list[str]]:
    """Rebuild settings from a store; junk values fall back to defaults, listed as problems."""
    problems: list[str] = []
    streaming = _section(StreamingSettings(), "streaming", values, problems)
    if "streaming/language" not in values and str(
        values.get("streaming/language_detection", "")
    ).lower() in ("true", "1"):
        # The switch it had before languages could be named: detection on means "auto".
        streaming = dataclasses.replace(streaming, language=AUTO)
    overlay = _section(OverlayStyle(), "overlay", values, problems)
    failover = _section(FailoverSettings(), "failover", values, problems)
    base = AppSettings()
    device = _coerce(values.get("input/device_id", ""), "", "input/device_id", problems)
    label = _coerce(values.get("input/device_label", ""), "", "input/device_label", problems)
    name = _coerce(values.get("engine/name", base.engine), "", "engine/name", problems)
    name = {"offline": "local"}.get(name, name)  # the name it had before it existed
    try:
        engine = EngineChoice(name)
    except ValueError:
        problems.append(f"engine/name was {name!r}; using automatic choice")
        engine = base.engine
    model_dir = _coerce(
        values.get("engine/local_model_dir", ""), "", "engine/local_model_dir", problems
    )
    local_model = _coerce(values.get("engine/local_model", ""), "", "engine/local_model", problems)
    retention = _coerce(
        values.get("history/retention_days", 0), 0, "history/retention_days", problems
    )
    if not 0 <= retention <= MAX_RETENTION_DAYS:
        problems.append(
            f"history/retention_days was {retention}, outside 0-{MAX_RETENTION_DAYS}; "
            "keeping transcripts forever"
        )
        retention = 0
    announce = _coerce(
        values.get("accessibility/announce_lines", True),
        True,
        "accessibility/announce_lines",
        problems,
    )
    settings = AppSettings(
        streaming,
        overlay,
        device,
        engine,
        retention,
        model_dir,
        failover,
        label,
        announce,
        local_model,
    )
    return settings, problems


def _section(default: Any, name: str, values: Mapping[str, Any], problems: list[str]) -> Any:
    """One settings section from the store. Every readable, valid value is kept; a value that
    is junk or breaks validation falls back to its default alone, and is listed."""
    section = default
    for f in fields(default):
        key = f"{name}/{f.name}"
        if key not in values:
            continue
        before = len(problems)
        value = _coerce(values[key], getattr(default, f.name), key, problems)
        if len(problems) > before:
            continue
        candidate = dataclasses.replace(section, **{f.name: value})
        try:
            candidate.validate()
        except SettingsError as exc:
            problems.append(f"{key}: {exc} Using the default.")
            continue
        section = candidate
    return section


def _coerce(raw: Any, default: Any, key: str, problems: list[str]) -> Any:
    """Coerce a stored value to the default's type (QSettings returns strings on some OSes)."""
    try:
        if isinstance(default, bool):
            if isinstance(raw, str):
                if raw.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(raw)
                return raw.lower() in ("true", "1")
            return bool(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, tuple):
            if isinstance(raw, str):
                return parse_keyterms(raw)
            return tuple(str(x) for x in raw)
        return str(raw)
    except (TypeError, ValueError, OverflowError):
        problems.append(f"{key} had an unreadable value; using the default")
        return default
