"""The caption overlay, driven through the real widget with updates from the real assembler."""

from __future__ import annotations

import dataclasses
import itertools
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caption_app.core.caption_lines import KEPT_FINISHED_TURNS
from caption_app.core.model.session import SessionState, StateChanged
from caption_app.core.model.turns import SpeakerRevision, TurnMessage, TurnUpdate
from caption_app.core.settings import OverlayStyle
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.qt.settings_store import OverlayPlace, SettingsStore
from caption_app.ui.overlay import geometry as overlay_geometry
from caption_app.ui.overlay.message import BADGE_TEXT, FAILED, STOPPED
from caption_app.ui.overlay.window import CaptionOverlay
from tests.support.painted import PaintedRegions
from tests.support.status import status_after
from tests.support.turn_messages import partials as _partials
from tests.support.turn_messages import turn_message as _msg
from tests.support.work_count import calls_during

# The offscreen platform cannot raise windows; showing a stay-on-top window asks it to.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise")

SENTENCE = "hi my name is sonny"
FORMATTED = "Hi, my name is Sonny."


class Feed:
    """Runs messages through a real TurnAssembler into the overlay, recording what is drawn."""

    def __init__(self, overlay: CaptionOverlay) -> None:
        self.overlay = overlay
        self.assembler = TurnAssembler()
        self.frames: list[str] = []

    def send(self, *messages: TurnMessage) -> list[TurnUpdate]:
        updates = []
        for message in messages:
            for update in self.assembler.apply(0, message):
                updates.append(update)
                self.apply(update)
        return updates

    def apply(self, update: TurnUpdate) -> None:
        self.overlay.apply_update(update)
        self.frames.append(" / ".join(self.overlay.rendered_lines()))

    def shown(self) -> str:
        return " ".join(self.overlay.rendered_lines())


@pytest.fixture
def overlay(qtbot: QtBot) -> Iterator[CaptionOverlay]:
    widget = CaptionOverlay()
    qtbot.addWidget(widget)
    widget.set_style(dataclasses.replace(OverlayStyle(), lines=3, font_size_pt=20))
    widget.resize(700, widget.height())
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def _styled(overlay: CaptionOverlay, **changes: object) -> None:
    overlay.set_style(dataclasses.replace(overlay.style_in_use(), **changes))  # type: ignore[arg-type]


# --- what is drawn ----------------------------------------------------------------------------


def test_window_is_a_frameless_translucent_always_on_top_tool(overlay: CaptionOverlay) -> None:
    flags = overlay.windowFlags()
    for flag in (
        Qt.WindowType.FramelessWindowHint,
        Qt.WindowType.WindowStaysOnTopHint,
        Qt.WindowType.Tool,
    ):
        assert flags & flag == flag
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    assert overlay.accessibleName() == "Live captions"


def test_partials_show_final_words_solid_and_the_tail_dimmed(overlay: CaptionOverlay) -> None:
    feed = Feed(overlay)
    height = overlay.height()
    for message in _partials(0, SENTENCE):
        feed.send(message)
        assert overlay.height() == height  # the box never jumps as the turn grows
    assert feed.frames == ["hi", "hi my", "hi my name", "hi my name is", "hi my name is sonny"]
    (line,) = overlay.rendered_runs()
    assert [(r.text, r.dim) for r in line] == [("hi my name is", False), (" sonny", True)]


def test_end_of_turn_replaces_the_live_text_with_the_formatted_text(
    overlay: CaptionOverlay,
) -> None:
    feed = Feed(overlay)
    feed.send(*_partials(0, SENTENCE))
    words = SENTENCE.split()
    feed.send(_msg(0, words, 5, eot=True, formatted=True, transcript=FORMATTED))
    assert overlay.rendered_lines() == [FORMATTED]
    assert not any(run.dim for line in overlay.rendered_runs() for run in line)
    assert overlay.accessibleDescription() == FORMATTED


