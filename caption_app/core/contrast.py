"""Colour arithmetic for the overlay: WCAG 2 contrast, outline and dimmed-tail colours.

Kept Qt-free so the contrast rule of the presets is a plain unit test.
"""

from __future__ import annotations

WCAG_AAA = 7.0
"""The contrast ratio the default style must reach (WCAG 2 level AAA for normal text)."""


def _channels(colour: str) -> tuple[int, int, int]:
    if len(colour) != 7 or not colour.startswith("#"):
        raise ValueError(f"colour {colour!r} must look like #rrggbb")
    value = int(colour[1:], 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB ``#rrggbb`` colour, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, 1 (none) to 21 (black on white); symmetric in its arguments."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def outline_colour(text: str) -> str:
    """Black or white, whichever stands out more against the text (for outline and shadow)."""
    black, white = "#000000", "#ffffff"
    return black if contrast_ratio(text, black) >= contrast_ratio(text, white) else white


def blend(top: str, bottom: str, alpha: float) -> str:
    """``top`` at ``alpha`` over opaque ``bottom``, the way a compositor mixes them."""
    mixed = (
        round(t * alpha + b * (1.0 - alpha))
        for t, b in zip(_channels(top), _channels(bottom), strict=True)
    )
    r, g, b = mixed
    return f"#{r:02x}{g:02x}{b:02x}"
