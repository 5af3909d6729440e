"""The transcript view, fed by the real TurnAssembler, on real Qt widgets (offscreen)."""

# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import ctypes
import ctypes.util
import statistics
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from caption_app.core.model.gaps import Gap, GapReason, Marker
from caption_app.core.model.turns import SpeakerRevision, TurnMessage, TurnUpdate
from caption_app.core.streaming.assembler import TurnAssembler
from caption_app.ui.transcript.view import RELEASE_LAYOUTS_EVERY, TranscriptView
from tests.support.painted import PaintedRegions
from tests.support.turn_messages import partials as _partials
from tests.support.turn_messages import turn_message as _msg
from tests.support.work_count import calls_during

SENTENCE = "hi my name is sonny"
FORMATTED = "Hi, my name is Sonny."


class Feed:
    """Real turn assembly into the view."""

    def __init__(self, view: TranscriptView) -> None:
        self.view = view
        self.assembler = TurnAssembler()

    def send(self, *messages: TurnMessage, stream: int = 0) -> list[TurnUpdate]:
        updates = []
        for message in messages:
            for update in self.assembler.apply(stream, message):
                updates.append(update)
                self.view.apply_update(update)
        return updates

    def finished_turn(self, order: int, sentence: str, start_ms: int, stream: int = 0) -> None:
        words = sentence.split()
        self.send(
            _msg(order, words, len(words), eot=True, formatted=True, start_ms=start_ms),
            stream=stream,
        )


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[TranscriptView]:
    widget = TranscriptView()
    qtbot.addWidget(widget)
    widget.resize(500, 200)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def _lines(view: TranscriptView) -> list[str]:
    return view.plain_text().split("\n")


def test_partials_grow_in_place_with_the_tail_dimmed(view: TranscriptView) -> None:
    feed = Feed(view)
    doc = view.editor.document()
    for message in _partials(0, SENTENCE, start_ms=65_000):
        feed.send(message)
        assert doc.blockCount() == 1
    assert _lines(view) == ["00:01:05  hi my name is sonny"]
    block = doc.firstBlock()
    fragments = []
    it = block.begin()
    while not it.atEnd():
        fragment = it.fragment()
        fragments.append((fragment.text(), fragment.charFormat().foreground().color().name()))
        it += 1
    solid = next(colour for text, colour in fragments if text == "hi my name is")
    dim = next(colour for text, colour in fragments if text == " sonny")
    assert solid != dim


def test_end_of_turn_and_legacy_swap_rewrite_the_same_block(view: TranscriptView) -> None:
    feed = Feed(view)
    feed.send(*_partials(0, SENTENCE))
    words = SENTENCE.split()
    feed.send(_msg(0, words, 5, eot=True))  # unformatted end of turn
    doc = view.editor.document()
    assert doc.blockCount() == 1
    assert _lines(view) == ["00:00:00  hi my name is sonny"]
    feed.send(*_partials(1, "next one", start_ms=2_000))
    assert doc.blockCount() == 2
    (update,) = feed.send(_msg(0, words, 5, eot=True, formatted=True, transcript=FORMATTED))
    assert update.kind.value == "replaced"
    assert doc.blockCount() == 2
    assert _lines(view) == ["00:00:00  Hi, my name is Sonny.", "00:00:02  next one"]


def test_finished_turns_stay_above_the_live_turn(view: TranscriptView) -> None:
    feed = Feed(view)
    feed.send(*_partials(0, "first words here"))
    feed.send(_partials(0, "from another stream", start_ms=1_000)[0], stream=1)
    feed.finished_turn(0, "Stream one ends.", 1_000, stream=1)  # not the first live block
    feed.finished_turn(0, "First words here.", 0)
    feed.send(*_partials(1, "still talking", start_ms=4_000))
    feed.finished_turn(1, "Still talking.", 4_000)
    assert _lines(view) == [
        "00:00:01  Stream one ends.",
        "00:00:00  First words here.",
        "00:00:04  Still talking.",
    ]


def test_a_turn_the_service_moved_past_is_kept_as_heard(view: TranscriptView) -> None:
    feed = Feed(view)
    feed.send(*_partials(0, "never ended"))
    feed.send(*_partials(1, "the next", start_ms=3_000))
    assert _lines(view) == ["00:00:00  Never ended…", "00:00:03  the next"]