def test_legacy_formatted_swap_changes_the_turn_exactly_once(overlay: CaptionOverlay) -> None:
    feed = Feed(overlay)
    words = SENTENCE.split()
    feed.send(*_partials(0, SENTENCE))
    feed.send(_msg(0, words, 5, eot=True))  # unformatted end of turn
    feed.send(*_partials(1, "and you"))
    feed.send(_msg(0, words, 5, eot=True, formatted=True, transcript=FORMATTED))
    feed.send(_msg(0, words, 5, eot=True, formatted=True, transcript=FORMATTED))  # a repeat
    assert feed.frames[4:] == [
        "hi my name is sonny",
        "hi my name is sonny",
        "hi my name is sonny and",
        "hi my name is sonny and you",
        "Hi, my name is Sonny. and you",
    ]
    first_turn = [f.split(" and")[0] for f in feed.frames[4:]]
    changes = sum(a != b for a, b in itertools.pairwise(first_turn))
    assert changes == 1
    assert feed.shown().count("ame is") == 1  # never shown twice


def test_speaker_labels_follow_a_revision(overlay: CaptionOverlay) -> None:
    feed = Feed(overlay)
    feed.send(_msg(0, ["hello"], 1, eot=True, speaker="A"))
    feed.send(_msg(1, ["hi", "there"], 2, eot=True, speaker="B"))
    assert overlay.rendered_lines() == ["A: hello", "B: hi there"]
    for update in feed.assembler.revise_speakers(0, [SpeakerRevision(0, "B", ("B",))]):
        feed.apply(update)
    assert overlay.rendered_lines() == ["B: hello hi there"]
    _styled(overlay, show_speakers=False)
    assert overlay.rendered_lines() == ["hello hi there"]


def test_an_outage_is_said_on_the_overlay_not_left_as_silence(overlay: CaptionOverlay) -> None:
    feed = Feed(overlay)
    words = SENTENCE.split()
    feed.send(_msg(0, words, 5, eot=True, formatted=True, transcript=FORMATTED))
    reconnecting = StateChanged(SessionState.RECONNECTING, "Connecting…")
    overlay.show_status(status_after(reconnecting))
    lines = overlay.rendered_runs()
    said = "Reconnecting… captions resume shortly"
    assert overlay.rendered_lines() == [FORMATTED, said]
    assert lines[-1][0].dim  # drawn dimmed, below the captions it does not replace
    assert overlay.accessibleDescription() == said
    live = StateChanged(SessionState.LIVE, "Live")
    overlay.show_status(status_after(reconnecting, live))
    assert overlay.rendered_lines() == [FORMATTED]
    failed = status_after(live, StateChanged(SessionState.FAILED, "Rejected"))
    overlay.show_status(failed)
    overlay.clear()  # the silence timer clears the captions, never the status
    assert overlay.rendered_lines() == [FAILED]
    _styled(overlay, lines=1)
    feed.send(_msg(1, ["more"], 1, eot=True, transcript="More."))
    assert overlay.rendered_lines() == [FAILED]
    overlay.show_status(status_after(live).ended())  # stopped: captions stay, and it says so
    _styled(overlay, lines=2)
    assert overlay.rendered_lines() == ["More.", STOPPED]


def test_finished_lines_only_hides_the_moving_text(overlay: CaptionOverlay) -> None:
    _styled(overlay, finished_lines_only=True)
    feed = Feed(overlay)
    feed.send(_msg(0, ["first."], 1, eot=True))
    feed.send(*_partials(1, "second turn"))
    assert overlay.rendered_lines() == ["first."]
    feed.send(_msg(1, ["second", "turn"], 2, eot=True))
    assert overlay.rendered_lines() == ["first. second turn"]


