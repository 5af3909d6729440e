"""Input devices: enumerate, identify by host API + name, find by a typed name, fall back.

Linux: the sound server's sources (PulseAudio or PipeWire, through pactl), including monitor
sources listed as "System audio — <output>". Elsewhere: PortAudio's input devices; on Windows
the optional PyAudioWPatch fork adds WASAPI loopback devices as system-audio entries.
macOS has no system-audio capture API in PortAudio: install a virtual loopback device
(BlackHole, Loopback) and route the output through a Multi-Output Device; it is then listed
here like any microphone.

Indices change when devices come and go, so a device is remembered by `device_id`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from caption_app.core.audio import pulse_sources
from caption_app.core.audio.source import AudioSourceError

PULSE_HOST_API = "PulseAudio"
SYSTEM_AUDIO_PREFIX = "System audio — "
MIXED_PREFIX = "mixed:"
"""Saved input ids of a microphone + system audio pair start so (see ``MixedInput``)."""
MIXED_LABEL = "Microphone + system audio"
NO_DEVICES_MESSAGE = (
    "No audio input devices were found. Connect a microphone (or start the sound server), "
    "then choose Refresh in the Input menu."
)


@dataclass(frozen=True, slots=True)
class InputDevice:
    name: str
    """What a person calls it: the device or source description."""
    host_api: str
    """'PulseAudio' for sound-server sources, else PortAudio's host API (ALSA, Windows WASAPI…)."""
    default_rate: int
    channels: int
    is_default: bool = False
    is_monitor: bool = False
    """System audio: a monitor of an output (Linux) or a WASAPI loopback device (Windows)."""
    key: str = ""
    """What opening it needs: the PulseAudio source name, or PortAudio's device name."""

    @property
    def device_id(self) -> str:
        """Stable across hot-plug and restarts (unlike PortAudio indices)."""
        return f"{self.host_api}:{self.key or self.name}"

    @property
    def label(self) -> str:
        return f"{SYSTEM_AUDIO_PREFIX}{self.name}" if self.is_monitor else self.name


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    device: InputDevice
    notice: str | None
    """Set when the remembered device was missing and the default is used instead."""


def list_devices() -> list[InputDevice]:
    """Re-enumerate now (hot-plug). Linux with a sound server: ~10 ms; PortAudio: ~0.2 s."""
    if sys.platform.startswith("linux"):
        sources = pulse_sources.list_sources()
        if sources is not None:
            return _from_pulse(sources)
    return _from_portaudio()


def _from_pulse(sources: list[pulse_sources.PulseSource]) -> list[InputDevice]:
    devices = [
        InputDevice(
            name=src.monitor_of if src.monitor_of is not None else src.description,
            host_api=PULSE_HOST_API,
            default_rate=src.rate,
            channels=src.channels,
            is_default=src.is_default,
            is_monitor=src.monitor_of is not None,
            key=src.name,
        )
        for src in sources
    ]
    return sorted(devices, key=lambda d: (d.is_monitor, not d.is_default))


def _from_portaudio() -> list[InputDevice]:
    from caption_app.core.audio import portaudio  # PyAudio loads with the first enumeration

    devices: list[InputDevice] = []
    try:
        with portaudio.portaudio() as pa:
            default_index = _default_input_index(pa)
            default_loopback = _default_loopback_index(pa)
            wanted_api = _preferred_host_api(pa)
            for index in range(pa.get_device_count()):
                info: dict[str, Any] = pa.get_device_info_by_index(index)
                loopback = bool(info.get("isLoopbackDevice", False))
                if int(info["maxInputChannels"]) <= 0:
                    continue
                if wanted_api is not None and info["hostApi"] != wanted_api and not loopback:
                    continue
                name = str(info["name"])
                devices.append(
                    InputDevice(
                        name=name.removesuffix(" [Loopback]") if loopback else name,
                        host_api=portaudio.host_api_name(pa, int(info["hostApi"])),
                        default_rate=int(info["defaultSampleRate"]),
                        channels=int(info["maxInputChannels"]),
                        is_default=index == (default_loopback if loopback else default_index),
                        is_monitor=loopback,
                        key=name,
                    )
                )
    except OSError:
        return []
    return sorted(devices, key=lambda d: (d.is_monitor, not d.is_default))


def _default_input_index(pa: Any) -> int | None:
    try:
        return int(pa.get_default_input_device_info()["index"])
    except OSError:
        return None


def _default_loopback_index(pa: Any) -> int | None:
    """PyAudioWPatch (Windows): the loopback of the default output; None elsewhere."""
    finder = getattr(pa, "get_default_wasapi_loopback", None)
    if finder is None:
        return None
    try:
        return int(finder()["index"])
    except (OSError, LookupError, TypeError, ValueError):
        return None


def _preferred_host_api(pa: Any) -> int | None:
    """Windows lists each device under four host APIs; show WASAPI's (or the default's) only."""
    if sys.platform != "win32":
        return None
    from caption_app.core.audio import portaudio

    for index in range(pa.get_host_api_count()):
        if "WASAPI" in portaudio.host_api_name(pa, index):
            return index
    return int(pa.get_default_host_api_info()["index"])


