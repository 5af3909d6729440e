"""The overlay in a Wayland session of weston, KWin and mutter, judged by the desktop's pixels.

Each compositor runs nested in its own Xvfb (``tests/support/nested_desktop.py``); Caption App
starts there as a desktop session would start it (``XDG_SESSION_TYPE=wayland``,
``WAYLAND_DISPLAY``, no ``QT_QPA_PLATFORM``) over a maximised native Wayland "meeting" window.
A person's steps, checked on the screen: click the meeting, and the overlay is still on top;
drag the overlay, and it moves; widen it from its corner; start the app again, and it is
where it was left, as wide; lock it,
and a click on it reaches the meeting while it stays in sight (mutter), or Lock says it is not
available there (KWin, weston). The compositors run on separate pytest-xdist workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.support.nested_desktop import HEIGHT, WIDTH, NestedDesktop, Pixels, missing_programs
from tests.wayland.meeting_window import COLOUR

OVERLAY_OPACITY = 0.75  # OverlayStyle's default background
BEHIND_OVERLAY = np.round(np.array(COLOUR) * (1 - OVERLAY_OPACITY)).astype(np.int16)
TOLERANCE = 8  # per channel: the compositor's rounding
PLACE_TOLERANCE = 12  # px: rounded corners, and the compositor's own rounding of a drag
WAIT_S = 25.0
ROOT = Path(__file__).resolve().parents[2]


def _compositor(name: str) -> object:
    return pytest.param(name, marks=pytest.mark.xdist_group(f"wayland-{name}"))


@pytest.fixture(
    scope="module", params=[_compositor("weston"), _compositor("kwin"), _compositor("mutter")]
)
def desktop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NestedDesktop]:
    name = str(request.param)
    missing = missing_programs(name)
    assert not missing, f"not installed: {missing} (scripts/bootstrap.sh installs them)"
    nested = NestedDesktop(name, tmp_path_factory.mktemp(name))
    nested.start()
    try:
        yield nested
    finally:
        nested.stop()


@dataclass
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def centre(self) -> tuple[int, int]:
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2

    def near(self, other: Box) -> bool:
        return all(
            abs(a - b) <= PLACE_TOLERANCE
            for a, b in zip(self.__dict__.values(), other.__dict__.values(), strict=True)
        )

    def moved(self, dx: int, dy: int) -> Box:
        return Box(self.left + dx, self.top + dy, self.right + dx, self.bottom + dy)


def overlay_box(screen: Pixels) -> Box | None:
    """Where the meeting shows through the overlay's translucent box, or None."""
    behind = (np.abs(screen - BEHIND_OVERLAY) <= TOLERANCE).all(axis=2)
    rows = np.flatnonzero(behind.sum(axis=1) >= 60)
    cols = np.flatnonzero(behind.sum(axis=0) >= 12)
    if len(rows) < 20 or len(cols) < 200:
        return None
    return Box(int(cols[0]), int(rows[0]), int(cols[-1]), int(rows[-1]))


def meeting_point(screen: Pixels, avoid: Box) -> tuple[int, int]:
    """A point where the meeting itself is on the screen, well away from the overlay."""
    meeting = (np.abs(screen - np.array(COLOUR)) <= TOLERANCE).all(axis=2)
    for y in range(60, HEIGHT - 60, 20):
        for x in range(WIDTH - 80, 60, -20):
            clear = meeting[y - 15 : y + 16, x - 15 : x + 16].all()
            far = not (avoid.top - 40 <= y <= avoid.bottom + 40)
            if clear and far:
                return x, y
    raise AssertionError("the meeting window is nowhere on the screen")


def _save_png(screen: Pixels, path: Path) -> None:
    """The screen as a person saw it, for a failure's report."""
    from PySide6.QtGui import QImage

    rgb = np.ascontiguousarray(screen.astype(np.uint8))
    QImage(rgb.data, WIDTH, HEIGHT, WIDTH * 3, QImage.Format.Format_RGB888).save(str(path))


