"""A real Secret Service (gnome-keyring) on a private D-Bus session bus, for the keyring tests.

Nothing needs to be running beforehand: this starts its own ``dbus-daemon`` and a
``gnome-keyring-daemon`` whose login keyring lives in a fresh temporary home and is created and
unlocked with the password "test". The test process only sees ``DBUS_SESSION_BUS_ADDRESS``;
``HOME``/``XDG_*`` are changed for the daemons alone, so other tests keep their environment.

Several fixtures may need it in one pytest run (tests/keyring and tests/qt), so the instance is
shared and reference-counted: the last user to leave tears it down.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.core
from keyring.backend import KeyringBackend

from caption_app.core.secrets.store import select_os_keyring

SECRETS_BUS_NAME = "org.freedesktop.secrets"
KEYRING_PASSWORD = b"test"
START_TIMEOUT_S = 10.0
PR_SET_PDEATHSIG = 1
STOP_TIMEOUT_S = 5.0


class SecretServiceError(RuntimeError):
    """The private Secret Service could not be started."""


@dataclass
class SecretServiceEnv:
    bus_address: str
    bus: subprocess.Popen[bytes]
    keyring_daemon: subprocess.Popen[bytes]
    home: str


def _daemon_env(home: str) -> dict[str, str]:
    env = dict(os.environ)
    runtime = os.path.join(home, "run")
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    env.update(
        HOME=home,
        XDG_DATA_HOME=os.path.join(home, "data"),
        XDG_CONFIG_HOME=os.path.join(home, "config"),
        XDG_CACHE_HOME=os.path.join(home, "cache"),
        XDG_RUNTIME_DIR=runtime,
    )
    for name in ("DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "DISPLAY"):
        env.pop(name, None)
    return env


def _die_with_parent() -> None:
    """Runs in the child before exec: a killed pytest (timeout, ^C twice) takes it along."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start_bus(env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    # --nofork keeps the bus our child, so it can be told to die with this process.
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - started from the main thread, no locks held
    )
    assert bus.stdout is not None
    ready, _, _ = select.select([bus.stdout], [], [], START_TIMEOUT_S)
    address = bus.stdout.readline().decode().strip() if ready else ""
    if not address:
        bus.kill()
        bus.wait(STOP_TIMEOUT_S)
        raise SecretServiceError("dbus-daemon printed no address")
    return address, bus


def _name_has_owner(bus_address: str, name: str) -> bool:
    out = subprocess.run(
        [
            "dbus-send",
            f"--bus={bus_address}",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{name}",
        ],
        capture_output=True,
        timeout=STOP_TIMEOUT_S,
        check=False,
    )
    return out.returncode == 0 and b"boolean true" in out.stdout


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT_S)
    if process.stdout is not None:
        process.stdout.close()


def start_secret_service() -> SecretServiceEnv:
    """Start a private bus and an unlocked gnome-keyring on it; point this process at it."""
    home = tempfile.mkdtemp(prefix="caption-keyring-")
    env = _daemon_env(home)
    bus_address, bus = _start_bus(env)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus_address
    try:
        # --foreground keeps the daemon our child, so teardown knows exactly what to stop.
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - as for the bus
        )
        assert daemon.stdin is not None
        daemon.stdin.write(KEYRING_PASSWORD)
        daemon.stdin.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _name_has_owner(bus_address, SECRETS_BUS_NAME):
            if daemon.poll() is not None or time.monotonic() > deadline:
                _stop(daemon)
                raise SecretServiceError("gnome-keyring-daemon did not claim the Secret Service")
            time.sleep(0.05)
    except BaseException:
        _stop(bus)
        shutil.rmtree(home, ignore_errors=True)
        raise
    return SecretServiceEnv(bus_address, bus, daemon, home)


def stop_secret_service(service: SecretServiceEnv) -> None:
    _stop(service.keyring_daemon)
    _stop(service.bus)
    shutil.rmtree(service.home, ignore_errors=True)


_lock = threading.Lock()
_shared: SecretServiceEnv | None = None
_users = 0
_saved_bus: str | None = None
_saved_backend: KeyringBackend | None = None


def _forget_detection() -> None:
    # keyring caches the list of viable backends for the life of the process
    # (jaraco.functools.once); the bus changed, so that list is stale.
    with contextlib.suppress(AttributeError):
        del keyring.backend.get_all_keyring.saved_result


def _select_backend() -> KeyringBackend:
    """Let keyring choose its backend afresh, as the app does at start-up."""
    _forget_detection()
    select_os_keyring()
    return keyring.get_keyring()


@contextlib.contextmanager
def secret_service() -> Iterator[SecretServiceEnv]:
    """Use the shared private Secret Service; keyring's own detection must pick it."""
    global _shared, _users, _saved_bus, _saved_backend
    with _lock:
        if _shared is None:
            _saved_bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
            _saved_backend = keyring.core._keyring_backend  # None: not chosen yet
            _shared = start_secret_service()
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = _shared.bus_address
        _users += 1
        service = _shared
    try:
        backend = _select_backend()
        name = f"{type(backend).__module__}.{type(backend).__qualname__}"
        if name != "keyring.backends.SecretService.Keyring":
            raise SecretServiceError(f"keyring chose {name}, not the Secret Service")
        yield service
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _shared is not None:
                stop_secret_service(_shared)
                _shared = None
                if _saved_bus is None:
                    os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
                else:
                    os.environ["DBUS_SESSION_BUS_ADDRESS"] = _saved_bus
                _forget_detection()
                keyring.core._keyring_backend = _saved_backend  # type: ignore[assignment]


@contextlib.contextmanager
def keyring_backend(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make ``backend`` keyring's selected backend for a while, then restore the previous one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
