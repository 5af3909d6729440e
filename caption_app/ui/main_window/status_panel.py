"""The session's status at a glance: what it is doing, the sending light, time (and, for the cloud,
the cost of the time a connection captioned), the media file's position, the input level.

People must always see when their audio is leaving the machine: the light is derived from the
session's status (``window_words.light``), lit red only while audio goes to the cloud. Two rows,
each of a width that never grows with its text: the status line keeps to one line (its end
elided, the whole of it in its tooltip), so a long status never widens the window.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from caption_app.core.model.session import SessionState
from caption_app.core.model.status import SessionStatus
from caption_app.ui.labels import OneLineLabel, hold_size, show_text
from caption_app.ui.main_window.level_meter import LevelMeter
from caption_app.ui.main_window.window_words import NOT_SENDING, Light

METER_FLOOR_DBFS = -60.0
IDLE_METER_TEXT = "not listening"
"""What the level bar says while no session listens (readings come about 10 a second)."""
NO_INPUT_METER_TEXT = "no input"
"""What it says while the session's input is gone (unplugged) and no other delivers."""
PAUSED_METER_TEXT = "paused"
"""What it says once paused, until a reading comes (a recording sends none while paused)."""


def format_elapsed(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def estimated_cost_usd(seconds: float, price_per_hour: float) -> float:
    return seconds / 3600.0 * price_per_hour


class StatusPanel(QWidget):
    def __init__(self, price_per_hour: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._price = price_per_hour
        self._on_device = price_per_hour == 0.0
        self._started_at: float | None = None
        self._session_running = False
        self._billed_s = 0.0
        """Seconds a cloud connection captioned, up to ``_billed_since``."""
        self._billed_since: float | None = None
        self._paused = False
        """Since when a cloud connection captions now (the service bills its open time)."""
        self.state_label = OneLineLabel("Stopped")
        self.state_label.setAccessibleName("Session state")
        self.time_label = QLabel()
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
        self.progress_label = QLabel()
        self.progress_label.setAccessibleName("Media file position")
        hold_size(self.progress_label, "File 00:00:00 / 00:00:00")
        self.progress_label.hide()  # until a media file is captioned
        self.sending_label = QLabel()
        self.sending_label.setAccessibleName("Audio sending indicator")
        self._light = NOT_SENDING
        self._show_light(NOT_SENDING)
        self._show_time(0.0)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_label, 0, 0, 1, 3)
        layout.addWidget(self.sending_label, 0, 3, 1, 2)
        layout.addWidget(self.time_label, 1, 0)
        layout.addWidget(self.progress_label, 1, 1)
        layout.setColumnStretch(2, 1)
        layout.addWidget(self.meter_label, 1, 3)
        layout.addWidget(self.meter, 1, 4)
        # Ticks once a second only while a session runs, to advance the clock display.
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh_time)

    def show_status(self, status: SessionStatus, line: str, light: Light) -> None:
        """What the session is doing now, and where its audio goes."""
        show_text(self.state_label, line)
        self._show_light(light)
        engine = status.engine
        if engine is not None and (
            engine.on_device != self._on_device or engine.billed_per_hour_usd != self._price
        ):
            self._on_device, self._price = engine.on_device, engine.billed_per_hour_usd
            self._show_time(self.elapsed_s())
        if status.running and not self._session_running:
            # A session begins (by Start, or started by the application, as the local one
            # after a rejected key): it has its own clock.
            self.reset_clock()
        self._session_running = status.running
        ticking = status.running and status.state not in (SessionState.IDLE, SessionState.FAILED)
        if ticking and not self._tick.isActive():
            if self._started_at is None:
                self._started_at = time.monotonic()
            self._tick.start()
        elif not ticking:
            self._tick.stop()
            self.meter.set_reading(0, IDLE_METER_TEXT)
            if not status.ever_live:  # a start that failed: no time was captioned
                self._started_at = None
                self._show_time(0.0)
        self._bill(status.live and status.cloud)
        paused = status.running and status.paused
        if paused and not self._paused:
            # A paused recording sends no readings, so its last one would stay (the fourth
            # walk); a microphone's next one, a tenth of a second later, shows it still open.
            self.meter.set_reading(0, PAUSED_METER_TEXT)
        self._paused = paused
        if status.running and status.input_lost:
            # No reading comes while no input delivers: the last one is not true any more.
            self.meter.set_reading(0, NO_INPUT_METER_TEXT)

    @Slot(int, int)
    def set_progress(self, position_ms: int, duration_ms: int) -> None:
        self.progress_label.show()
        show_text(
            self.progress_label,
            f"File {format_elapsed(position_ms / 1000)} / {format_elapsed(duration_ms / 1000)}",
        )

    def reset_clock(self) -> None:
        self._started_at = None
        self._billed_s, self._billed_since = 0.0, None
        self.progress_label.clear()
        self.progress_label.hide()
        self._show_time(0.0)

    @Slot(float, bool)
    def set_level(self, rms_dbfs: float, _sending: bool) -> None:
        """A reading of the meter (about ten a second); the light follows the status."""
        level = 0.0 if math.isinf(rms_dbfs) else (rms_dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS
        db = None if level <= 0.0 else round(rms_dbfs / 3) * 3  # 3 dB steps: a calm figure
        self.meter.set_reading(
            round(100 * min(1.0, max(0.0, level))), "silent" if db is None else f"{db} dB"
        )

    def _show_light(self, light: Light) -> None:
        if light == self._light and self.sending_label.text():
            return
        self._light = light
        show_text(self.sending_label, light.text)
        self.sending_label.setStyleSheet(light.style)

    def light(self) -> Light:
        return self._light

    def is_sending(self) -> bool:
        """The light is lit: audio is taken for captions (to the cloud, or kept here)."""
        return self._light.lit

    def clock_running(self) -> bool:
        return self._tick.isActive()

    def elapsed_s(self) -> float:
        return 0.0 if self._started_at is None else time.monotonic() - self._started_at

    def billed_s(self) -> float:
        """Seconds a cloud connection has captioned this session (no Pause, no lost input,
        no reconnecting, no local engine standing in)."""
        since = self._billed_since
        return self._billed_s + (0.0 if since is None else time.monotonic() - since)

    def _bill(self, billing: bool) -> None:
        since = self._billed_since
        if billing and since is None:
            self._billed_since = time.monotonic()
        elif not billing and since is not None:
            self._billed_s += time.monotonic() - since
            self._billed_since = None
            self._show_time(self.elapsed_s())

    @Slot()
    def _refresh_time(self) -> None:
        self._show_time(self.elapsed_s())

    def _show_time(self, seconds: float) -> None:
        if self._on_device:  # nothing is billed on this computer: no "≈ $0.00"
            show_text(self.time_label, format_elapsed(seconds))
            return
        cost = estimated_cost_usd(self.billed_s(), self._price)
        show_text(self.time_label, f"{format_elapsed(seconds)} · ≈ ${cost:.2f}")