def default_device(devices: list[InputDevice]) -> InputDevice | None:
    microphones = [d for d in devices if not d.is_monitor]
    for device in devices:
        if device.is_default and not device.is_monitor:
            return device
    return microphones[0] if microphones else (devices[0] if devices else None)


def resolve_device(
    device_id: str, devices: list[InputDevice] | None = None, label: str = ""
) -> DeviceChoice:
    """The remembered device, or the default with a notice saying so; raises when there is none.

    ``label`` is the name the person saw when they chose it: the notice names the device by
    it, not by its id."""
    devices = list_devices() if devices is None else devices
    for device in devices:
        if device.device_id == device_id:
            return DeviceChoice(device, None)
    fallback = default_device(devices)
    if fallback is None:
        raise AudioSourceError(NO_DEVICES_MESSAGE)
    if not device_id:
        return DeviceChoice(fallback, None)
    missing = label or device_id.split(":", 1)[-1]
    return DeviceChoice(
        fallback,
        f"The input you chose last time ({missing}) was not connected at the start; "
        f"captions come from {fallback.label}.",
    )


def find_device(name_query: str, devices: list[InputDevice] | None = None) -> InputDevice:
    """--device NAME: case-insensitive match on name or label; exact beats partial."""
    devices = list_devices() if devices is None else devices
    if not devices:
        raise AudioSourceError(NO_DEVICES_MESSAGE)
    query = name_query.strip().casefold()
    for device in devices:
        if query in (device.name.casefold(), device.label.casefold(), device.key.casefold()):
            return device
    partial = [d for d in devices if query in d.label.casefold() or query in d.key.casefold()]
    if len(partial) == 1:
        return partial[0]
    names = ", ".join(f"“{d.label}”" for d in (partial or devices))
    if partial:
        raise AudioSourceError(
            f"“{name_query}” matches several inputs: {names}. Type more of the name."
        )
    raise AudioSourceError(f"No input device matches “{name_query}”. Available: {names}.")


@dataclass(frozen=True, slots=True)
class MixedInput:
    """Microphone + system audio, by device id; an empty id means the default at each start.

    Saved as the input setting in the form ``mixed:<microphone id>|<system audio id>``; that
    string is built and read here only."""

    microphone_id: str = ""
    system_id: str = ""

    @property
    def setting(self) -> str:
        return f"{MIXED_PREFIX}{self.microphone_id}|{self.system_id}"

    @classmethod
    def parse(cls, device_id: str) -> MixedInput | None:
        """The pair a saved input id names, or None when it names one device."""
        if not device_id.startswith(MIXED_PREFIX):
            return None
        microphone, _, system = device_id.removeprefix(MIXED_PREFIX).partition("|")
        return cls(microphone, system)


@dataclass(frozen=True, slots=True)
class MixedChoice:
    microphone: InputDevice
    system: InputDevice
    notice: str | None = None

    @property
    def device_id(self) -> str:
        return MixedInput(self.microphone.device_id, self.system.device_id).setting


def default_system_audio(devices: list[InputDevice]) -> InputDevice | None:
    """The monitor of the default output (what the meeting plays through), else the first."""
    monitors = [d for d in devices if d.is_monitor]
    return next((d for d in monitors if d.is_default), monitors[0] if monitors else None)


NO_SYSTEM_AUDIO_MESSAGE = (
    "No system audio input was found, so the other participants cannot be captioned together "
    "with your microphone. On Linux this needs PulseAudio or PipeWire; on Windows, the "
    "PyAudioWPatch package; on macOS, a virtual loopback device (see the README)."
)


def resolve_mixed(wanted: MixedInput, devices: list[InputDevice] | None = None) -> MixedChoice:
    """The devices for a microphone + system audio pair.

    An empty half means the default: an empty system half follows the default output (where
    the meeting plays) at every start. A named half that is gone falls back to the default
    with a notice; so does a "microphone" that is itself system audio (it would hear the
    others twice and tell nobody apart).
    """
    devices = list_devices() if devices is None else devices
    wanted_mic, wanted_system = wanted.microphone_id, wanted.system_id
    microphones = {d.device_id: d for d in devices if not d.is_monitor}
    monitors = {d.device_id: d for d in devices if d.is_monitor}
    microphone = microphones.get(wanted_mic) or default_device(list(microphones.values()))
    system = monitors.get(wanted_system) or default_system_audio(devices)
    if microphone is None:
        raise AudioSourceError(NO_DEVICES_MESSAGE)
    if system is None:
        raise AudioSourceError(NO_SYSTEM_AUDIO_MESSAGE)
    notes = []
    if wanted_mic and wanted_mic != microphone.device_id:
        name = wanted_mic.split(":", 1)[-1]
        gone = "was not connected at the start"  # (true still once it is plugged back in)
        why = "is system audio, not a microphone" if wanted_mic in monitors else gone
        notes.append(f"{name} {why}; using {microphone.label}.")
    if wanted_system and wanted_system != system.device_id:
        output = wanted_system.split(":", 1)[-1]
        notes.append(f"{output} was not connected at the start; using {system.label}.")
    return MixedChoice(microphone, system, " ".join(notes) or None)
