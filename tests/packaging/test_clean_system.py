"""Installed on a clean Debian 12 system, as a person would: the Debian package with apt, and the
portable archive with ``install.sh --user``; then the self-test, a clip captioned by the local
engine with no network, and ``caption-app --demo`` showing a caption (read back from the screen
by OCR) under Xvfb, all inside the clean system; then removal, which leaves only the person's
own data. The clean system is the base system alone (``mmdebstrap --variant=minbase``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import pytest

from caption_app.exit_codes import ExitCode
from tests.local_engine.speech import normalise, references
from tests.packaging.clean_system import PERSON, CleanSystem
from tests.support.paths import AUDIO_DIR

pytestmark = pytest.mark.timeout(1500)
CLIP = "librivox-austen-0890.wav"
APP_ID = "org.captionapp.CaptionApp"
CAPTION_WAIT_S = 120


def _self_test(system: CleanSystem, command: str) -> dict[str, object]:
    done = system.run(
        f"{command} --self-test --json",
        as_person=True,
        env={"QT_QPA_PLATFORM": "offscreen"},
        check=False,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, object] = json.loads(done.stdout[done.stdout.index("{") :])
    assert report["ok"] is True and report["frozen"] is True
    checks = {c["name"]: c for c in report["checks"]}  # type: ignore[attr-defined]
    for name in ("qt", "host libraries", "engine: local", "data directory", "windows"):
        assert checks[name]["ok"], checks[name]
    assert "sha256 verified" in checks["engine: local"]["detail"]
    return report


def _captions_a_clip_offline(system: CleanSystem, command: str) -> None:
    shutil.copyfile(AUDIO_DIR / CLIP, system.root / "tmp" / CLIP)
    done = system.run(
        f"{command} transcribe /tmp/{CLIP} --engine local",
        as_person=True,
        network=False,
        check=False,
        timeout=300,
    )
    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    error = jiwer.wer(normalise(references()[CLIP]), normalise(done.stdout))
    assert error <= 0.15, done.stdout


def _journals(system: CleanSystem) -> set[Path]:
    folder = system.home() / ".local" / "share" / "caption-app" / "transcripts"
    return set(folder.glob("*.jsonl")) if folder.is_dir() else set()


def _finished_lines(system: CleanSystem, skipped: set[Path] | None = None) -> list[str]:
    lines = []
    for journal in sorted(_journals(system) - (skipped or set())):
        for row in journal.read_text(errors="replace").splitlines():
            try:
                record = json.loads(row)
            except ValueError:
                continue  # the line being written
            if record.get("type") == "turn" and record.get("formatted") and record.get("text"):
                lines.append(str(record["text"]))
    return lines


def _shows_a_caption(system: CleanSystem, command: str, display: str, shots: Path) -> None:
    """``--demo`` under Xvfb inside the clean system (no network): once the transcript holds a
    finished line, the overlay is photographed and OCR must read that line's words in it."""
    earlier = _journals(system)
    app = system.popen(f"{command} --demo", network=False, env={"DISPLAY": display})
    try:
        deadline = time.monotonic() + CAPTION_WAIT_S
        while not (lines := _finished_lines(system, earlier)) and time.monotonic() < deadline:
            assert app.poll() is None, app.communicate()[0]
            time.sleep(0.5)
        assert lines, f"no finished line in {CAPTION_WAIT_S} s"
        time.sleep(1.0)  # the overlay paints the line as the journal records it
        shot = subprocess.run(
            [sys.executable, "-m", "tests.packaging.screen_text", "Live captions", str(shots)],
            capture_output=True,
            text=True,
            env={**os.environ, "DISPLAY": display},
            timeout=60,
            check=False,
        )
        assert shot.returncode == 0, shot.stderr
        seen = set(re.findall(r"[a-z]{4,}", shot.stdout.lower()))
        said = set(re.findall(r"[a-z]{4,}", " ".join(lines[-2:]).lower()))
        assert len(seen & said) >= 2, f"OCR read {shot.stdout!r}; the transcript has {lines}"
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGTERM)
        app.wait(timeout=30)


