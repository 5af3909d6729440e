"""A private PulseAudio server for tests: null sinks fed with known recordings.

The server runs in its own runtime directory with its own socket, so tests never touch (or
depend on) a sound server already on the machine, and CI on a fresh machine starts it all.
Recipe and measurements: shared/docs/test-environment.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

START_TIMEOUT_S = 10.0


class PulseError(RuntimeError):
    pass


class PulseServer:
    """Start with start(), point this process at it with activate(), undo with stop()."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runtime_dir = root / "runtime"
        self.socket = self.runtime_dir / "native"
        self.log_path = root / "pulseaudio.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._modules: list[int] = []
        self._saved_env: dict[str, str | None] = {}

    @property
    def server(self) -> str:
        return f"unix:{self.socket}"

    @property
    def env(self) -> dict[str, str]:
        """Variables that send libpulse clients (pactl, paplay, PortAudio) to this server."""
        return {
            "PULSE_SERVER": self.server,
            "PULSE_RUNTIME_PATH": str(self.runtime_dir),
            "PULSE_STATE_PATH": str(self.root / "state"),
        }

    def _child_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def start(self) -> None:
        exe = shutil.which("pulseaudio")
        if exe is None:
            raise PulseError("pulseaudio is not installed (apt-get install pulseaudio)")
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        (self.root / "state").mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            # -n: no default.pa, only what we load; as root pulseaudio warns, which is fine.
            self._proc = subprocess.Popen(
                [
                    exe,
                    "--daemonize=no",
                    "-n",
                    "--exit-idle-time=-1",
                    "--use-pid-file=no",
                    "--log-target=stderr",
                    f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
                ],
                env=self._child_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PulseError(f"pulseaudio exited: {self.log_path.read_text(errors='replace')}")
            if self.socket.exists() and self._run("info", check=False).returncode == 0:
                return
            time.sleep(0.02)
        self.stop()
        raise PulseError(f"pulseaudio did not answer within {START_TIMEOUT_S} s")

    def activate(self) -> None:
        """Point this process (and so PortAudio's ALSA pulse plugin) at the private server."""
        for key, value in self.env.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def deactivate(self) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()

    def stop(self) -> None:
        self.deactivate()
        for module in reversed(self._modules):
            self._run("unload-module", str(module), check=False)
        self._modules.clear()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    # --- pactl ------------------------------------------------------------------------------

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["pactl", *args],
            env=self._child_env(),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if check and done.returncode != 0:
            raise PulseError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done

    def pactl(self, *args: str) -> str:
        return self._run(*args).stdout

    def load_null_sink(
        self, name: str, rate: int, channels: int, description: str | None = None
    ) -> int:
        """A virtual output whose `<name>.monitor` source hears whatever is played into it."""
        args = [
            "load-module",
            "module-null-sink",
            f"sink_name={name}",
            f"rate={rate}",
            f"channels={channels}",
            "norewinds=1",  # without it the first read stalls ~2 s and loses ~100 ms
        ]
        if description:
            args.append(f"sink_properties=\"device.description='{description}'\"")
        module = int(self.pactl(*args).strip())
        self._modules.append(module)
        return module

    def load_microphone(self, name: str, master: str, description: str) -> int:
        """A source that is not a monitor (what the app lists as a microphone), hearing
        ``master`` (e.g. a null sink's monitor, so what is played there is "spoken")."""
        module = int(
            self.pactl(
                "load-module",
                "module-remap-source",
                f"master={master}",
                f"source_name={name}",
                f"source_properties=\"device.description='{description}'\"",
            ).strip()
        )
        self._modules.append(module)
        return module

    def unload_module(self, module: int) -> None:
        """Unloading a sink while a stream reads its monitor simulates unplugging a device."""
        self.pactl("unload-module", str(module))
        if module in self._modules:
            self._modules.remove(module)

    def set_default_source(self, name: str) -> None:
        self.pactl("set-default-source", name)

    def set_default_sink(self, name: str) -> None:
        self.pactl("set-default-sink", name)

    def play(self, wav: Path, sink: str) -> subprocess.Popen[bytes]:
        """Start paplay; the caller waits on it (bounded) or terminates it."""
        return subprocess.Popen(
            ["paplay", f"--device={sink}", str(wav)],
            env=self._child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
