"""The X11 tests' window manager: mutter managing the Xvfb screen, as on an X11 desktop."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from caption_app.qt.xlib_display import open_display


def _wm_running() -> bool:
    connection = open_display()
    try:
        atom = connection.intern_atom("_NET_SUPPORTING_WM_CHECK")
        return connection.screen().root.get_full_property(atom, 0) is not None
    finally:
        connection.close()


def _compositing() -> bool:
    connection = open_display()
    try:
        owner = connection.get_selection_owner(connection.intern_atom("_NET_WM_CM_S0"))
        return bool(owner)
    finally:
        connection.close()


@pytest.fixture
def window_manager(tmp_path: Path) -> Iterator[None]:
    assert os.environ.get("DISPLAY"), "the x11 tests need an X server: run them under xvfb-run"
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path))
    env.pop("WAYLAND_DISPLAY", None)
    with (tmp_path / "mutter.log").open("wb") as log:
        wm = subprocess.Popen(
            ["dbus-run-session", "--", "mutter", "--x11", "--replace", "--sm-disable"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not _wm_running():
            assert wm.poll() is None, (tmp_path / "mutter.log").read_text()
            assert time.monotonic() < deadline, "mutter did not start managing the display"
            time.sleep(0.2)
        yield
    finally:
        os.killpg(wm.pid, 15)
        wm.wait(timeout=15)
        deadline = time.monotonic() + 15
        while _compositing() and time.monotonic() < deadline:  # the next test starts its own
            time.sleep(0.1)
        assert not _compositing(), "mutter still owns the X screen's compositing"
