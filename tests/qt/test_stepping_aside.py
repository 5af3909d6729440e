"""Where a dialog of the app goes so the overlay does not cover it (``stepping_aside.py``)."""

from __future__ import annotations

from PySide6.QtCore import QRect

from caption_app.ui.overlay.stepping_aside import FRAME_ALLOWANCE, free_place


def test_a_tall_dialog_just_below_an_overlay_docked_at_the_top_stays_where_it_is() -> None:
    """Third walk B2: docked at the top, Settings, History and Help opened at the screen's
    left edge: a dialog clear of the overlay, though closer to it than the gap a moved one
    keeps, was "moved" sideways to x = 0."""
    area = QRect(0, 0, 1600, 1000)
    overlay = QRect(0, 0, 1600, 111)
    dialog = QRect(420, 111 + FRAME_ALLOWANCE + 4, 760, 860)  # its frame 4 px below it
    assert free_place(dialog, overlay, area) == dialog


def test_a_dialog_clear_of_the_overlay_stays_where_it_is() -> None:
    area = QRect(0, 0, 1600, 1000)
    dialog = QRect(420, 100, 760, 500)
    assert free_place(dialog, QRect(300, 850, 1000, 111), area) == dialog


def test_a_dialog_below_the_overlay_that_runs_off_the_screen_moves_up_into_it() -> None:
    """Seventh walk Y15: Export opened below a mid-screen overlay, clear of it, but its foot
    ran 15 px past the screen's bottom edge (its file list laid out after it was placed)."""
    area = QRect(0, 0, 1600, 1000)
    overlay = QRect(320, 439, 960, 111)
    dialog = QRect(483, 600, 634, 415)  # clear of the overlay, its foot at 1014
    placed = free_place(dialog, overlay, area)
    assert placed is not None and area.contains(placed), placed
    assert not placed.adjusted(0, -FRAME_ALLOWANCE, 0, 0).intersects(overlay), placed
    assert placed.left() == dialog.left()  # moved up, not sideways