def test_relabelled_turn_shows_the_new_speaker(
    view: TranscriptView,
) -> None:
    feed = Feed(view)
    words = SENTENCE.split()
    feed.send(_msg(0, words, 5, eot=True, formatted=True, transcript=FORMATTED, speaker="A"))
    feed.finished_turn(1, "Later.", 5_000)
    assert _lines(view)[0] == "00:00:00  Speaker A: Hi, my name is Sonny."
    for update in feed.assembler.revise_speakers(0, [SpeakerRevision(0, "B")]):
        view.apply_update(update)
    assert _lines(view) == ["00:00:00  Speaker B: Hi, my name is Sonny.", "00:00:05  Later."]


def test_gaps_are_marked_between_turns(view: TranscriptView) -> None:
    feed = Feed(view)
    feed.finished_turn(0, "Before the drop.", 0)
    feed.send(*_partials(0, "after", start_ms=20_000), stream=1)
    view.add_gap(Gap(5_000, 17_000, GapReason.RECONNECT))
    assert _lines(view) == [
        "00:00:00  Before the drop.",
        "00:00:05  — 12 s not captioned: no connection —",
        "00:00:20  after",
    ]


def test_clear_empties_everything(view: TranscriptView) -> None:
    feed = Feed(view)
    feed.finished_turn(0, "Something.", 0)
    view.clear()
    assert view.plain_text() == ""
    Feed(view).finished_turn(0, "Fresh start.", 0)
    assert _lines(view) == ["00:00:00  Fresh start."]


def _fill(feed: Feed, count: int, first_order: int = 0) -> None:
    for i in range(count):
        feed.finished_turn(first_order + i, f"Sentence number {first_order + i}.", i * 1000)


def test_follows_the_end_until_scrolled_up_and_resumes_at_the_bottom(
    view: TranscriptView, qtbot: QtBot
) -> None:
    feed = Feed(view)
    bar = view.editor.verticalScrollBar()
    _fill(feed, 60)
    assert bar.maximum() > 0
    assert view.follows_end()
    assert bar.value() == bar.maximum()
    bar.triggerAction(bar.SliderAction.SliderPageStepSub)  # what a person's Page Up does
    assert not view.follows_end()
    held = bar.value()
    assert held < bar.maximum()
    _fill(feed, 30, first_order=60)
    feed.send(*_partials(90, "live words at the end"))
    QApplication.processEvents()
    assert bar.value() == held
    assert not view.follows_end()
    bar.triggerAction(bar.SliderAction.SliderToMaximum)
    assert view.follows_end()
    _fill(feed, 10, first_order=91)
    QApplication.processEvents()
    assert bar.value() == bar.maximum()


_MALLINFO2_FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO2_FIELDS.split()]


