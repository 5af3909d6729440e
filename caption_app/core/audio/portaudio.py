"""PyAudio (PortAudio) access: one lock, quiet start-up, errors in words a person understands.

PortAudio's global initialise/terminate and our PULSE_SOURCE trick are process-wide, so every
PyAudio instance is created, opened and terminated under one lock. On Windows the PyAudioWPatch
fork (optional) is used when installed: it adds WASAPI loopback devices for system audio.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

try:  # pragma: no cover - Windows only
    import pyaudiowpatch as pyaudio  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    import pyaudio

PA_LOCK = threading.RLock()
"""Held around PyAudio()/terminate() and stream open: both touch process-wide state."""

# PortAudio error codes (portaudio.h) that deserve their own sentence.
PA_INVALID_DEVICE = -9996
PA_INVALID_SAMPLE_RATE = -9997
PA_DEVICE_UNAVAILABLE = -9985
PA_UNANTICIPATED_HOST_ERROR = -9999

_keep_alive: list[Any] = []
"""ctypes handlers handed to C must outlive the call; also marks "already quieted"."""


def _quiet_native_libraries() -> None:
    """ALSA and JACK print probe failures to stderr on every PortAudio start; hush them."""
    if _keep_alive or not sys.platform.startswith("linux"):
        return
    _keep_alive.append(None)
    alsa_path = ctypes.util.find_library("asound")
    if alsa_path:
        with contextlib.suppress(OSError, AttributeError):
            alsa = ctypes.CDLL(alsa_path)
            handler_type = ctypes.CFUNCTYPE(
                None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
            )
            alsa_handler = handler_type(lambda *_args: None)
            alsa.snd_lib_error_set_handler(alsa_handler)
            _keep_alive.append(alsa_handler)
    jack_path = ctypes.util.find_library("jack")
    if jack_path:
        with contextlib.suppress(OSError, AttributeError):
            jack = ctypes.CDLL(jack_path)
            jack_handler = ctypes.CFUNCTYPE(None, ctypes.c_char_p)(lambda _msg: None)
            jack.jack_set_error_function(jack_handler)
            jack.jack_set_info_function(jack_handler)
            _keep_alive.append(jack_handler)
    # Never let PortAudio's JACK probe start a JACK server.
    os.environ.setdefault("JACK_NO_START_SERVER", "1")


@contextlib.contextmanager
def portaudio() -> Iterator[Any]:
    """A PyAudio instance for a quick look (enumeration); terminated on exit."""
    with PA_LOCK:
        _quiet_native_libraries()
        pa = pyaudio.PyAudio()
    try:
        yield pa
    finally:
        with PA_LOCK:
            pa.terminate()


def new_portaudio() -> Any:
    """A PyAudio instance that lives as long as a capture; release with terminate()."""
    with PA_LOCK:
        _quiet_native_libraries()
        return pyaudio.PyAudio()


def terminate(pa: Any) -> None:
    with PA_LOCK:
        pa.terminate()


@contextlib.contextmanager
def pulse_source_env(source_name: str | None) -> Iterator[None]:
    """Point the next PulseAudio connection at one source (read by libpulse at connect time)."""
    if source_name is None:
        yield
        return
    with PA_LOCK:
        previous = os.environ.get("PULSE_SOURCE")
        os.environ["PULSE_SOURCE"] = source_name
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("PULSE_SOURCE", None)
            else:
                os.environ["PULSE_SOURCE"] = previous


def error_code(exc: BaseException) -> int | None:
    """PyAudio raises OSError(code, text); return the PortAudio code when there is one."""
    if exc.args and isinstance(exc.args[0], int):
        return exc.args[0]
    return None


def host_api_name(pa: Any, index: int) -> str:
    return str(pa.get_host_api_info_by_index(index)["name"])


def paInt16() -> int:
    return int(pyaudio.paInt16)


def pa_continue() -> int:
    return int(pyaudio.paContinue)


def pa_complete() -> int:
    return int(pyaudio.paComplete)