class Session:
    """Caption App and the meeting window, started in the nested desktop with a private home."""

    def __init__(self, desktop: NestedDesktop, home: Path) -> None:
        self.desktop = desktop
        self.home = home
        self.env = desktop.client_env()
        self.env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / "config"),
            CAPTION_APP_DATA_DIR=str(home / "data"),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PYTHONPATH=str(ROOT),
        )
        self.env.pop("ASSEMBLYAI_API_KEY", None)
        self.processes: list[subprocess.Popen[str]] = []
        self.main_window_seen = False

    def spawn(self, *args: str, log: str) -> subprocess.Popen[str]:
        with (self.home / log).open("a") as out:
            process = subprocess.Popen(
                [sys.executable, *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                env=self.env,
            )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        path = self.home / name
        return path.read_text() if path.exists() else ""

    def wait_for(self, what: str, probe: object) -> object:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            value = probe()  # type: ignore[operator]
            if value:
                return value
            time.sleep(0.2)
        logs = {n: self.log(n)[-2000:] for n in ("app.log", "meeting.log")}
        shot = self.home / "screen.png"
        _save_png(self.desktop.screenshot(), shot)
        raise AssertionError(f"{what}, not within {WAIT_S:.0f} s (screen: {shot}); logs: {logs}")

    def start_meeting(self) -> None:
        self.spawn("-m", "tests.wayland.meeting_window", log="meeting.log")
        self.wait_for("the meeting window is shown", lambda: "shown" in self.log("meeting.log"))

    def start_app(self) -> subprocess.Popen[str]:
        self.main_window_seen = False
        app = self.spawn("-m", "caption_app", log="app.log")
        self.wait_for("the main window is out of the way", self._main_window_unmapped)
        screen = self.desktop.screenshot
        self.wait_for("the overlay is on the screen", lambda: overlay_box(screen()))
        return app

    def _main_window_unmapped(self) -> bool:
        """The main window would cover part of the overlay: minimised, as a person would put
        it away (it stays a window of the app: KWin hides an inactive app's utility windows).
        Weston's window manager does not minimise X windows: there it is unmapped, until it
        stays so (the window may still be being shown)."""
        search = ["xdotool", "search", "--onlyvisible", "--name", "^Caption App$"]
        if self.desktop.name != "weston":
            self._run([*search[:2], "--sync", *search[2:], "windowminimize", "%@"])
            time.sleep(1.0)  # mutter keeps a minimised X window mapped: nothing to wait on
            return True
        if self._run(search):
            self._run([*search, "windowunmap", "%@"])
            self.main_window_seen = True
            return False
        time.sleep(0.5)
        return self.main_window_seen and not self._run(search)

    def _run(self, command: list[str]) -> str:
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=20, check=False
        )
        return done.stdout.strip()

    def stop(self, process: subprocess.Popen[str]) -> None:
        process.terminate()
        process.wait(timeout=15)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.stop(process)

    def meeting_clicks(self) -> list[tuple[int, int]]:
        lines = [
            ln.split() for ln in self.log("meeting.log").splitlines() if ln.startswith("click")
        ]
        return [(int(x), int(y)) for _, x, y in lines]

    def steady_box(self) -> Box:
        """The overlay's box once it stops moving (two screenshots agree)."""

        def settled() -> Box | None:
            first = overlay_box(self.desktop.screenshot())
            time.sleep(0.3)
            second = overlay_box(self.desktop.screenshot())
            return first if first is not None and first == second else None

        box = self.wait_for("the overlay is on the screen, still", settled)
        assert isinstance(box, Box)
        return box


@pytest.fixture
def session(desktop: NestedDesktop, tmp_path: Path) -> Iterator[Session]:
    running = Session(desktop, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def test_the_overlay_stays_on_top_moves_and_comes_back_where_it_was_left(
    session: Session, desktop: NestedDesktop
) -> None:
    session.start_meeting()
    app = session.start_app()
    shown = session.steady_box()

    # A click on the maximised meeting behind the overlay: the meeting has it, and the overlay
    # is still drawn on top of it.
    point = meeting_point(desktop.screenshot(), shown)
    desktop.click(*point)
    session.wait_for("the meeting got the click", session.meeting_clicks)
    time.sleep(1.0)
    assert session.steady_box().near(shown), "the overlay left the top after the meeting's click"

    # Dragged by its body to the top of the screen, and it follows.
    grab = (shown.left + 120, shown.bottom - 20)
    dx, dy = 60 - shown.left, 60 - shown.top
    desktop.drag(grab, (grab[0] + dx, grab[1] + dy))
    dragged = session.steady_box()
    assert dragged.near(shown.moved(dx, dy)), (
        f"dragged to {dragged}, expected {shown.moved(dx, dy)}"
    )

    # Widened from its corner grip.
    corner = (dragged.right - 4, dragged.bottom - 4)
    desktop.drag(corner, (corner[0] + 120, corner[1]))
    widened = session.steady_box()
    wanted = Box(dragged.left, dragged.top, dragged.right + 120, dragged.bottom)
    assert widened.near(wanted), f"widened to {widened}, expected {wanted}"
    dragged = widened

    # Started again: it comes back where it was left, as wide as it was made.
    time.sleep(1.0)  # the place is saved once the overlay has settled
    session.stop(app)
    session.start_app()
    restored = session.steady_box()
    assert restored.near(dragged), f"restored at {restored}, left at {dragged}"


def _self_test(session: Session) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "caption_app", "--self-test", "--json"],
        capture_output=True,
        text=True,
        env=session.env,
        timeout=120,
        check=False,
    )
    assert done.stdout, done.stderr
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def test_lock_passes_clicks_through_or_says_it_cannot(
    session: Session, desktop: NestedDesktop
) -> None:
    report = _self_test(session)
    overlay = report["overlay"]
    assert isinstance(overlay, dict)
    assert report["session"] == "Wayland through XWayland"
    assert overlay["stays_on_top"] is True
    session.start_meeting()
    session.start_app()
    shown = session.steady_box()
    locked = subprocess.run(
        [sys.executable, "-m", "caption_app", "--toggle", "lock"],
        capture_output=True,
        text=True,
        env=session.env,
        timeout=60,
        check=False,
    )
    assert locked.returncode == 0, locked.stderr
    assert "already running" in locked.stdout, "a second launch must hand over, not start anew"
    time.sleep(1.0)
    before = len(session.meeting_clicks())
    desktop.click(*shown.centre)
    time.sleep(1.5)
    after = session.steady_box()
    _save_png(desktop.screenshot(), session.home / "after-click.png")
    assert after.near(shown), f"the overlay must stay in sight, locked or not ({session.home})"
    clicks = session.meeting_clicks()[before:]
    if desktop.name == "mutter":
        assert overlay["click_through"] is True
        assert clicks, "the locked overlay kept the click from the meeting"
        x, y = clicks[-1]
        assert abs(x - shown.centre[0]) <= 3 and abs(y - shown.centre[1]) <= 3
    else:
        assert overlay["click_through"] is False
        assert "not available" in str(overlay["why_not_click_through"])
        assert not clicks, "Lock is said to be unavailable here, so the click is the overlay's"
