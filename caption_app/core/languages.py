"""Spoken and written languages: what a person can pick, and what each engine needs for it.

A *language* setting is ``"en"`` (English: Whisper tiny.en on this computer, the fastest),
``"auto"`` (detect it, line by line) or a language code. A *translation* is into one target
language: on this computer Whisper's translate task makes English only; in the cloud the LLM
Gateway translates each finished turn into any language. The cloud's models differ in what they
accept (protocol doc section 11), so the model a connection uses follows from these choices and
is said before it costs anything (``cloud_plan``).
"""

from __future__ import annotations

from dataclasses import dataclass

ENGLISH = "en"
AUTO = "auto"

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "cs": "Czech",
    "ro": "Romanian",
    "hu": "Hungarian",
    "el": "Greek",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
    "id": "Indonesian",
    "vi": "Vietnamese",
    "th": "Thai",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ca": "Catalan",
}
"""Languages offered by name: all of them are Whisper languages, so both engines know them."""

MULTILINGUAL_MODEL_LANGUAGES = frozenset({"en", "es", "fr", "de", "it", "pt"})
"""What universal-streaming-multilingual captions (protocol doc 11)."""
ENGLISH_ONLY_MODELS = frozenset({"universal-streaming-english"})
TRANSLATING_MODELS = ("universal-3-6-pro", "universal-3-5-pro")
"""The LLM Gateway's translation runs on these streaming models only (real-time-translation
page of AssemblyAI's docs)."""
SPARSE_PARTIAL_MODEL_PREFIXES = ("u3", "universal-3")
"""Universal-3 Pro models send no word-by-word partials: one early partial, then one per
pause, so minutes of unbroken speech can pass with no message at all (protocol doc 5.4)."""

TRANSLATION_LLM = "gemini-2.5-flash-lite"
"""The LLM Gateway model of AssemblyAI's real-time translation guide: fast and cheap."""
TRANSLATION_MAX_TOKENS = 1000
TURN_PLACEHOLDER = "{{turn}}"
"""The service puts each final turn's transcript here before the prompt reaches the model."""

USD_PER_HOUR = {
    "universal-streaming-english": 0.15,
    "universal-streaming-multilingual": 0.15,
}
PRO_USD_PER_HOUR = 0.45
"""Universal-3 Pro realtime models: a second-hand figure (protocol doc 11), said as "about"."""


def language_name(code: str | None) -> str:
    if not code:
        return ""
    if code == AUTO:
        return "Detect automatically"
    return LANGUAGE_NAMES.get(code, code)


def is_known_language(code: str) -> bool:
    return code in LANGUAGE_NAMES


def tag(code: str | None) -> str:
    """The short tag a line carries: ``es``; ``es→en`` when only its translation is shown."""
    return code or ""


def translation_prompt(target: str) -> str:
    """The LLM Gateway prompt for one target language; ``{{turn}}`` is left for the service."""
    return (
        f"Translate the following text into {language_name(target)}. Do not write a preamble. "
        f"Return only the translated text.\n\nText: {TURN_PLACEHOLDER}"
    )


def hourly_usd(model: str) -> float:
    return USD_PER_HOUR.get(model, PRO_USD_PER_HOUR)


@dataclass(frozen=True, slots=True)
class CloudPlan:
    """What a cloud connection will use for a language and translation choice, and what it
    costs, said before Start."""

    model: str
    detect_language: bool
    language_codes: tuple[str, ...]
    translate_to: str
    note: str
    """One sentence for a person: the model, why it was chosen, what it costs."""


def cloud_plan(chosen_model: str, language: str, translate_to: str) -> CloudPlan:
    """The model and parameters for the person's choices. The chosen model is kept when it can
    do what was asked; otherwise the cheapest one that can, and the note says so."""
    model = chosen_model
    reason = ""
    if translate_to and model not in TRANSLATING_MODELS:
        model, reason = TRANSLATING_MODELS[0], "translation runs on Universal-3 Pro models only"
    elif language != ENGLISH and model in ENGLISH_ONLY_MODELS:
        if language == AUTO or language in MULTILINGUAL_MODEL_LANGUAGES:
            model = "universal-streaming-multilingual"
        else:
            model = TRANSLATING_MODELS[0]
        reason = f"{chosen_model} captions English only"
    detect = language != ENGLISH
    codes = (language,) if language not in (ENGLISH, AUTO) else ()
    price = hourly_usd(model)
    about = "about " if model not in USD_PER_HOUR else ""
    note = f"{model}, {about}${price:.2f} an hour of connection"
    if reason:
        note += f" ({reason})"
    if translate_to:
        note += (
            f"; each finished line is translated into {language_name(translate_to)} by "
            f"AssemblyAI's LLM Gateway ({TRANSLATION_LLM}), billed per token on top"
        )
    return CloudPlan(model, detect, codes, translate_to, note + ".")
