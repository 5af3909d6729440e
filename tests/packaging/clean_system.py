"""A clean Debian 12 system for install tests: nothing but the base system, in a folder.

``mmdebstrap --variant=minbase`` (the packages of priority "required" and apt, from Debian's
mirrors) makes it once; the tarball is cached for a week under
``~/.cache/caption-app/clean-system`` (a cold build takes about a minute) and unpacked afresh
for each test. Commands run in it with ``chroot``, inside a private mount namespace
(``unshare --mount``) holding its ``/proc``, ``/dev`` and ``/dev/shm``, so nothing is mounted on
the host and nothing is left mounted when a command ends; ``network=False`` adds a network
namespace with no interface up. Downloaded packages are kept in the cache for the next run;
since two tests may install at once on different workers and apt locks that shared folder,
a command that runs apt waits for a lock held on the host (``flock``) rather than fail.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUITE = "bookworm"
SOURCES = (
    f"deb http://deb.debian.org/debian {SUITE} main",
    f"deb http://deb.debian.org/debian {SUITE}-updates main",
    f"deb http://deb.debian.org/debian-security {SUITE}-security main",
)
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caption-app"
FRESH_FOR_S = 7 * 24 * 3600
PERSON = "person"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def base_tarball() -> tuple[Path, float]:
    """The cached base system (made now when missing or older than a week), and how long
    making it took (0 when cached)."""
    folder = CACHE / "clean-system"
    folder.mkdir(parents=True, exist_ok=True)
    tarball = folder / f"debian-{SUITE}-minbase.tar"
    if tarball.is_file() and time.time() - tarball.stat().st_mtime < FRESH_FOR_S:
        return tarball, 0.0
    started = time.monotonic()
    partial = tarball.with_suffix(".partial.tar")
    subprocess.run(
        [
            "mmdebstrap",
            "--quiet",
            "--variant=minbase",
            "--mode=root",
            SUITE,
            str(partial),
            *SOURCES,
        ],
        check=True,
        capture_output=True,
        timeout=900,
    )
    partial.replace(tarball)
    return tarball, time.monotonic() - started


class CleanSystem:
    """One unpacked base system; ``run`` executes a shell command in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.archives = CACHE / "clean-system" / "apt-archives"

    @classmethod
    def unpack(cls, tarball: Path, root: Path) -> CleanSystem:
        root.mkdir(parents=True)
        subprocess.run(
            ["tar", "-xf", str(tarball), "-C", str(root)], check=True, capture_output=True
        )
        system = cls(root)
        shutil.copyfile("/etc/resolv.conf", root / "etc" / "resolv.conf")
        system.run(f"useradd --create-home --shell /bin/bash {PERSON}")
        return system

    def home(self) -> Path:
        return self.root / "home" / PERSON

    def run(
        self,
        command: str,
        *,
        network: bool = True,
        as_person: bool = False,
        env: dict[str, str] | None = None,
        timeout: float = 600,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        with self._archives_lock(held="apt-get" in command):
            done = subprocess.run(
                self.command(command, network=network, as_person=as_person, env=env),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{command!r} exited with {done.returncode} in the clean system:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    @contextmanager
    def _archives_lock(self, *, held: bool) -> Iterator[None]:
        """The shared download folder, to one apt at a time across test workers."""
        if not held:
            yield
            return
        self.archives.mkdir(parents=True, exist_ok=True)
        with open(self.archives.parent / "apt-archives.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def popen(
        self, command: str, *, network: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(command, network=network, as_person=True, env=env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def command(
        self,
        command: str,
        *,
        network: bool,
        as_person: bool,
        env: dict[str, str] | None,
    ) -> list[str]:
        root = shlex.quote(str(self.root))
        self.archives.mkdir(parents=True, exist_ok=True)
        environment = {"PATH": PATH, "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
        if as_person:
            environment |= {"HOME": f"/home/{PERSON}", "USER": PERSON, "LOGNAME": PERSON}
        else:
            environment |= {"HOME": "/root"}
        environment |= env or {}
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in environment.items())
        user = f"--userspec={PERSON}:{PERSON} " if as_person else ""
        x11 = Path("/tmp/.X11-unix")
        setup = [
            f"mount --rbind /dev {root}/dev",
            f"mount -t tmpfs -o mode=1777 shm {root}/dev/shm",
            f"mount -t proc proc {root}/proc",
            f"mount --bind {shlex.quote(str(self.archives))} {root}/var/cache/apt/archives",
        ]
        if x11.is_dir():
            setup += [
                f"mkdir -p {root}/tmp/.X11-unix",
                f"mount --bind /tmp/.X11-unix {root}/tmp/.X11-unix",
            ]
        script = " && ".join(
            [
                *setup,
                f"exec chroot {user}{root} /usr/bin/env -i {assignments} "
                f"/bin/sh -c {shlex.quote('cd && ' + command)}",
            ]
        )
        namespaces = ["--mount", "--propagation", "private"] + ([] if network else ["--net"])
        return ["unshare", *namespaces, "--fork", "/bin/sh", "-c", script]

    def files(self) -> set[str]:
        """Every path of the system, except what changes on its own (logs, caches, apt's and
        dpkg's state, temporary files) and the person's home."""
        skipped = (
            *("proc", "dev", "sys", "tmp", "run", "var/log", "var/cache", "var/lib/apt"),
            *("var/lib/dpkg", "home", "root"),
        )
        found = set()
        for path in self.root.rglob("*"):
            relative = str(path.relative_to(self.root))
            if not relative.startswith(skipped):
                found.add(relative)
        return found
