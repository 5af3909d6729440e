"""The default overlay style is readable over any page: finished text at 7:1 or more (WCAG AAA),
the dimmed live words at 4.5:1 or more (AA), over black and over white behind the box."""

from __future__ import annotations

import pytest

from caption_app.core.contrast import blend, contrast_ratio
from caption_app.core.settings import OverlayStyle
from caption_app.ui.overlay.lines import DIM_STRENGTH


@pytest.mark.parametrize("page", ["#000000", "#ffffff"])
def test_the_default_style_keeps_its_contrast_over_any_page(page: str) -> None:
    style = OverlayStyle()
    box = blend(style.background_color, page, style.background_opacity)  # what the eye sees
    dimmed = blend(style.text_color, style.background_color, DIM_STRENGTH)
    finished = contrast_ratio(style.text_color, box)
    tail = contrast_ratio(dimmed, box)
    print(f"\nover {page}: finished {finished:.1f}:1, dimmed tail {tail:.1f}:1")
    assert finished >= 7.0
    assert tail >= 4.5


def test_the_old_dimming_would_have_failed() -> None:
    style = OverlayStyle()
    box = blend(style.background_color, "#ffffff", style.background_opacity)
    assert contrast_ratio(blend(style.text_color, style.background_color, 0.6), box) < 4.5
