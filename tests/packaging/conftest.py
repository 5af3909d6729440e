"""What the packaging tests share, built once per run (they all run on one xdist worker, in
the "packaging" group): the bundle, the Debian package, the portable archive, the clean Debian
system and an X display for the install tests. Build times and sizes are printed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.clean_system import base_tarball
from tests.streaming_server.fixtures import streaming_server

__all__ = ["streaming_server"]

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _tool(script: str, *args: str, timeout: float = 900) -> str:
    done = subprocess.run(
        [sys.executable, str(PACKAGING / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="session")
def bundle_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/caption-app built from the spec into a fresh folder (as scripts/package does)."""
    work = tmp_path_factory.mktemp("bundle")
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    started = time.monotonic()
    done = subprocess.run(
        [
            str(pyinstaller),
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(PACKAGING / "caption_app.spec"),
        ],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    folder = work / "dist" / "caption-app"
    print(f"\nbundle built in {time.monotonic() - started:.0f} s; what each part weighs:")
    print(_tool("bundle_parts.py", str(folder)))
    return folder


@pytest.fixture(scope="session")
def bundle(bundle_folder: Path) -> Path:
    return bundle_folder / "caption-app"


@pytest.fixture(scope="session")
def deb_package(bundle_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    started = time.monotonic()
    package = Path(_tool("deb.py", str(bundle_folder), str(tmp_path_factory.mktemp("deb"))))
    took = time.monotonic() - started
    print(f"\n{package.name}: built in {took:.0f} s, {package.stat().st_size / 1e6:.0f} MB")
    return package


@pytest.fixture(scope="session")
def portable_archive(bundle_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    started = time.monotonic()
    out = tmp_path_factory.mktemp("archive")
    archive = Path(_tool("archive.py", str(bundle_folder), str(out)))
    took = time.monotonic() - started
    print(f"\n{archive.name}: built in {took:.0f} s, {archive.stat().st_size / 1e6:.0f} MB")
    return archive


@pytest.fixture(scope="session")
def base_system() -> Path:
    tarball, took = base_tarball()
    print(f"\nclean Debian base system: {f'made in {took:.0f} s' if took else 'cached'}")
    return tarball


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """A private Xvfb screen the clean systems' apps draw on (through its socket in
    /tmp/.X11-unix, which the clean system mounts)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with open(read) as stream:
        number = stream.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)
