"""The portable archive for any Linux distribution: ``python packaging/archive.py
dist/caption-app dist`` writes ``dist/caption-app-<version>-linux-x86_64.tar.gz``.

Inside one folder: the bundle (``caption-app/``), the desktop entry, icons and metainfo
(``share/``), ``install.sh --user`` (everything under ``~/.local``, no root) and
``uninstall.sh``, from ``packaging/portable/``. gzip, not zstd: every base system unpacks it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import desktop_integration
from deb import version

PORTABLE = Path(__file__).resolve().parent / "portable"
README = """\
Caption App {version}: live captions for meetings.

Install it for yourself (no administrator rights needed):

    ./install.sh --user

Then open Caption App from your desktop's menu. To remove it: ./uninstall.sh

Caption App takes a few libraries from your system (the C library, the graphics driver's libEGL
and libGL, libxcb, ALSA, the font libraries). If one is missing it says which, and the package
that brings it, when it starts. Check everything with: caption-app --self-test
"""


def build(bundle: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    name = f"caption-app-{version()}-linux-x86_64"
    target = (out / f"{name}.tar.gz").resolve()
    with tempfile.TemporaryDirectory(prefix="caption-app-archive-") as work:
        top = Path(work) / name
        shutil.copytree(bundle, top / "caption-app", symlinks=True)
        desktop_integration.lay_out(top / "share")
        for script in ("install.sh", "uninstall.sh"):
            shutil.copy2(PORTABLE / script, top / script)
        (top / "README.txt").write_text(README.format(version=version()))
        subprocess.run(
            ["tar", "--owner=0", "--group=0", "--numeric-owner", "-czf", str(target), name],
            cwd=work,
            check=True,
        )
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), Path(sys.argv[2])))