def _allocated_bytes() -> int:
    """Bytes the C heap has handed out and not had back (glibc's ``mallinfo2``): Qt's own
    memory, which no Python measure sees."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.mallinfo2.restype = _MallInfo2
    return int(libc.mallinfo2().uordblks)


def test_a_long_session_lets_go_of_the_layouts_of_lines_out_of_view(
    view: TranscriptView,
) -> None:
    """Qt keeps every laid-out block's shaped text (about 4 KB a turn, the 8-hour soak's
    biggest growth); the view lets it go while it follows the end, and still shows the end
    as a whole repaint would."""
    feed = Feed(view)
    bar = view.editor.verticalScrollBar()
    editor = view.editor

    def wrapping(order: int) -> str:
        return f"Sentence number {order}, long enough to wrap onto a second line in this window."

    for order in range(RELEASE_LAYOUTS_EVERY - 1):
        feed.finished_turn(order, wrapping(order), order * 1000)
    QApplication.processEvents()
    held = _allocated_bytes()
    last_order = RELEASE_LAYOUTS_EVERY - 1
    feed.finished_turn(last_order, wrapping(last_order), last_order * 1000)
    QApplication.processEvents()
    freed = held - _allocated_bytes()
    # Measured: about 2.5 KB a turn of these lines (4 KB for a turn of ten words).
    assert freed > RELEASE_LAYOUTS_EVERY * 1_000, freed
    assert editor.document().blockCount() == RELEASE_LAYOUTS_EVERY
    last = editor.document().lastBlock()
    assert last.lineCount() == 2  # the lines wrap
    where = editor.blockBoundingGeometry(last).translated(editor.contentOffset())
    assert where.top() >= 0 and where.bottom() <= editor.viewport().height(), where
    assert bar.value() == bar.maximum()
    assert _lines(view)[-1].endswith(wrapping(last_order))
    shown = _on_screen(view)
    assert shown == editor.viewport().grab().toImage().convertToFormat(shown.format())
    bar.setValue(0)  # the first lines are laid out again when they are shown
    QApplication.processEvents()
    assert _lines(view)[0].endswith(wrapping(0))
    shown = _on_screen(view)
    assert shown == editor.viewport().grab().toImage().convertToFormat(shown.format())


def test_reading_back_keeps_its_place_while_layouts_would_be_let_go(
    view: TranscriptView,
) -> None:
    """While the person reads back up, their place rests on the lines laid out: nothing is
    let go until they are at the end again."""
    feed = Feed(view)
    bar = view.editor.verticalScrollBar()
    _fill(feed, 60)
    bar.triggerAction(bar.SliderAction.SliderPageStepSub)
    held = bar.value()
    _fill(feed, RELEASE_LAYOUTS_EVERY + 10, first_order=60)
    QApplication.processEvents()
    assert bar.value() == held
    bar.triggerAction(bar.SliderAction.SliderToMaximum)
    QApplication.processEvents()
    before = _allocated_bytes()
    _fill(feed, 1, first_order=RELEASE_LAYOUTS_EVERY + 70)
    QApplication.processEvents()
    assert before - _allocated_bytes() > RELEASE_LAYOUTS_EVERY * 1_000
    assert bar.value() == bar.maximum()
    assert _lines(view)[-1].endswith(f"Sentence number {RELEASE_LAYOUTS_EVERY + 70}.")


def test_find_selects_matches_forwards_backwards_and_wraps(
    view: TranscriptView, qtbot: QtBot
) -> None:
    feed = Feed(view)
    for order, sentence in enumerate(["Alpha beta.", "Gamma beta.", "Delta."]):
        feed.finished_turn(order, sentence, order * 1000)
    qtbot.keyClick(view.editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.find_bar.isVisible()
    assert view.find_bar.field.hasFocus()
    qtbot.keyClicks(view.find_bar.field, "beta")
    cursor = view.editor.textCursor()
    assert cursor.selectedText() == "beta"
    assert cursor.block().blockNumber() == 0
    assert view.find_bar.result_label.text() == "2 matches"
    assert len(view.editor.extraSelections()) == 2
    qtbot.keyClick(view.find_bar.field, Qt.Key.Key_Return)
    assert view.editor.textCursor().block().blockNumber() == 1
    qtbot.mouseClick(view.find_bar.next_button, Qt.MouseButton.LeftButton)  # wraps
    assert view.editor.textCursor().block().blockNumber() == 0
    qtbot.mouseClick(view.find_bar.previous_button, Qt.MouseButton.LeftButton)  # wraps back
    assert view.editor.textCursor().block().blockNumber() == 1
    assert not view.find_text("zeta")
    assert view.find_bar.result_label.text() == "Not found"
    qtbot.keyClick(view.find_bar.field, Qt.Key.Key_Escape)
    assert not view.find_bar.isVisible()
    assert view.editor.extraSelections() == []


def test_copy_selection_and_copy_all_reach_the_clipboard(view: TranscriptView) -> None:
    feed = Feed(view)
    feed.finished_turn(0, "Copy me.", 0)
    feed.finished_turn(1, "And me.", 1_000)
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    view.copy_all_action.trigger()
    assert clipboard.text() == "00:00:00  Copy me.\n00:00:01  And me."
    assert view.find_text("And me")
    view.copy_selection()
    assert clipboard.text() == "And me"


def test_controls_have_accessible_names(view: TranscriptView) -> None:
    view.show_find_bar()
    for widget in (
        view.editor,
        view.find_bar.field,
        view.find_bar.next_button,
        view.find_bar.previous_button,
        view.find_bar.close_button,
    ):
        assert widget.accessibleName()


def test_update_cost_does_not_grow_with_the_session(view: TranscriptView) -> None:
    """An 8-hour session: each update does the same work at the end as at the start.

    Counted, not timed: the function calls an update makes (the view's own code, and each Qt
    call it makes, the layout and paint that follow included), the characters of the document
    it rewrites, and the rows it repaints. Any of them growing with the session fails."""
    feed = Feed(view)
    budget_s = 10.0
    editor = view.editor
    painted = PaintedRegions(editor.viewport())
    touched: list[int] = []
    editor.document().contentsChange.connect(
        lambda _at, removed, added: touched.append(removed + added)
    )

    def work_of_turns(first: int, count: int = 20) -> tuple[list[int], int, int]:
        """Calls per update, characters rewritten and pixel rows repainted, over turns of
        live partials, an end and a legacy formatted swap."""
        calls: list[int] = []
        touched.clear()
        painted.rects.clear()
        QApplication.processEvents()
        for order in range(first, first + count):
            words = f"sample turn {order} with six words".split()
            formatted = f"Sample turn {order} with six words."
            messages = [
                *(_msg(order, words[: n + 1], n, start_ms=order * 1000) for n in range(6)),
                _msg(order, words, 6, eot=True, start_ms=order * 1000),
                _msg(order, words, 6, eot=True, formatted=True, transcript=formatted, start_ms=0),
            ]
            for message in messages:

                def update_and_paint(message: TurnMessage = message) -> None:
                    feed.send(message)
                    QApplication.processEvents()  # layout and paint, as the event loop would

                calls.append(calls_during(update_and_paint))
        rows = sum(rect.height() for rect in painted.rects)
        return calls, sum(touched), rows

    start_calls, start_chars, start_rows = work_of_turns(0)
    started = time.monotonic()
    filled = 100
    while filled < 30_000 and time.monotonic() - started < budget_s:
        _fill(feed, 500, first_order=filled)
        QApplication.processEvents()  # a real event loop paints between bursts
        filled += 500
    assert filled >= 5_000, f"only {filled} turns fit in {budget_s} s"
    end_calls, end_chars, end_rows = work_of_turns(filled)
    assert editor.document().blockCount() >= filled - 100
    # The order numbers grow by digits, so the text a turn holds does too: a few characters.
    assert end_chars <= start_chars * 1.1, (start_chars, end_chars)
    assert end_rows <= start_rows * 1.1, (start_rows, end_rows)
    assert statistics.median(end_calls) <= statistics.median(start_calls) * 1.1 + 10, (
        statistics.median(start_calls),
        statistics.median(end_calls),
    )


def test_gaps_one_after_another_with_one_cause_read_as_one_row(qtbot: QtBot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    for start in (5_000, 13_000, 21_000):  # three reconnect attempts that all failed
        view.add_gap(Gap(start, start + 8_000, GapReason.RECONNECT))
    rows = [line for line in view.plain_text().splitlines() if "not captioned" in line]
    assert len(rows) == 1 and "24 s not captioned: no connection" in rows[0], rows
    view.add_gap(Gap(29_000, 31_000, GapReason.PAUSE))  # another cause: its own row
    view.add_marker(Marker(31_000, "Captions continue on this computer."))
    view.add_gap(Gap(40_000, 42_000, GapReason.PAUSE))  # after a marker: its own row too
    rows = [line for line in view.plain_text().splitlines() if "not captioned" in line]
    assert len(rows) == 3
    assert "— Captions continue on this computer. —" in view.plain_text()


def _on_screen(view: TranscriptView) -> QImage:
    """The viewport's pixels as the window shows them (its backing store), not a new render."""
    viewport = view.editor.viewport()
    origin = viewport.mapTo(view, QPoint(0, 0))
    shown = QGuiApplication.primaryScreen().grabWindow(view.winId())
    return shown.copy(QRect(origin, viewport.size())).toImage()


