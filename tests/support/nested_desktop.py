"""A real Wayland compositor (weston, KWin or mutter) nested in a private Xvfb, for tests.

The compositor draws its output into an X window on the Xvfb, so a test can click into the
desktop with ``xdotool`` and read its pixels (python-xlib's ``GetImage`` on the Xvfb's root
window) exactly as a person would see them. Each compositor runs its own XWayland; the
environment ``client_env`` gives a program is the one a desktop session sets
(``XDG_SESSION_TYPE=wayland``, ``WAYLAND_DISPLAY``, ``DISPLAY`` of that XWayland,
``XDG_CURRENT_DESKTOP``) and no ``QT_QPA_PLATFORM``.

Recipes from ``shared/docs/test-environment.md``: weston's x11 backend follows the pointer
relatively (the pointer leaves its window and comes back before each click); KWin's binary
carries a file capability this container cannot grant, so a plain copy of it runs; mutter's
XWayland wants the ``XAUTHORITY`` it writes into the runtime folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

WIDTH, HEIGHT = 1280, 800
"""The compositor's output, at the top left of the Xvfb screen."""
XVFB_SCREEN = "1400x900x24"
SOCKET = "wl-caption-test"
START_TIMEOUT_S = 40.0
DESKTOP_NAMES = {"weston": "", "kwin": "KDE", "mutter": "GNOME"}
"""``XDG_CURRENT_DESKTOP`` as each one's desktop session sets it (weston's sets none)."""
WESTON_INI = """[core]
xwayland=true
idle-time=0
[shell]
panel-position=none
locking=false
"""

Pixels = NDArray[np.int16]
T = TypeVar("T")


def missing_programs(name: str) -> list[str]:
    needed = {
        "weston": ["weston", "Xwayland"],
        "kwin": ["kwin_wayland", "Xwayland", "dbus-run-session"],
        "mutter": ["mutter", "Xwayland", "dbus-run-session"],
    }[name]
    return [p for p in ["Xvfb", "xdotool", *needed] if shutil.which(p) is None]


