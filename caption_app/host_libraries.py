"""The bundle's start-up check: the libraries it needs from this computer are here.

A PyInstaller bundle ships most of its libraries but takes a few from the host: the C library,
the graphics driver's libEGL and libGL, libxcb and Wayland's client libraries, ALSA, JACK and
the font libraries (``packaging/slimming.py`` says why each). ``packaging/host_libraries.py``
lists them at build time, with the Debian package that brings each, in ``host-libraries.json``
inside the bundle. Before anything loads them, this module opens each one the command needs, so
a missing library is named with the package to install instead of a traceback or Qt's abort.

Outside a bundle there is no list and nothing to check: Python's own packages bring the
libraries (``self_test.display_problem`` still catches Qt's missing ``libxcb-cursor0``).

Optional helpers the app finds at run time, not by linking, are reported by ``--self-test``:
``pactl`` (the sound server's inputs) and ALSA's PulseAudio plugin (capture through PulseAudio
or PipeWire).
"""

from __future__ import annotations

import ctypes
import json
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "host-libraries.json"
ALSA_PLUGIN_FOLDERS = (
    "/usr/lib/x86_64-linux-gnu/alsa-lib",
    "/usr/lib64/alsa-lib",
    "/usr/lib/alsa-lib",
)


@dataclass(frozen=True, slots=True)
class HostLibrary:
    soname: str
    package: str
    """The Debian package that brings it (the name on Ubuntu too)."""
    group: str
    """core (every command), windows (Qt), x11 or wayland (that Qt platform only)."""


@dataclass(frozen=True, slots=True)
class Missing:
    library: HostLibrary
    reason: str


def manifest_path() -> Path | None:
    """The bundle's list, or None when not running from a bundle."""
    folder = getattr(sys, "_MEIPASS", None)
    return Path(folder) / MANIFEST if folder else None


def read_manifest(path: Path) -> list[HostLibrary]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [HostLibrary(r["soname"], r["package"], r["group"]) for r in rows]


def qt_platforms(environ: Mapping[str, str]) -> list[str]:
    """The Qt platforms Qt would try, in order, as library groups ("x11", "wayland", or
    none for offscreen and the like)."""
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        names = [n.split(":")[0] for n in chosen.split(";") if n]
    elif environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland":
        names = ["wayland", "xcb"]
    else:
        names = ["xcb"]
    return [{"xcb": "x11", "wayland": "wayland"}.get(n, "") for n in names]


def _opens(soname: str) -> str | None:
    """None when the loader finds and opens ``soname``; else the loader's reason."""
    try:
        ctypes.CDLL(soname)
    except OSError as exc:
        return str(exc)
    return None


def missing(libraries: list[HostLibrary], groups: set[str]) -> list[Missing]:
    found = []
    for library in libraries:
        if library.group in groups and (reason := _opens(library.soname)) is not None:
            found.append(Missing(library, reason))
    return found


def missing_for(
    command: str | None, environ: Mapping[str, str], manifest: Path | None
) -> tuple[list[Missing], bool]:
    """Every library missing for ``command`` ("transcribe", or None for the window), all at
    once so one install brings them all; and whether only the window is kept from opening."""
    if manifest is None or not manifest.is_file():
        return [], False
    libraries = read_manifest(manifest)
    core = missing(libraries, {"core"})
    if command == "transcribe":
        return core, False
    window = missing(libraries, {"windows"})
    # Qt takes the first platform that loads: only when none can is the first one's lack told.
    per_platform = [missing(libraries, {p}) if p else [] for p in qt_platforms(environ)]
    if all(per_platform):
        window += per_platform[0]
    found = core + window
    return found, bool(found) and not core


def describe(found: list[Missing], *, for_windows: bool) -> str:
    """One message naming each missing library and the command that installs them."""
    what = "open its windows" if for_windows else "run"
    names = "; ".join(
        f"{m.library.soname} (Debian/Ubuntu package {m.library.package})" for m in found
    )
    packages = " ".join(sorted({m.library.package for m in found}))
    message = (
        f"Caption App cannot {what} on this computer: {len(found)} "
        f"{'library it needs is' if len(found) == 1 else 'libraries it needs are'} missing: "
        f"{names}. Install {'it' if len(found) == 1 else 'them'} with: "
        f"sudo apt-get install {packages} (on other distributions, the package that provides "
        f"each file named)."
    )
    if for_windows:
        message += " Captioning without a window still works: caption-app transcribe FILE."
    return message


def bundle_summary(qt_platform: str) -> str:
    """``--self-test``'s line on a bundle's host libraries (raises when one is missing)."""
    manifest = manifest_path()
    if manifest is None:
        return "not a bundle: Python's packages bring the libraries"
    libraries = read_manifest(manifest)
    platform = {"xcb": "x11", "wayland": "wayland"}.get(qt_platform.split(":", maxsplit=1)[0], "")
    groups = {"core", "windows", platform}
    absent = missing(libraries, groups)
    if absent:
        raise RuntimeError(describe(absent, for_windows=False))
    checked = sum(1 for library in libraries if library.group in groups)
    return f"all {checked} libraries the bundle takes from this computer are here"


def sound_server_tools() -> str:
    """``--self-test``'s line on what microphone and system-audio capture use on Linux."""
    lacking = []
    if shutil.which("pactl") is None:
        lacking.append("pactl, which lists the inputs (package pulseaudio-utils)")
    if not any(
        Path(folder, "libasound_module_pcm_pulse.so").is_file() for folder in ALSA_PLUGIN_FOLDERS
    ):
        lacking.append(
            "ALSA's PulseAudio plugin, through which inputs are captured (package "
            "libasound2-plugins)"
        )
    if lacking:
        raise RuntimeError("missing: " + "; ".join(lacking) + "; media files still work")
    return "pactl and ALSA's PulseAudio plugin are installed"
