"""Audio input: devices, system audio and media files as 16 kHz mono s16le chunks (Qt-free)."""

from caption_app.core.audio.capture import DeviceSource, open_device_source
from caption_app.core.audio.devices import (
    DeviceChoice,
    InputDevice,
    default_device,
    find_device,
    list_devices,
    resolve_device,
)
from caption_app.core.audio.media import MediaSource, open_media_source, probe_media
from caption_app.core.audio.silence import SilenceWatch
from caption_app.core.audio.source import AudioChunk, AudioSource, AudioSourceError, EndOfStream

__all__ = [
    "AudioChunk",
    "AudioSource",
    "AudioSourceError",
    "DeviceChoice",
    "DeviceSource",
    "EndOfStream",
    "InputDevice",
    "MediaSource",
    "SilenceWatch",
    "default_device",
    "find_device",
    "list_devices",
    "open_device_source",
    "open_media_source",
    "probe_media",
    "resolve_device",
]