def test_a_live_update_repaints_only_the_live_lines(view: TranscriptView) -> None:
    """Most of a live update's cost was repainting every visible line; only the live turn's
    lines change."""
    feed = Feed(view)
    for order in range(20):  # more than fit: the view follows the end
        feed.finished_turn(order, f"finished turn number {order}", order * 2000)
    feed.send(*_partials(20, "one two")[:1])
    QApplication.processEvents()
    painted = PaintedRegions(view.editor.viewport())
    feed.send(*_partials(20, "one two")[1:])
    QApplication.processEvents()
    viewport = view.editor.viewport().rect()
    assert painted.rects, "the live update was not painted"
    assert all(r.height() < viewport.height() / 3 for r in painted.rects), painted.rects
    assert view.plain_text().endswith("one two")


def test_a_new_turn_repaints_only_the_last_lines(view: TranscriptView) -> None:
    """Qt repaints the whole viewport for a block added at the end: once a turn, it was the
    dearest repaint of a session."""
    feed = Feed(view)
    for order in range(20):  # more than fit: the view follows the end
        feed.finished_turn(order, f"finished turn number {order}", order * 2000)
    QApplication.processEvents()
    painted = PaintedRegions(view.editor.viewport())
    feed.send(*_partials(20, "one two")[:1])  # the next turn's first words: a new block
    QApplication.processEvents()
    viewport = view.editor.viewport().rect()
    assert painted.rects, "the new turn was not painted"
    assert all(r.height() < viewport.height() / 2 for r in painted.rects), painted.rects
    assert view.plain_text().endswith("one")


