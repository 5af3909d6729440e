"""Slimming the PyInstaller bundle: what it leaves to the host, what nothing in it loads, and
the symbol tables no code path reads.

Five steps, each checked rather than assumed:

- ``FROM_THE_HOST``: libraries that must match the computer the app runs on (its sound
  configuration and plugins, its graphics driver, its X server library, its fonts), so the
  bundle uses the host's copy, as AppImage's exclude list does for the same reasons. The
  Debian package depends on them; ``caption_app/host_libraries.py`` checks for them at start-up.
- ``prune_orphans``: libraries PyInstaller copied from the build machine that no file left in
  the bundle needs (the GTK theme plugin's dependencies stay behind when the plugin is
  dropped). Found from every file's ``NEEDED`` entries, repeated until nothing changes.
- ``prune_unloadable_plugins``: Qt plugins that need a Qt module the bundle leaves out (the
  Wayland OpenGL buffer integrations need QtOpenGL) could never load: they go too.
- ``drop_build_machine_paths``: a library search path (RUNPATH) that names a folder of the
  build machine (the self-built Python's ``/root/.pyenv/.../lib``) is removed with ``chrpath``,
  in place; the wheels' ``$ORIGIN``-relative paths, which point inside the bundle, stay.
- ``strip_symbols``: ``strip --strip-unneeded`` drops each library's static symbol table (the
  dynamic symbols the loader uses stay). Some wheels' libraries were rewritten by patchelf
  and no longer load once stripped ("ELF load command address/offset not page-aligned",
  NumPy's OpenBLAS): every stripped file is loaded in a child interpreter and put back as it
  was when it does not load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from elf_files import elf_paths, read_bundle, shipped_names

FROM_THE_HOST: dict[str, str] = {
    "libasound.so.2": "ALSA reads the host's configuration and loads the host's plugins "
    "(the PulseAudio and PipeWire bridges), which must match its version",
    "libjack.so.0": "must match the ABI of the host's JACK server",
    "libdb-5.3.so": "needed only by the host's libjack",
    "libfontconfig.so.1": "reads the host's font configuration, whose format moves with it",
    "libfreetype.so.6": "goes with the host's fontconfig",
    "libX11.so.6": "goes with the host's libxcb (which PyInstaller never bundles)",
    "libX11-xcb.so.1": "goes with the host's libxcb",
    "libstdc++.so.6": "the host's graphics driver (Mesa's LLVM) is loaded into the process and "
    "may need a newer libstdc++ than the build machine's",
    "libgcc_s.so.1": "goes with libstdc++",
    "libmvec.so.1": "part of the C library (glibc), which always comes from the host",
    "libz.so.1": "part of every Linux base system",
    "libexpat.so.1": "part of every Linux base system (and needed by fontconfig)",
}
"""Library file name -> why the host's copy is used instead of one in the bundle."""

NEVER_PRUNED = ("libpython",)
"""Loaded by name (the bootloader opens libpython), not through anyone's NEEDED entry."""


def prune_orphans(internal: Path) -> list[str]:
    """Delete the build machine's libraries at the top of ``_internal`` that no file in the
    bundle needs any more; returns their names."""
    removed: list[str] = []
    while True:
        files = read_bundle(internal)
        needed = {name for f in files for name in f.needed}
        orphans = [
            f.path
            for f in files
            if f.path.parent == internal
            and f.path.name.startswith("lib")
            and ".so" in f.path.name
            and not f.path.name.startswith(NEVER_PRUNED)
            and f.path.name not in needed
            and (f.soname is None or f.soname not in needed)
        ]
        if not orphans:
            break
        for path in orphans:
            path.unlink()
            removed.append(path.name)
        shipped = shipped_names(internal, read_bundle(internal))
        for link in internal.iterdir():  # links left pointing at nothing
            if link.is_symlink() and not link.exists() and link.name not in shipped:
                link.unlink()
    return sorted(removed)


def prune_unloadable_plugins(internal: Path) -> list[str]:
    """Delete Qt plugins that need a Qt library the bundle does not ship; returns them."""
    files = read_bundle(internal)
    shipped = shipped_names(internal, files)
    removed = []
    for f in files:
        missing_qt = [n for n in f.needed if n.startswith("libQt6") and n not in shipped]
        if "/plugins/" in str(f.path) and missing_qt:
            f.path.unlink()
            removed.append(str(f.path.relative_to(internal)))
    return sorted(removed)


def _runpath(path: Path) -> str | None:
    dynamic = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout
    for line in dynamic.splitlines():
        if "(RUNPATH)" in line or "(RPATH)" in line:
            return line.split("[", 1)[1].rsplit("]", 1)[0]
    return None


def drop_build_machine_paths(internal: Path) -> list[str]:
    """Remove search paths outside the bundle from every ELF file; returns the paths removed."""
    removed: set[str] = set()
    for path in elf_paths(internal):
        runpath = _runpath(path)
        if runpath is None:
            continue
        entries = runpath.split(":")
        inside = [e for e in entries if e.startswith("$ORIGIN")]
        if len(inside) == len(entries):
            continue
        removed.update(e for e in entries if e not in inside)
        command = ["chrpath", "-r", ":".join(inside)] if inside else ["chrpath", "-d"]
        subprocess.run([*command, str(path)], check=True, capture_output=True)
    return sorted(removed)


_LOAD_CHECK = """
import ctypes, sys
try:
    ctypes.CDLL(sys.argv[1])
except OSError as exc:
    print(exc)
    sys.exit(1)
"""


def _load_error(path: Path, internal: Path) -> str | None:
    """Why the dynamic loader does not open ``path``, or None when it does (in a child
    interpreter of the same Python, so extension modules find the interpreter's symbols)."""
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_CHECK, str(path)],
        capture_output=True,
        env=env,
        text=True,
        timeout=120,
        check=False,
    )
    return None if done.returncode == 0 else done.stdout.strip() or done.stderr[-500:]


def _failing(paths: list[Path], internal: Path) -> list[tuple[Path, str]]:
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        errors = list(pool.map(lambda p: _load_error(p, internal), paths))
    return [(p, e) for p, e in zip(paths, errors, strict=True) if e is not None]


def strip_symbols(internal: Path) -> tuple[int, list[str]]:
    """Strip every library in the bundle, then load each; one that does not load is put back
    as built (and its dependents checked again). Returns the bytes saved and the files kept as
    built."""
    libraries = [p for p in elf_paths(internal) if ".so" in p.name]
    before = sum(p.stat().st_size for p in libraries)
    backups = {p: p.with_name(p.name + ".unstripped") for p in libraries}
    for path, backup in backups.items():  # one at a time: nothing loads while files change
        shutil.copy2(path, backup)
        subprocess.run(["strip", "--strip-unneeded", str(path)], check=True, capture_output=True)
    kept: list[Path] = []
    to_check = list(libraries)
    while failing := _failing(to_check, internal):
        # The files the loader names itself go back first; a file failing only through a
        # dependency is judged again once that dependency is back (a restored file can only
        # mend others, so the files that loaded need no second look).
        named = [p for p, error in failing if error.startswith(str(p))]
        restore = named or [p for p, _ in failing]
        for path in restore:
            backups[path].replace(path)
            kept.append(path)
        to_check = [p for p, _ in failing if p not in restore]
    for path, backup in backups.items():
        if path not in kept:
            backup.unlink()
    saved = before - sum(p.stat().st_size for p in libraries)
    return saved, sorted(str(p.relative_to(internal)) for p in kept)
