"""Device list against the real sound server: cheap, stable ids, name lookup, fallback."""

from __future__ import annotations

import re
import time

import pytest

from caption_app.core.audio.devices import find_device, list_devices, resolve_device
from caption_app.core.audio.source import AudioSourceError
from tests.audio.rig import PulseRig

pytestmark = pytest.mark.pulse


def test_listing_is_cheap_enough_for_the_gui_thread(pulse: PulseRig) -> None:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        devices = list_devices()
        timings.append(time.perf_counter() - started)
        assert len(devices) >= 2
    assert min(timings) < 0.2, timings


def test_refresh_sees_a_device_come_and_go(pulse: PulseRig) -> None:
    before = {d.device_id for d in list_devices()}
    module = pulse.server.load_null_sink("captesthotplug", 44_100, 2, "Hot Plugged")
    try:
        added = {d.device_id for d in list_devices()} - before
    finally:
        pulse.server.unload_module(module)
    assert added == {"PulseAudio:captesthotplug.monitor"}
    assert {d.device_id for d in list_devices()} == before


def test_find_device_matches_names_case_insensitively(pulse: PulseRig) -> None:
    devices = list_devices()
    assert find_device("caption test speakers 48K", devices).key == f"{pulse.sink48}.monitor"
    exact = find_device(f"SYSTEM AUDIO — {pulse.description16}", devices)
    assert exact.key == f"{pulse.sink16}.monitor"
    with pytest.raises(AudioSourceError, match="matches several inputs"):
        find_device("caption test", devices)
    with pytest.raises(
        AudioSourceError, match=re.escape("No input device matches “zoom”. Available: ")
    ):
        find_device("zoom", devices)


def test_a_missing_remembered_device_falls_back_to_the_default_with_a_notice(
    pulse: PulseRig,
) -> None:
    devices = list_devices()
    remembered = resolve_device(f"PulseAudio:{pulse.sink48}.monitor", devices)
    assert (remembered.device.key, remembered.notice) == (f"{pulse.sink48}.monitor", None)
    fallback = resolve_device("PulseAudio:usb-headset", devices)
    assert fallback.device.key == f"{pulse.sink16}.monitor"
    assert fallback.notice == (
        "The input you chose last time (usb-headset) was not connected at the start; "
        f"captions come from System audio — {pulse.description16}."
    )