def test_partial_repaints_show_what_a_whole_repaint_shows(view: TranscriptView) -> None:
    """After every update (wrapping, ends, swaps, two streams, scrolled up and back), the
    window shows exactly what painting the whole viewport afresh shows."""
    feed = Feed(view)
    long_turn = " ".join(f"word{n}" for n in range(40))  # wraps over several lines
    steps: list[tuple[TurnMessage, int]] = []
    for order in range(4):
        steps += [(m, 0) for m in _partials(order, long_turn, start_ms=order * 9000)]
        steps += [(m, 1) for m in _partials(order, f"other side {order}", start_ms=order * 9000)]
        words = long_turn.split()
        steps.append((_msg(order, words, len(words), eot=True, start_ms=order * 9000), 0))
        done = _msg(order, words, len(words), eot=True, formatted=True, start_ms=order * 9000)
        steps.append((done, 0))
    differing = []
    bar = view.editor.verticalScrollBar()
    for n, (message, stream) in enumerate(steps):
        if n == len(steps) // 2:
            bar.setValue(bar.maximum() // 2)  # the person scrolls up for a while
        if n == 3 * len(steps) // 4:
            bar.setValue(bar.maximum())
        feed.send(message, stream=stream)
        QApplication.processEvents()
        shown = _on_screen(view)
        fresh = view.editor.viewport().grab().toImage().convertToFormat(shown.format())
        if shown != fresh:
            differing.append(n)
    assert len(steps) > 150
    assert not differing, f"{len(differing)} of {len(steps)} updates left stale pixels"


def test_a_row_noted_while_a_line_was_spoken_follows_that_line(view: TranscriptView) -> None:
    """Tenth walk T2: the row "Captions are back on …" (1:00) was listed above the line begun
    at 0:58 on this computer, which ended after the move; the export had them in order."""
    feed = Feed(view)
    for message in _partials(0, "more amiable woman", start_ms=58_000):
        feed.send(message)
    view.add_marker(Marker(60_000, "Captions are back on AssemblyAI Universal-Streaming."))
    feed.finished_turn(0, "more amiable woman,", 58_000)
    feed.finished_turn(0, "Cloud line alpha.", 61_000, stream=1)
    assert _lines(view) == [
        "00:00:58  more amiable woman,",
        "00:01:00  — Captions are back on AssemblyAI Universal-Streaming. —",
        "00:01:01  Cloud line alpha.",
    ], _lines(view)
    # A line begun after the row stays below it.
    view.add_marker(Marker(62_000, "Captions continue on this computer: you chose it."))
    feed.finished_turn(1, "Next words.", 63_000, stream=1)
    assert _lines(view)[-2:] == [
        "00:01:02  — Captions continue on this computer: you chose it. —",
        "00:01:03  Next words.",
    ], _lines(view)
