"""The Debian package as built: what it holds and where, Depends exactly the libraries the
bundle takes from the host, its size, and lintian (each overridden tag explained in the
README). Installing it is test_clean_system.py's job."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from caption_app.core.engines.local.models import BASE

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "org.captionapp.CaptionApp"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
pytestmark = pytest.mark.timeout(900)


def _field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def unpacked(deb_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deb-contents")
    subprocess.run(["dpkg-deb", "-x", str(deb_package), str(root)], check=True)
    return root


def test_it_lays_out_a_desktop_application(unpacked: Path) -> None:
    program = unpacked / "opt" / "caption-app" / "caption-app"
    assert program.is_file() and program.stat().st_mode & 0o777 == 0o755
    command = unpacked / "usr" / "bin" / "caption-app"
    assert command.is_symlink() and str(command.readlink()) == "/opt/caption-app/caption-app"
    share = unpacked / "usr" / "share"
    for size in ICON_SIZES:
        assert (
            share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "caption-app.png"
        ).is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "caption-app.svg").is_file()
    entry = share / "applications" / f"{APP_ID}.desktop"
    validated = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert validated.returncode == 0 and not validated.stdout, validated.stdout
    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    checked = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(metainfo)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert (share / "man" / "man1" / "caption-app.1.gz").is_file()
    assert (share / "doc" / "caption-app" / "copyright").is_file()
    libraries = [p for p in (unpacked / "opt").rglob("*.so*") if p.is_file() and not p.is_symlink()]
    assert libraries and all(p.stat().st_mode & 0o111 == 0 for p in libraries)


def test_depends_names_exactly_the_libraries_taken_from_the_host(
    deb_package: Path, unpacked: Path
) -> None:
    manifest = unpacked / "opt" / "caption-app" / "_internal" / "host-libraries.json"
    wanted = {row["package"] for row in json.loads(manifest.read_text())}
    depends = _field(deb_package, "Depends")
    named = {entry.split()[0] for entry in depends.split(", ")}
    assert named == wanted, depends
    assert {"libc6", "libegl1", "libgl1", "libxcb1", "libasound2"} <= named
    # Nothing the bundle ships is asked of the host.
    for shipped in ("libxcb-cursor0", "libportaudio2", "libssl3", "libglib2.0-0"):
        assert shipped not in named
    assert _field(deb_package, "Recommends") == "pulseaudio-utils, libasound2-plugins"
    print(f"\nDepends: {depends}")


def _weight(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_the_sizes_are_within_budget(deb_package: Path, bundle_folder: Path) -> None:
    """The app with its English model within its budget, and with the multilingual model (an
    optional part, weighed on its own: its weights hardly compress) within the languages
    issue's."""
    unpacked = _weight(bundle_folder)
    multilingual = sum(_weight(bundle_folder / "_internal" / m) for m in BASE.modules)
    compressed = deb_package.stat().st_size
    print(
        f"\nbundle {unpacked / 1e6:.1f} MB ({unpacked / 2**20:.0f} MiB) unpacked, of which "
        f"{BASE.title} {multilingual / 1e6:.1f} MB; package {compressed / 1e6:.1f} MB"
    )
    assert multilingual > 140e6  # the default bundle carries it
    assert compressed - multilingual <= 250e6
    assert unpacked - multilingual <= 450 * 2**20  # du's units, those of the 517 MiB it began at
    assert unpacked <= 700e6


def test_lintian_finds_nothing_but_the_explained_tags(deb_package: Path) -> None:
    done = subprocess.run(
        ["lintian", "--fail-on", "error,warning", "--no-tag-display-limit", str(deb_package)],
        capture_output=True,
        text=True,
        timeout=800,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    overrides = (ROOT / "packaging" / "deb" / "lintian-overrides").read_text()
    tags = set(re.findall(r"^caption-app: ([a-z0-9-]+)", overrides, re.MULTILINE))
    readme = (ROOT / "README.md").read_text()
    assert tags and all(f"`{tag}`" in readme for tag in tags), tags