@pytest.mark.parametrize("lines", [1, 2, 3, 4, 5, 6])
def test_shows_the_chosen_number_of_lines_newest_at_the_bottom(
    overlay: CaptionOverlay, lines: int
) -> None:
    _styled(overlay, lines=lines)
    feed = Feed(overlay)
    for order in range(12):
        words = [f"w{order}x{i}" for i in range(6)]
        feed.send(_msg(order, words, 6, eot=True))
    shown = overlay.rendered_lines()
    assert len(shown) == lines
    assert shown[-1].endswith("w11x5")
    assert "w0x0" not in " ".join(shown)  # older lines scrolled off the top
    metrics_height = overlay.fontMetrics().height()
    assert overlay.height() >= lines * metrics_height


def test_lines_clear_after_the_configured_silence(overlay: CaptionOverlay, qtbot: QtBot) -> None:
    _styled(overlay, clear_after_silence_s=1)
    feed = Feed(overlay)
    started = time.monotonic()
    feed.send(_msg(0, ["quiet", "now"], 2, eot=True))
    assert overlay.rendered_lines() == ["quiet now"]
    assert overlay.clear_pending()
    qtbot.waitUntil(lambda: overlay.rendered_lines() == [], timeout=3000)
    assert time.monotonic() - started >= 0.9
    feed.send(*_partials(1, "back again"))
    assert overlay.rendered_lines() == ["back again"]


def test_zero_silence_keeps_the_lines(overlay: CaptionOverlay) -> None:
    _styled(overlay, clear_after_silence_s=0)
    Feed(overlay).send(_msg(0, ["stays"], 1, eot=True))
    assert not overlay.clear_pending()
    assert overlay.rendered_lines() == ["stays"]


