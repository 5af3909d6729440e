"""What the bundle needs from the host, found by reading its ELF files: ``host-libraries.json``.

Every library some file of the bundle needs (``NEEDED``) and the bundle does not ship, with the
Debian package that brings it on the build machine (``dpkg -S``) and the group that needs it:
``core`` (needed outside Qt: every command), ``windows`` (Qt, before any window), ``x11`` or
``wayland`` (only that Qt platform). ``caption_app/host_libraries.py`` reads it at start-up and
says which library is missing and which package brings it, instead of Qt's abort.

Run on a bundle: ``python packaging/host_libraries.py dist/caption-app`` prints the table.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from elf_files import needed_from_host, read_bundle

MANIFEST = "host-libraries.json"
GROUPS = ("core", "windows", "x11", "wayland")


def group_of(needer: str) -> str:
    """The group of one file that needs a host library, from its place in the bundle."""
    lowered = needer.lower()
    if "wayland" in lowered or "wlshell" in lowered:
        return "wayland"
    if "xcb" in lowered or re.match(r"lib(x|xcb)[^/]*\.so", lowered):
        return "x11"
    if lowered.startswith(("pyside6/", "shiboken6/", "libqt6", "libpyside6", "libshiboken6")):
        return "windows"
    return "core"


def group_of_library(needers: list[str]) -> str:
    groups = {group_of(n) for n in needers}
    for general in ("core", "windows"):
        if general in groups:
            return general
    return groups.pop() if len(groups) == 1 else "windows"


def _library_paths() -> dict[str, str]:
    """soname -> path, from the loader's cache on this machine (x86-64 entries)."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths: dict[str, str] = {}
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and "x86-64" in match.group(2):
            paths.setdefault(match.group(1), match.group(3))
    return paths


def debian_package(path: str) -> str:
    """The installed Debian package owning ``path`` (tried as is and under /usr)."""
    candidates = [path, str(Path(path).resolve())]
    candidates += ["/usr" + c for c in list(candidates) if not c.startswith("/usr/")]
    for candidate in candidates:
        done = subprocess.run(
            ["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].split(",")[0].strip()
    raise SystemExit(f"no installed Debian package owns {path}: install it and build again")


def host_libraries(folder: Path) -> list[dict[str, str]]:
    internal = folder / "_internal" if (folder / "_internal").is_dir() else folder
    top = internal.parent
    wanted = needed_from_host(top, read_bundle(top))
    paths = _library_paths()
    table = []
    for soname, needers in wanted.items():
        if soname not in paths:
            raise SystemExit(f"{soname} is not installed on this machine: install it first")
        relative = [str(n.relative_to(top)).removeprefix("_internal/") for n in needers]
        table.append(
            {
                "soname": soname,
                "package": debian_package(paths[soname]),
                "group": group_of_library(relative),
                "needed_by": relative[0],
            }
        )
    return table


def write_manifest(internal: Path) -> Path:
    target = internal / MANIFEST
    target.write_text(json.dumps(host_libraries(internal), indent=1) + "\n")
    return target


if __name__ == "__main__":
    for row in host_libraries(Path(sys.argv[1])):
        print(f"{row['soname']:28} {row['package']:22} {row['group']:8} {row['needed_by']}")
