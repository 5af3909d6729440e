"""The Input menu: every capture device, system-audio entries, microphone + system audio,
a media file, and Refresh.

Devices are identified by their stable id (host API + name), never by PortAudio index, so the
check mark and the remembered choice survive devices coming and going. While the input in use
delivers nothing (unplugged), nothing is ticked and it is never listed as present: the list is
taken again, and the lost device, if gone, reads "(not connected)".
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from caption_app.core.audio.devices import (
    MIXED_LABEL,
    MIXED_PREFIX,
    InputDevice,
    MixedInput,
)


class InputMenu(QMenu):
    deviceChosen = Signal(str)
    """The chosen device's stable id."""
    mediaFileRequested = Signal()
    _listed = Signal(object)
    """(fills before it, devices, why they could not be listed): a listing taken off the GUI
    thread."""

    def __init__(
        self, list_devices: Callable[[], Sequence[InputDevice]], parent: QWidget | None = None
    ) -> None:
        super().__init__("&Input", parent)
        self.setAccessibleName("Input device menu")
        self._list_devices = list_devices
        self._group = QActionGroup(self)
        # Not exclusive: styles draw an exclusive group as radio dots. One check mark is kept
        # by ``set_chosen``, as menus of choices do.
        self._group.setExclusive(False)
        self._chosen_id = ""
        self._devices: list[InputDevice] = []
        self._media_action = QAction("")  # not the menu's: ``clear()`` must not delete it
        self._media_action.setCheckable(True)
        self._media_action.setEnabled(False)  # shows what is in use; Refresh/pick change it
        self._lost = False
        self._lost_label = ""
        """The device in use when it stopped delivering (while ``_lost``)."""
        # Opening the menu lists what is plugged in now: a device plugged in after Stop (the
        # ninth walk: listed only after Refresh), or back in while the input is lost, when
        # the menu is what the notice points to.
        self._listing: threading.Thread | None = None
        self._fills = 0
        self._problem = ""
        """Why the devices could not be listed, as the menu says now."""
        """How many times the menu was filled: a listing begun before the last fill is older
        than what it shows (a Refresh, or the first listing, came meanwhile)."""
        self._listed.connect(self._show_listed)
        self.aboutToShow.connect(self._list_again)
        self.refresh()

    @property
    def devices(self) -> list[InputDevice]:
        return list(self._devices)

    def set_chosen(self, device_id: str) -> None:
        """Check the chosen input; "" is the system default, so the default device is checked
        (a media file being captioned is checked through ``set_media``). Nothing is checked
        while the input is lost: no entry delivers."""
        self._chosen_id = device_id
        self._media_action.setChecked(False)
        self._media_action.setVisible(False)
        shown = "" if self._lost else device_id or self._default_id()
        for action in self._group.actions():
            mixed = action.data() == MIXED_PREFIX and MixedInput.parse(shown) is not None
            action.setChecked(mixed or (bool(shown) and action.data() == shown))

    def show_input_lost(self, lost: bool) -> None:
        """The input in use stopped delivering (``lost``), or one delivers again: list the
        devices again, so the menu the notice points to shows what is there now."""
        if lost == self._lost:
            return
        if lost:
            checked = [a for a in self._group.actions() if a.isChecked()]
            device = next(
                (d for d in self._devices if checked and d.device_id == checked[0].data()), None
            )
            self._lost_label = device.label if device is not None else ""
        else:
            self._lost_label = ""
        self._lost = lost
        self.refresh()

    def set_media(self, path: str) -> None:
        """A media file is the input: it gets the check mark, by name."""
        from pathlib import Path

        for action in self._group.actions():
            action.setChecked(False)
        self._media_action.setText(f"Media file: {Path(path).name}")
        self._media_action.setVisible(True)
        self._media_action.setChecked(True)

    def checked_text(self) -> str:
        """The text of the checked entry ("" when none is)."""
        checked = [a for a in self.actions() if a.isCheckable() and a.isChecked()]
        return checked[0].text() if len(checked) == 1 else ""

    def _default_id(self) -> str:
        default = next((d for d in self._devices if d.is_default and not d.is_monitor), None)
        return default.device_id if default is not None else ""

    @Slot()
    def _list_again(self) -> None:
        """List the devices off the GUI thread: the sound server answers in milliseconds, but
        a hung one in seconds. The menu shows what it had meanwhile, then what is there."""
        if self._listing is not None and self._listing.is_alive():
            return
        self._listing = threading.Thread(
            target=self._list_off_thread, args=(self._fills,), name="input-menu-listing",
            daemon=True,
        )  # fmt: skip
        self._listing.start()

    def _list_off_thread(self, fills: int) -> None:
        listed = (fills, *self._take_list())
        with contextlib.suppress(RuntimeError):  # the menu was deleted meanwhile (a quit)
            self._listed.emit(listed)

    def _take_list(self) -> tuple[list[InputDevice], str]:
        try:
            return list(self._list_devices()), ""
        except Exception as exc:  # a broken sound system must not break the menu  # noqa: BLE001
            return [], f"Could not list devices: {exc}"

    @Slot(object)
    def _show_listed(self, listed: tuple[int, list[InputDevice], str]) -> None:
        fills, devices, problem = listed
        if fills != self._fills:
            return  # the menu was filled since this listing began: it is older than that
        if problem or self._problem or devices != self._devices:
            self._fill(devices, problem)  # (unchanged: nothing rebuilt under the pointer)

    @Slot()
    def refresh(self) -> None:
        """Re-enumerate now (hot-plug), on the GUI thread: Refresh, and what the app asks."""
        self._fill(*self._take_list())

    def _fill(self, devices: list[InputDevice], problem: str) -> None:
        self._fills += 1
        self._problem = problem
        self.clear()
        for action in self._group.actions():
            self._group.removeAction(action)
        self._devices = devices
        if problem:
            self.addAction(problem).setEnabled(False)
        microphones = [d for d in self._devices if not d.is_monitor]
        system = [d for d in self._devices if d.is_monitor]
        if (
            self._lost_label
            and self._lost
            and all(d.label != self._lost_label for d in self._devices)
        ):
            self.addAction(f"{self._lost_label} (not connected)").setEnabled(False)
        if not self._devices:
            self.addAction("No input devices found").setEnabled(False)
        for device in microphones:
            self._add_device(device)
        if system:
            self.addSeparator()
            for device in system:
                self._add_device(device)
        if system and microphones:
            self.addSeparator()
            self._add_mixed()
        self.addSeparator()
        media_shown = self._media_action.isVisible()
        self.addAction(self._media_action)
        self._media_action.setVisible(media_shown)
        self.addAction("Caption a &media file…", self.mediaFileRequested.emit)
        self.addAction("&Refresh devices", self.refresh)
        if not media_shown:
            self.set_chosen(self._chosen_id)

    def _add_device(self, device: InputDevice) -> None:
        default = " (default output)" if device.is_monitor else " (default)"
        label = device.label + (default if device.is_default else "")
        action = QAction(label, self)
        action.setCheckable(True)
        action.setData(device.device_id)
        action.triggered.connect(lambda _checked=False, d=device.device_id: self._choose(d))
        self._group.addAction(action)
        self.addAction(action)

    def _choose(self, device_id: str) -> None:
        self.set_chosen(device_id)
        self.deviceChosen.emit(device_id)

    def _add_mixed(self) -> None:
        action = QAction(f"{MIXED_LABEL} (You / Others)", self)
        action.setCheckable(True)
        action.setData(MIXED_PREFIX)
        action.setToolTip(
            "Caption your microphone and the other participants together; "
            "lines are labelled You and Others."
        )
        action.triggered.connect(self._choose_mixed)
        self._group.addAction(action)
        self.addAction(action)

    @Slot()
    def _choose_mixed(self) -> None:
        """Pair the microphone in use (or the default one) with whatever the default output
        is at each start, so plugging in a headset moves the captions with the meeting."""
        current = MixedInput.parse(self._chosen_id)
        chosen = current.microphone_id if current is not None else self._chosen_id
        microphone = next(
            (d for d in self._devices if d.device_id == chosen and not d.is_monitor), None
        )
        self._choose(MixedInput(microphone.device_id if microphone else "").setting)