def test_paints_the_box_at_the_chosen_opacity_with_solid_and_dim_text(
    overlay: CaptionOverlay,
) -> None:
    _styled(overlay, background_color="#000000", background_opacity=0.5, lines=1)
    Feed(overlay).send(_msg(0, ["MMMM", "WWWW"], 1))
    image = overlay.grab().toImage()
    inside = QColor(image.pixelColor(overlay.width() // 2, 2))
    assert inside.alpha() == pytest.approx(128, abs=2)
    assert (inside.red(), inside.green(), inside.blue()) == (0, 0, 0)
    greys = {
        image.pixelColor(x, y).red()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }
    assert 255 in greys  # the final word, solid white
    assert 0x99 in greys  # the tail, dimmed to 60 % of the way from background to white


# --- lock -----------------------------------------------------------------------------------


def test_lock_makes_it_click_through_and_unlock_undoes_it(
    overlay: CaptionOverlay, qtbot: QtBot
) -> None:
    overlay.move(40, 50)
    before = overlay.geometry()
    with qtbot.waitSignal(overlay.lockedChanged) as locked:
        overlay.set_locked(True)
    assert locked.args == [True]
    assert overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert overlay.is_locked() and overlay.isVisible()
    assert overlay.geometry() == before
    assert overlay.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    with qtbot.waitSignal(overlay.lockedChanged) as unlocked:
        overlay.set_locked(False)
    assert unlocked.args == [False]
    assert not overlay.windowFlags() & Qt.WindowType.WindowTransparentForInput
    assert not overlay.is_locked() and overlay.isVisible()
    assert overlay.geometry() == before


def _mouse(
    overlay: CaptionOverlay, kind: QEvent.Type, local: QPointF, held: Qt.MouseButton
) -> None:
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind, local, overlay.mapToGlobal(local), button, held, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(overlay, event)


def test_dragging_the_body_moves_the_overlay(overlay: CaptionOverlay) -> None:
    overlay.move(100, 100)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    _mouse(overlay, QEvent.Type.MouseButtonPress, QPointF(50, 20), left)
    _mouse(overlay, QEvent.Type.MouseMove, QPointF(80, 60), left)
    assert overlay.pos() == QPoint(130, 140)
    _mouse(overlay, QEvent.Type.MouseButtonRelease, QPointF(80, 60), none)
    _mouse(overlay, QEvent.Type.MouseMove, QPointF(10, 10), none)  # no button held: no drag
    assert overlay.pos() == QPoint(130, 140)


# --- position -------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(QSettings(str(tmp_path / "overlay.ini"), QSettings.Format.IniFormat))


def test_position_and_width_persist_across_a_restart(
    overlay: CaptionOverlay, store: SettingsStore, qtbot: QtBot, tmp_path: Path
) -> None:
    overlay.setGeometry(60, 300, 420, overlay.height())
    overlay.save_geometry(store)
    overlay.close()
    reopened_store = SettingsStore(
        QSettings(str(tmp_path / "overlay.ini"), QSettings.Format.IniFormat)
    )
    again = CaptionOverlay()
    qtbot.addWidget(again)
    again.set_style(overlay.style_in_use())
    again.restore_geometry(reopened_store)
    again.show()
    assert again.geometry() == overlay.geometry()


def test_a_saved_screen_that_is_gone_falls_back_to_the_primary_screen(
    overlay: CaptionOverlay, store: SettingsStore
) -> None:
    gone = "HDMI-9_3840x2160_800_0"
    store.save_overlay_place(gone, OverlayPlace(900, 100, 600))
    overlay.restore_geometry(store)
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert area.contains(overlay.geometry())
    assert overlay.geometry().center().x() == pytest.approx(area.center().x(), abs=1)
    assert overlay.geometry().bottom() > area.center().y()  # bottom half, where captions go


def test_a_saved_place_off_the_edge_of_its_screen_is_pulled_back_into_view(
    overlay: CaptionOverlay, store: SettingsStore
) -> None:
    primary = QGuiApplication.primaryScreen()
    area = primary.availableGeometry()
    overlay.setGeometry(area.right() - 500, area.top() + 10, 400, overlay.height())
    overlay.save_geometry(store)
    sid = overlay_geometry.screen_id(primary)
    saved = store.overlay_place(sid)
    assert saved is not None
    store.save_overlay_place(sid, dataclasses.replace(saved, x=area.right() + 5000))
    overlay.restore_geometry(store)
    assert area.contains(overlay.geometry())
    assert overlay.geometry().right() == area.right()
    assert overlay.y() == area.top() + 10


# --- cost -----------------------------------------------------------------------------------


def test_reset_brings_a_lost_or_locked_overlay_back_for_keyboard_users(
    overlay: CaptionOverlay,
) -> None:
    overlay.set_locked(True)
    overlay.move(-5000, -5000)
    overlay.hide()
    overlay.reset_position()
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert area.contains(overlay.geometry())
    assert overlay.isVisible() and not overlay.is_locked()
    overlay.move(area.right() - 10, area.bottom() - 10)  # as if its screen had gone
    overlay.keep_on_screen()
    assert area.contains(overlay.geometry())


def test_update_cost_does_not_grow_with_the_session(overlay: CaptionOverlay) -> None:
    """Counted, not timed: the function calls one turn's updates make, its paint included,
    and the rows repainted, are the same after 20,000 turns as after 100."""
    feed = TurnAssembler()
    painted = PaintedRegions(overlay)

    def work_of_turn(order: int) -> tuple[int, int]:
        words = ["some", "words", f"turn{order}"]
        painted.rects.clear()

        def update_and_paint() -> None:
            for message in (_msg(order, words, 2), _msg(order, words, 3, eot=True)):
                (update,) = feed.apply(0, message)
                overlay.apply_update(update)
            QApplication.processEvents()  # the paint, as the event loop would

        calls = calls_during(update_and_paint)
        return calls, sum(rect.height() for rect in painted.rects)

    for order in range(100):
        work_of_turn(order)
    first = [work_of_turn(order) for order in range(100, 120)]
    for order in range(120, 19_980):
        (update,) = feed.apply(0, _msg(order, ["some", "words", f"turn{order}"], 3, eot=True))
        overlay.apply_update(update)
    last = [work_of_turn(order) for order in range(19_980, 20_000)]
    assert overlay.model().turn_count() <= KEPT_FINISHED_TURNS
    first_calls = statistics.median(calls for calls, _ in first)
    last_calls = statistics.median(calls for calls, _ in last)
    assert last_calls <= first_calls * 1.1 + 10, (first_calls, last_calls)
    first_rows = sum(rows for _, rows in first)
    assert sum(rows for _, rows in last) <= first_rows * 1.1
    assert overlay.rendered_lines()[-1].endswith("turn19999")


def test_the_engine_badge_never_covers_a_word(qtbot: QtBot, overlay: CaptionOverlay) -> None:
    from caption_app.core.model.session import EngineInUse

    text = "consider how much there might be prudently in his power to do for them all"
    Feed(overlay).send(*_partials(0, text))
    overlay.show_status(
        status_after(EngineInUse("Whisper tiny.en on this computer", True, 0.0, True))
    )
    assert overlay.badge() == BADGE_TEXT
    painter = overlay._painter
    badge_left = overlay._badge.x()
    for line in overlay.rendered_lines():
        right = painter.padding_x + painter.metrics.horizontalAdvance(line)
        assert right <= badge_left, (line, right, badge_left)
    overlay.show_status(
        status_after(EngineInUse("AssemblyAI Universal-Streaming", False, 0.15, False))
    )
    assert overlay.badge() == ""


# --- repainting only what changed -------------------------------------------------------------


def _on_screen(overlay: CaptionOverlay) -> QImage:
    """The overlay's pixels as its window holds them (the backing store), not a new render."""
    shown = QGuiApplication.primaryScreen().grabWindow(overlay.winId()).toImage()
    return shown.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


def test_a_new_word_repaints_only_the_bottom_row(overlay: CaptionOverlay) -> None:
    feed = Feed(overlay)
    sentence = "a first turn that fills one line of the box and wraps"
    first = sentence.split()
    feed.send(_msg(0, first, len(first), eot=True))
    feed.send(*_partials(1, "and then")[:1])
    assert len(overlay.rendered_lines()) == 2
    QApplication.processEvents()
    painted = PaintedRegions(overlay)
    feed.send(*_partials(1, "and then")[1:])
    QApplication.processEvents()
    assert painted.rects, "the new word was not painted"
    assert all(r.height() < overlay.height() * 0.6 for r in painted.rects), painted.rects
    assert feed.shown().endswith("and then")


def test_repainting_changed_rows_shows_what_a_whole_repaint_shows(
    overlay: CaptionOverlay,
) -> None:
    """After every update (new words, wraps, ends, formatted swaps, speakers), the window holds
    exactly what painting the whole overlay afresh gives."""
    feed = Feed(overlay)
    messages: list[TurnMessage] = []
    for order in range(6):
        sentence = " ".join(f"word{order}x{n}" for n in range(order * 3 + 2))
        words = sentence.split()
        messages += _partials(order, sentence, start_ms=order * 5000)
        messages.append(_msg(order, words, len(words), eot=True, start_ms=order * 5000))
        speaker = "A" if order % 3 else "B"
        messages.append(
            _msg(
                order,
                words,
                len(words),
                eot=True,
                formatted=True,
                speaker=speaker,
                transcript=sentence.capitalize() + ".",
                start_ms=order * 5000,
            )
        )
    differing = []
    for n, message in enumerate(messages):
        feed.send(message)
        QApplication.processEvents()
        shown = _on_screen(overlay)
        fresh = overlay.grab().toImage().convertToFormat(shown.format())
        if shown != fresh:
            differing.append(n)
    assert len(messages) > 60
    assert not differing, f"{len(differing)} of {len(messages)} updates left stale pixels"