def _descendants(pid: int) -> set[int]:
    """``pid`` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(text.split(" ", 1)[0]))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def _x_displays_of(pid: int) -> list[int]:
    """The X display numbers whose lock file names ``pid`` or one of its processes."""
    ours = _descendants(pid)
    numbers = []
    for lock in glob.glob("/tmp/.X*-lock"):  # where X servers keep their locks
        try:
            owner = int(Path(lock).read_text().strip())
        except (OSError, ValueError):
            continue
        if owner in ours:
            numbers.append(int(Path(lock).name[2:-5]))
    return sorted(numbers)


def _wait_for(what: str, probe: Callable[[], T], process: subprocess.Popen[bytes], log: Path) -> T:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        if process.poll() is not None:
            raise RuntimeError(f"{what}: the process ended:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not ready in {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-3000:]}")


def open_display(name: str, env: dict[str, str] | None = None) -> Any:
    """A python-xlib connection to ``name`` (with ``env``'s ``XAUTHORITY`` while it opens)."""
    from caption_app.qt.xlib_display import open_display as connect

    saved = os.environ.get("XAUTHORITY")
    if env and "XAUTHORITY" in env:
        os.environ["XAUTHORITY"] = env["XAUTHORITY"]
    try:
        return connect(name)
    finally:
        if saved is None:
            os.environ.pop("XAUTHORITY", None)
        else:
            os.environ["XAUTHORITY"] = saved


@dataclass
class NestedDesktop:
    name: str
    folder: Path
    xvfb_display: str = ""
    xwayland_display: str = ""
    runtime_dir: Path = field(default_factory=Path)
    xauthority: str = ""
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    # --- life ---------------------------------------------------------------------------

    def start(self) -> None:
        self.runtime_dir = Path(tempfile.mkdtemp(prefix="cap-rt-"))  # short: socket paths
        self.runtime_dir.chmod(0o700)
        self._start_xvfb()
        log = self.folder / f"{self.name}.log"
        process = self._spawn(self._command(), log, self._compositor_env())
        _wait_for(f"{self.name}'s Wayland socket", (self.runtime_dir / SOCKET).exists, process, log)
        numbers = _wait_for(
            f"{self.name}'s XWayland", lambda: _x_displays_of(process.pid), process, log
        )
        self.xwayland_display = f":{numbers[0]}"  # mutter's public display is its first
        if self.name == "mutter":
            auth = _wait_for(
                "mutter's XWayland authority",
                lambda: glob.glob(str(self.runtime_dir / ".mutter-Xwaylandauth.*")),
                process,
                log,
            )
            self.xauthority = auth[0]
        _wait_for(f"{self.name}'s X server", self._xwayland_answers, process, log)

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # its own group: the session we made
        for process in reversed(self._processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self._processes.clear()
        shutil.rmtree(self.runtime_dir, ignore_errors=True)

    def _spawn(self, command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.folder,
                start_new_session=True,
            )
        self._processes.append(process)
        return process

    def _start_xvfb(self) -> None:
        read, write = os.pipe()
        log = self.folder / "xvfb.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write), "-screen", "0", XVFB_SCREEN, "-nolisten", "tcp"],
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(write,),
                start_new_session=True,
            )
        self._processes.append(process)
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError(f"Xvfb did not start:\n{log.read_text()}")
        self.xvfb_display = f":{number}"

    def _compositor_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY")
        }
        env.update(
            DISPLAY=self.xvfb_display,
            XDG_RUNTIME_DIR=str(self.runtime_dir),
            XDG_CONFIG_HOME=str(self.folder / "compositor-config"),
            HOME=str(self.folder),
        )
        if self.name == "kwin":
            env["KWIN_COMPOSE"] = "Q"  # QPainter: no GPU here
        if self.name == "mutter":
            env["MUTTER_DEBUG_DUMMY_MODE_SPECS"] = f"{WIDTH}x{HEIGHT}"
        return env

    def _command(self) -> list[str]:
        size = ["--width", str(WIDTH), "--height", str(HEIGHT)]
        if self.name == "weston":
            ini = self.folder / "weston.ini"
            ini.write_text(WESTON_INI)
            return [
                "weston",
                "--backend=x11-backend.so",
                "--use-pixman",
                f"--socket={SOCKET}",
                "--xwayland",
                f"--config={ini}",
                f"--width={WIDTH}",
                f"--height={HEIGHT}",
            ]
        if self.name == "kwin":
            # A plain copy: the packaged binary's cap_sys_resource cannot be granted here.
            copy = self.folder / "kwin_wayland"
            shutil.copyfile(shutil.which("kwin_wayland") or "kwin_wayland", copy)
            copy.chmod(0o755)
            return [
                "dbus-run-session",
                "--",
                str(copy),
                "--x11-display",
                self.xvfb_display,
                "--xwayland",
                "--socket",
                SOCKET,
                *size,
            ]
        return [
            "dbus-run-session",
            "--",
            "mutter",
            "--wayland",
            "--nested",
            f"--wayland-display={SOCKET}",
        ]

    def _xwayland_answers(self) -> bool:
        from Xlib import error

        env = {"XAUTHORITY": self.xauthority} if self.xauthority else {}
        try:
            connection = open_display(self.xwayland_display, env)
        except (error.DisplayError, error.ConnectionClosedError, OSError):
            return False
        connection.close()
        return True

    # --- for the programs under test ------------------------------------------------------

    def client_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """What a program started in this desktop session finds in its environment."""
        env = {
            k: v
            for k, v in (base or os.environ).items()
            if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY")
            and not k.startswith("XDG_")
        }
        env.update(
            XDG_SESSION_TYPE="wayland",
            WAYLAND_DISPLAY=SOCKET,
            DISPLAY=self.xwayland_display,
            XDG_RUNTIME_DIR=str(self.runtime_dir),
        )
        if DESKTOP_NAMES[self.name]:
            env["XDG_CURRENT_DESKTOP"] = DESKTOP_NAMES[self.name]
        if self.xauthority:
            env["XAUTHORITY"] = self.xauthority
        return env

    # --- what a person sees and does --------------------------------------------------------

    def screenshot(self) -> Pixels:
        """The compositor's output as RGB, height x width x 3."""
        from Xlib import X

        connection = open_display(self.xvfb_display)
        try:
            root = connection.screen().root
            image = root.get_image(0, 0, WIDTH, HEIGHT, X.ZPixmap, 0xFFFFFFFF)
        finally:
            connection.close()
        raw = np.frombuffer(image.data, dtype=np.uint8).reshape(HEIGHT, WIDTH, 4)
        return raw[..., 2::-1].astype(np.int16)  # BGRX -> RGB

    def _pointer(self, *args: str) -> None:
        env = dict(os.environ, DISPLAY=self.xvfb_display)
        subprocess.run(["xdotool", *args], env=env, check=True, timeout=20)

    def _enter_at(self, x: int, y: int) -> None:
        # Out of the compositor's window and back in: weston follows the pointer relatively.
        self._pointer("mousemove", str(WIDTH + 50), str(HEIGHT + 50), "sleep", "0.2")
        self._pointer("mousemove", str(x), str(y), "sleep", "0.3")

    def click(self, x: int, y: int) -> None:
        self._enter_at(x, y)
        self._pointer("click", "1")

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        self._enter_at(*start)
        self._pointer("mousedown", "1", "sleep", "0.3")
        steps = 8
        for i in range(1, steps + 1):
            x = start[0] + (end[0] - start[0]) * i // steps
            y = start[1] + (end[1] - start[1]) * i // steps
            self._pointer("mousemove", str(x), str(y), "sleep", "0.05")
        self._pointer("sleep", "0.3", "mouseup", "1")
