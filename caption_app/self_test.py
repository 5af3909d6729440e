"""``caption-app --self-test [--json]``: can Caption App run here, and if not, why.

Each check says what it found in words a person (or a support script) can use: the Qt platform,
the audio host APIs and inputs, the keyring backend by name, whether each engine loads (the
local one with its model found and its sha256 verified), and whether the data directory is
writable. No check prints a secret: the keyring is named, never read.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass

from caption_app import APP_NAME, __version__
from caption_app.core.desktop import Desktop, OverlayPlan
from caption_app.core.settings import EngineChoice

NO_DISPLAY = (
    "No display was found (DISPLAY and WAYLAND_DISPLAY are not set), so the caption window "
    "cannot open. To caption without a window, run: caption-app transcribe FILE (see "
    "caption-app transcribe --help)."
)
NO_XCB_CURSOR = (
    "Qt needs the libxcb-cursor0 library to open windows on X11, and it is not installed. "
    "Install it (Debian/Ubuntu: sudo apt-get install libxcb-cursor0), or caption without a "
    "window: caption-app transcribe FILE."
)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = True
    """False: Caption App still runs without it (no audio inputs: media files still work)."""


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """Why no window can open here (Linux), before Qt would abort on it; None when one can."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return None  # offscreen, minimal, vnc…: no display needed
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return NO_DISPLAY
    uses_xcb = platform.startswith("xcb") or not env.get("WAYLAND_DISPLAY")
    # A bundle ships libxcb-cursor (its host libraries are checked by host_libraries.py).
    if uses_xcb and not is_frozen() and ctypes.util.find_library("xcb-cursor") is None:
        return NO_XCB_CURSOR
    return None


def _check(name: str, probe: Callable[[], str], *, required: bool = True) -> Check:
    try:
        return Check(name, True, probe(), required)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal here
        return Check(name, False, str(exc) or type(exc).__name__, required)


def _audio() -> str:
    from caption_app.core.audio.devices import list_devices

    devices = list_devices()
    apis = sorted({d.host_api for d in devices})
    inputs = ", ".join(d.label for d in devices) or "none (media files can still be captioned)"
    return f"host APIs: {', '.join(apis) or 'none'}; inputs: {inputs}"


def _keyring() -> str:
    from caption_app.core.secrets.store import KeyStore, select_os_keyring

    select_os_keyring()
    store = KeyStore()
    problem = store.problem()
    usable = "usable" if problem is None else f"not usable ({problem})"
    return f"{store.backend_name()}, {usable}"


def _cloud_engine() -> str:
    import assemblyai
    from assemblyai.streaming.v3 import StreamingClient  # noqa: F401 - that it imports

    return f"AssemblyAI SDK {assemblyai.__version__} loads"


def _local_engine() -> str:
    from caption_app.core.engines.local.models import find_model, verify_model

    location = find_model("")
    verify_model(location)
    checked = "sha256 verified" if location.expected_sha256 else "no sha256 to check"
    return f"model from {location.origin} ({location.path}), {checked}"


def _data_directory() -> str:
    from caption_app.core.transcript.paths import transcripts_dir

    folder = transcripts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".self-test-"):
        pass
    return f"{folder} is writable"


def run_checks(qt_platform: str) -> list[Check]:
    from caption_app.host_libraries import bundle_summary, sound_server_tools

    linux = sys.platform.startswith("linux")
    return [
        Check("qt", bool(qt_platform), f"platform {qt_platform or 'none'}"),
        *([_check("host libraries", lambda: bundle_summary(qt_platform))] if linux else []),
        _check("audio", _audio, required=False),
        *([_check("sound server tools", sound_server_tools, required=False)] if linux else []),
        _check("keyring", _keyring, required=False),
        _check(f"engine: {EngineChoice.ASSEMBLYAI}", _cloud_engine, required=False),
        _check(f"engine: {EngineChoice.LOCAL}", _local_engine, required=False),
        _check("data directory", _data_directory),
    ]


def can_run(checks: list[Check]) -> bool:
    """Every required check passed, and at least one engine loads."""
    engines = [c for c in checks if c.name.startswith("engine: ")]
    required = all(c.ok for c in checks if c.required)
    return required and (not engines or any(c.ok for c in engines))


def desktop_checks(desktop: Desktop, plan: OverlayPlan) -> list[Check]:
    """The session type, and whether the overlay can stay on top and let clicks through."""
    on_top = {True: "stays above other windows", False: plan.not_on_top, None: "no desktop"}
    lock = "Lock passes clicks through it" if plan.click_through else plan.no_click_through
    return [
        Check("desktop", True, desktop.name),
        Check(
            "overlay",
            plan.stays_on_top is not False,
            f"{on_top[plan.stays_on_top]}; {lock}",
            required=False,
        ),
    ]


def desktop_summary(desktop: Desktop, plan: OverlayPlan) -> dict[str, object]:
    """For ``--json``: what a support script wants to know about the desktop at a glance."""
    return {
        "session": desktop.session.value,
        "overlay": {
            "stays_on_top": plan.stays_on_top,
            "click_through": plan.click_through,
            "why_not_click_through": plan.no_click_through,
            "what_to_do_when_not_on_top": plan.not_on_top,
        },
    }


def report(
    checks: list[Check],
    *,
    as_json: bool,
    frozen: bool,
    summary: dict[str, object] | None = None,
) -> str:
    ok = can_run(checks)
    if as_json:
        document = {
            "ok": ok,
            "app": APP_NAME,
            "version": __version__,
            "frozen": frozen,
            **(summary or {}),
            "checks": [asdict(c) for c in checks],
        }
        return json.dumps(document, indent=2)
    lines = [f"self-test: {'ok' if ok else 'FAILED'} ({APP_NAME} {__version__})"]
    for c in checks:
        verdict = "ok" if c.ok else ("FAILED" if c.required else "missing")
        lines.append(f"  {verdict}  {c.name}: {c.detail}")
    return "\n".join(lines)


def no_display_report(reason: str, *, as_json: bool) -> str:
    return report([Check("display", False, reason)], as_json=as_json, frozen=is_frozen())


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))
