"""Gaps and markers on the session clock.

A gap is a stretch with no captions, shown to readers as such; a marker is a moment worth a
line of its own in the transcript (captions moved to another engine), with nothing missing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

ON_THIS_COMPUTER = "Captions continue on this computer: "
"""How the marker of the local engine standing in for the cloud begins."""


class GapReason(enum.StrEnum):
    """Why captioning stopped for a while. Saved as its value; a transcript written by a newer
    version may hold a reason not listed here, so ``Gap.reason`` is kept as a plain string."""

    RECONNECT = "reconnect"
    PAUSE = "pause"
    DEVICE = "device"
    """The person picked another input."""
    INPUT_LOST = "input-lost"
    """The input was unplugged or stopped delivering, until another delivered."""
    SWITCH = "switch"
    """Captions moved to another engine and the audio could not all be handed over."""
    ROLLOVER = "rollover"
    """The service's session was renewed and the new one took longer to open than the audio
    kept meanwhile (normally no gap at all)."""


@dataclass(frozen=True, slots=True)
class Gap:
    start_ms: int
    end_ms: int
    reason: str

    @property
    def duration_ms(self) -> int:
        return max(0, self.end_ms - self.start_ms)


@dataclass(frozen=True, slots=True)
class Marker:
    """A line in the transcript at ``at_ms``, e.g. "Captions continue on this computer"."""

    at_ms: int
    text: str


def standing_in_marker(
    cloud: str, *, key_rejected: bool, key_missing: bool = False, why: str = ""
) -> str:
    """The marker where the local engine takes over from ``cloud``; ``why``: what the cloud
    did, said whole ("AssemblyAI … has not answered yet."), when it was not a failure to
    connect."""
    if key_missing:
        return f"{ON_THIS_COMPUTER}no API key for {cloud}."
    if key_rejected:
        return f"{ON_THIS_COMPUTER}{cloud} rejected the key."
    return f"{ON_THIS_COMPUTER}{why or f'{cloud} cannot be reached.'}"


def chosen_here_marker() -> str:
    """The marker where the person moved captions to this computer mid-session."""
    return f"{ON_THIS_COMPUTER}you chose it."


INPUT_MARKER = "Captions continue from "


def input_marker(description: str) -> str:
    """The marker where captions continue from another input (the seventh walk: a change of
    input mid-session was recorded nowhere; the header names the first)."""
    return f"{INPUT_MARKER}{description}."


def input_of(marker: Marker) -> str | None:
    """The input an ``input_marker`` says captions continue from; None for other markers."""
    if not marker.text.startswith(INPUT_MARKER):
        return None
    return marker.text.removeprefix(INPUT_MARKER).removesuffix(".")


def inputs_said(first: str, markers: Iterable[Marker]) -> tuple[str, ...]:
    """The inputs a session captioned, in order: ``first``, then each it continued from (the
    ninth walk: the header, the History and the JSON named only the first). The same input
    again right after itself (a plug back in) is one stretch."""
    said = [first] if first else []
    for marker in sorted(markers, key=lambda m: m.at_ms):
        name = input_of(marker)
        if name and (not said or said[-1] != name):
            said.append(name)
    return tuple(said)


def inputs_fact(inputs: Iterable[str]) -> str:
    """The inputs as a person says them: "Headset Microphone, then USB Microphone"."""
    return ", then ".join(inputs)


def cloud_marker(cloud: str, *, back: bool) -> str:
    """The marker where ``cloud`` takes over from the local engine (``back``: it captioned
    earlier in the session)."""
    return f"Captions {'are back on' if back else 'move to'} {cloud}."


def stood_in_ms(markers: Iterable[Marker], end_ms: int, gaps: Iterable[Gap] = ()) -> int:
    """How long the local engine stood in for the cloud, from the session's markers (each
    stretch runs from its marker to the next marker, or to ``end_ms``), less the gaps in
    those stretches (a pause, an input lost: nothing was captioned then)."""
    stretches, since = [], None
    moves = (m for m in markers if not m.text.startswith(INPUT_MARKER))  # the engine's only
    for marker in sorted(moves, key=lambda m: m.at_ms):
        if since is not None:
            stretches.append((since, marker.at_ms))
        since = marker.at_ms if marker.text.startswith(ON_THIS_COMPUTER) else None
    if since is not None:
        stretches.append((since, end_ms))
    gaps = list(gaps)
    total = 0
    for start, end in stretches:
        missed = sum(max(0, min(end, g.end_ms) - max(start, g.start_ms)) for g in gaps)
        total += max(0, end - start - missed)
    return total