def test_the_debian_package_installs_from_debian_runs_and_removes_cleanly(
    deb_package: Path, base_system: Path, x_display: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    system = CleanSystem.unpack(base_system, tmp_path / "root")
    before = system.files()
    shutil.copyfile(deb_package, system.root / "tmp" / deb_package.name)
    system.run("apt-get update -qq", timeout=600)
    installed = system.run(
        f"apt-get install -y --no-install-recommends /tmp/{deb_package.name}", timeout=900
    )
    assert "caption-app" in system.run("dpkg-query -W caption-app").stdout
    print(f"\napt-get install (Depends only): {installed.stdout.count('Setting up')} packages")
    owned = system.run("dpkg -L caption-app").stdout.split()
    assert "/usr/bin/caption-app" in owned and "/opt/caption-app/caption-app" in owned

    _self_test(system, "caption-app")
    _captions_a_clip_offline(system, "caption-app")
    _shows_a_caption(system, "caption-app", x_display, tmp_path / "deb-overlay.png")

    system.run("apt-get remove -y --autoremove caption-app", timeout=600)
    status = system.run("dpkg-query -W -f='${db:Status-Abbrev}' caption-app", check=False)
    assert status.stdout.strip() in ("", "un"), status.stdout  # dpkg keeps nothing of it
    assert not [p for p in system.files() if "caption" in p.lower()]
    # What is left besides is the configuration apt keeps of the libraries it removed (font
    # settings): purged too, the system is file for file what it was before the install.
    system.run("dpkg -l | awk '/^rc/ {print $2}' | xargs -r dpkg --purge")
    # dpkg removes /opt once empty: the base system makes it without any package owning it.
    assert system.files() ^ before <= {"opt"}, sorted(system.files() ^ before)
    assert _finished_lines(system), "the person's transcripts must stay"
    print(f"clean-system test of the Debian package: {time.monotonic() - started:.0f} s")


def test_the_portable_archive_installs_for_one_person_and_uninstalls(
    portable_archive: Path, base_system: Path, x_display: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    system = CleanSystem.unpack(base_system, tmp_path / "root")
    shutil.copyfile(portable_archive, system.home() / portable_archive.name)
    folder = portable_archive.name.removesuffix(".tar.gz")
    system.run(f"tar -xzf {portable_archive.name}", as_person=True, timeout=300)
    installed = system.run(f"cd {folder} && ./install.sh --user", as_person=True, timeout=300)
    command = f"/home/{PERSON}/.local/bin/caption-app"
    assert "Caption App is installed" in installed.stdout

    entry = system.home() / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
    validated = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert validated.returncode == 0 and not validated.stdout, validated.stdout
    assert f"Exec=/home/{PERSON}/.local/lib/caption-app/caption-app" in entry.read_text()
    icons = system.home() / ".local" / "share" / "icons" / "hicolor"
    assert len(list(icons.glob("*/apps/caption-app.*"))) >= 10

    # The base system lacks libraries every desktop has (sound, graphics, fonts): the app
    # names them all and their packages, instead of a traceback or Qt's abort ...
    bare = system.run(
        f"{command} --self-test", as_person=True, env={"DISPLAY": x_display}, check=False
    )
    assert bare.returncode == ExitCode.MISSING_LIBRARY, bare.stdout + bare.stderr
    named = re.search(r"sudo apt-get install ([a-z0-9. +-]+?) \(", bare.stderr)
    assert named is not None, bare.stderr
    for library in ("libasound.so.2", "libEGL.so.1", "libxcb.so.1", "libfontconfig.so.1"):
        assert library in bare.stderr, bare.stderr
    assert "Traceback" not in bare.stderr and "qt.qpa" not in bare.stderr
    print(f"\non the bare system: {bare.stderr.strip()}")
    # ... and installing exactly what it names makes it run.
    system.run(f"apt-get update -qq && apt-get install -y --no-install-recommends {named[1]}")

    _self_test(system, command)
    _captions_a_clip_offline(system, command)
    _shows_a_caption(system, command, x_display, tmp_path / "archive-overlay.png")

    removed = system.run(f"/home/{PERSON}/.local/lib/caption-app/uninstall.sh", as_person=True)
    assert "Caption App is removed" in removed.stdout
    local = system.home() / ".local"
    remaining = [str(p.relative_to(local)) for p in local.rglob("*") if "caption" in p.name.lower()]
    assert remaining == ["share/caption-app"], remaining  # the person's data folder only
    assert _finished_lines(system), "the person's transcripts must stay"
    print(f"\nclean-system test of the archive: {time.monotonic() - started:.0f} s")
