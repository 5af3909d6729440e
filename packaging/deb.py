"""The Debian package: ``python packaging/deb.py dist/caption-app dist`` writes
``dist/caption-app_<version>_amd64.deb`` from a built bundle (``scripts/package --deb``).

Laid out as a desktop application: the bundle in ``/opt/caption-app``, the ``caption-app``
command in ``/usr/bin`` (a link to it), the desktop entry, the icon in every size and the
AppStream metainfo under ``/usr/share``, a manual page made by help2man from ``--help``, the
copyright file and changelog. ``Depends`` is the packages that bring the libraries the bundle
does not ship (``host-libraries.json``), with the minimum versions ``dpkg-shlibdeps`` finds the
bundle's symbols need; the helpers the app finds at run time rather than by linking are
``Recommends``. Built with ``dpkg-deb``, gzip-compressed (this lintian accepts only gzip and xz
members, and xz takes minutes for 20 MB less), owned by root.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from email.utils import format_datetime
from pathlib import Path

import desktop_integration
from elf_files import elf_paths
from host_libraries import MANIFEST

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "caption-app"
PREFIX = Path("opt") / PACKAGE
HERE = Path(__file__).resolve().parent / "deb"
MAINTAINER = "The Caption App developers <caption-app@users.noreply.github.com>"
HOMEPAGE = "https://github.com/caption-app/caption-app"
RECOMMENDS = (
    "pulseaudio-utils",  # pactl: the sound server's microphones and system-audio sources
    "libasound2-plugins",  # ALSA's PulseAudio plugin: capture through PulseAudio or PipeWire
)
DESCRIPTION = """\
live captions for meetings, in an overlay that stays on top
 Caption App captions speech live: your microphone, the other participants
 through system audio, or a media file. The words appear as they are spoken in
 a translucent overlay above the meeting window, and the punctuated sentence
 replaces them when the speaker pauses. Every session is saved as it happens
 and can be exported as text, Markdown, SRT, WebVTT or JSON.
 .
 Captions run on this computer with no account and no network (Whisper
 tiny.en, included), or through AssemblyAI's cloud service with your API key,
 which is kept in the system keyring."""


def version() -> str:
    text = (ROOT / "caption_app" / "__init__.py").read_text()
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise SystemExit("caption_app/__init__.py has no __version__")
    return found.group(1)


def _lay_out(bundle: Path, stage: Path) -> None:
    shutil.copytree(bundle, stage / PREFIX, symlinks=True)
    program = stage / PREFIX / PACKAGE
    for path in (stage / PREFIX).rglob("*"):  # as Debian expects: only programs executable
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or path == program else 0o644)
    command = stage / "usr" / "bin" / PACKAGE
    command.parent.mkdir(parents=True)
    command.symlink_to(Path("/") / PREFIX / PACKAGE)
    desktop_integration.lay_out(stage / "usr" / "share")
    doc = stage / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    shutil.copyfile(HERE / "copyright", doc / "copyright")
    _gzip(_changelog().encode(), doc / "changelog.gz")
    overrides = stage / "usr" / "share" / "lintian" / "overrides" / PACKAGE
    overrides.parent.mkdir(parents=True)
    shutil.copyfile(HERE / "lintian-overrides", overrides)
    _manual_page(stage / PREFIX / PACKAGE, stage / "usr" / "share" / "man" / "man1")


def _gzip(data: bytes, target: Path) -> None:
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as z:
        z.write(data)


def _changelog() -> str:
    when = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(int(when) if when else 0, UTC)
    return (
        f"{PACKAGE} ({version()}) unstable; urgency=medium\n\n"
        f"  * Built from the Caption App repository; see its history for the changes.\n\n"
        f" -- {MAINTAINER}  {format_datetime(stamp)}\n"
    )


def _manual_page(executable: Path, folder: Path) -> None:
    """help2man turns ``--help`` and ``--version`` into caption-app(1); the transcribe
    command's own help is a section of it."""
    folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    transcribe = subprocess.run(
        [str(executable), "transcribe", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".h2m", delete=False) as include:
        include.write("[TRANSCRIBE]\n.nf\n" + transcribe.replace("\\", "\\\\") + ".fi\n")
    try:
        page = subprocess.run(
            [
                "help2man",
                "--no-info",
                "--section=1",
                "--name=live captions for meetings",
                f"--include={include.name}",
                str(executable),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout
    finally:
        os.unlink(include.name)
    _gzip(page.encode(), folder / f"{PACKAGE}.1.gz")


def depends(stage: Path) -> str:
    """The packages that bring the libraries the bundle takes from the host, with the minimum
    version of each that the bundle's symbols need.

    The packages come from the bundle's own list (``host-libraries.json``: every library some
    ELF file needs and the bundle does not ship, and the package that owns it here). The
    versions come from ``dpkg-shlibdeps`` run over every ELF file, which also names packages
    for the libraries the bundle ships (it falls back to the system's copy of each): those
    entries are dropped, so Depends names exactly what comes from the host.
    """
    internal = stage / PREFIX / "_internal"
    wanted = {row["package"] for row in json.loads((internal / MANIFEST).read_text())}
    elves = [str(p) for p in elf_paths(stage / PREFIX)]
    work = stage.parent / "shlibdeps"
    (work / "debian").mkdir(parents=True, exist_ok=True)
    (work / "debian" / "control").write_text(
        f"Source: {PACKAGE}\n\nPackage: {PACKAGE}\nArchitecture: amd64\n"
    )
    done = subprocess.run(
        ["dpkg-shlibdeps", "-O", "--warnings=0", f"-S{stage}", f"-l{internal}", *elves],
        capture_output=True,
        text=True,
        cwd=work,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"dpkg-shlibdeps failed:\n{done.stderr}")
    found = re.search(r"^shlibs:Depends=(.*)$", done.stdout, re.MULTILINE)
    if found is None:
        raise SystemExit(f"dpkg-shlibdeps printed no dependencies:\n{done.stdout}")
    kept = [e for e in found.group(1).split(", ") if e.split()[0] in wanted]
    named = {e.split()[0] for e in kept}
    kept += sorted(wanted - named)  # a library whose package has no symbols file
    return ", ".join(kept)


def _installed_kib(stage: Path) -> int:
    total = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file() and not p.is_symlink())
    return (total + 1023) // 1024


def _control(stage: Path) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version()}\n"
        "Architecture: amd64\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {_installed_kib(stage)}\n"
        f"Depends: {depends(stage)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Section: sound\n"
        "Priority: optional\n"
        f"Homepage: {HOMEPAGE}\n"
        f"Description: {DESCRIPTION}\n"
    )


def _md5sums(stage: Path) -> str:
    lines = []
    for path in sorted(stage.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(stage)}\n")
    return "".join(lines)


def build(bundle: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{PACKAGE}_{version()}_amd64.deb"
    with tempfile.TemporaryDirectory(prefix="caption-app-deb-") as work:
        stage = Path(work) / "root"
        _lay_out(bundle, stage)
        (stage / "DEBIAN").mkdir(mode=0o755)  # before dpkg-shlibdeps: it marks the package's root
        control = _control(stage)
        (stage / "DEBIAN" / "control").write_text(control)
        (stage / "DEBIAN" / "md5sums").write_text(_md5sums(stage))
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(stage), str(target)],
            check=True,
            capture_output=True,
        )
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), Path(sys.argv[2])))
