"""The session's status at a glance: state, elapsed time and cost, level, "sending" light.

People must always see when their audio is leaving the machine: the sending indicator is lit
exactly while the session reports that chunks go to the cloud engine.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from caption_app.core.model.session import SessionState
from caption_app.ui.labels import hold_size, show_text
from caption_app.ui.main_window.level_meter import LevelMeter

METER_FLOOR_DBFS = -60.0
IDLE_METER_TEXT = "not listening"
"""What the level bar says while no session listens (readings come about 10 a second)."""
STATE_TEXT = {
    SessionState.IDLE: "Stopped",
    SessionState.CONNECTING: "Connecting…",
    SessionState.LIVE: "Live",
    SessionState.RECONNECTING: "Reconnecting…",
    SessionState.UNREACHABLE: "Cloud unreachable",
    SessionState.PAUSED: "Paused",
    SessionState.STOPPING: "Stopping…",
    SessionState.FAILED: "Failed",
}


def format_elapsed(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def estimated_cost_usd(seconds: float, price_per_hour: float) -> float:
    return seconds / 3600.0 * price_per_hour


class StatusPanel(QWidget):
    def __init__(self, price_per_hour: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._price = price_per_hour
        self._started_at: float | None = None
        self.state_label = QLabel(STATE_TEXT[SessionState.IDLE])
        self.state_label.setAccessibleName("Session state")
        # Wraps rather than widening the window when the status says more.
        self.state_label.setWordWrap(True)
        self.state_label.setMinimumWidth(160)
        self.time_label = QLabel(self._time_text(0.0))
        self.time_label.setAccessibleName("Session time and estimated cost")
        hold_size(self.time_label, "00:00:00 · ≈ $000.00")
        self.meter_label = QLabel("Input &level:")
        # The bar says what it shows, so an idle meter is not an unlabelled empty box.
        self.meter = LevelMeter(IDLE_METER_TEXT)
        self.meter.setMinimumWidth(110)
        self.meter.setMaximumWidth(160)
        self.meter.setAccessibleName("Input level")
        self.meter.setToolTip("How loud the input is: it should move when someone speaks")
        self.meter_label.setBuddy(self.meter)
        self._on_device = False
        self.progress_label = QLabel()
        self.progress_label.setAccessibleName("Media file position")
        hold_size(self.progress_label, "File 00:00:00 / 00:00:00")
        self.progress_label.hide()  # until a media file is captioned
        self.sending_label = QLabel()
        self.sending_label.setAccessibleName("Audio sending indicator")
        self.set_sending(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        widgets = (
            self.state_label,
            self.time_label,
            self.progress_label,
            self.meter_label,
            self.meter,
            self.sending_label,
        )
        for widget in widgets:
            layout.addWidget(widget, 1 if widget is self.state_label else 0)
        # Ticks once a second only while a session runs, to advance the clock display.
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh_time)

    @Slot(object, str)
    def set_state(self, state: SessionState, detail: str) -> None:
        text = STATE_TEXT[state]
        if detail and detail not in (text, "Live", "Stopped"):
            # "Paused: no audio is being sent" says "Paused" already: no "Paused — Paused: …".
            said = text.rstrip("…").casefold()
            text = detail if detail.casefold().startswith(said) else f"{text} — {detail}"
        show_text(self.state_label, text)
        if state not in (SessionState.LIVE, SessionState.CONNECTING):
            self.set_sending(False)  # the light follows the connection, not the last chunk
        if state is SessionState.CONNECTING and self._started_at is None:
            self._started_at = time.monotonic()
            self._tick.start()
        if state in (SessionState.IDLE, SessionState.FAILED):
            self._tick.stop()
            self.set_sending(False)
            self.meter.set_reading(0, IDLE_METER_TEXT)

    @Slot(int, int)
    def set_progress(self, position_ms: int, duration_ms: int) -> None:
        self.progress_label.show()
        show_text(
            self.progress_label,
            f"File {format_elapsed(position_ms / 1000)} / {format_elapsed(duration_ms / 1000)}",
        )

    def reset_clock(self) -> None:
        self._started_at = None
        self.progress_label.clear()
        self.progress_label.hide()
        show_text(self.time_label, self._time_text(0.0))

    @Slot(float, bool)
    def set_level(self, rms_dbfs: float, sending: bool) -> None:
        self.set_sending(sending)  # readings come about 10 a second (``LevelFeed``)
        level = 0.0 if math.isinf(rms_dbfs) else (rms_dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS
        db = None if level <= 0.0 else round(rms_dbfs / 3) * 3  # 3 dB steps: a calm figure
        self.meter.set_reading(
            round(100 * min(1.0, max(0.0, level))), "silent" if db is None else f"{db} dB"
        )

    def set_engine(self, *, on_device: bool, price_per_hour: float) -> None:
        """The engine of the session starting now: its price, and where its audio goes."""
        self._price = price_per_hour
        self._on_device = on_device
        self.sending_label.setProperty("sending", None)  # redraw for the new engine
        self.set_sending(False)
        show_text(self.time_label, self._time_text(self.elapsed_s()))

    def set_sending(self, sending: bool) -> None:
        if self.sending_label.property("sending") == sending:
            return  # called for every audio chunk: restyle only on a change
        if self._on_device:
            text = "● Audio stays on this computer" if sending else "○ Not listening"
            show_text(self.sending_label, text)
            style = "color: #2e7d32; font-weight: bold;" if sending else ""
            self.sending_label.setStyleSheet(style)
        elif sending:
            show_text(self.sending_label, "● Sending audio to the cloud")
            self.sending_label.setStyleSheet("color: #c62828; font-weight: bold;")
        else:
            show_text(self.sending_label, "○ Not sending audio")
            self.sending_label.setStyleSheet("")
        self.sending_label.setProperty("sending", sending)

    def is_sending(self) -> bool:
        return bool(self.sending_label.property("sending"))

    def elapsed_s(self) -> float:
        return 0.0 if self._started_at is None else time.monotonic() - self._started_at

    @Slot()
    def _refresh_time(self) -> None:
        show_text(self.time_label, self._time_text(self.elapsed_s()))

    def _time_text(self, seconds: float) -> str:
        cost = estimated_cost_usd(seconds, self._price)
        return f"{format_elapsed(seconds)} · ≈ ${cost:.2f}"
