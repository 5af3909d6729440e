"""Connections of our own to the X server through python-xlib, any number in one process.

python-xlib 0.33 keeps its table of extension events on the connection class, so a second
connection's extensions are added to the first's table, and a second server's event codes
clash with the first's (``TypeError`` while connecting). Each connection here starts from a
fresh table: the overlay's window-manager hints (``ui/overlay/x11.py``), the global
shortcuts' key grab (``qt/global_keys.py``) and the tests' own connections live side by side.
"""

from __future__ import annotations

from typing import Any


def open_display(name: str | None = None) -> Any:
    from Xlib import display
    from Xlib.protocol import display as protocol
    from Xlib.protocol import event

    protocol.Display.event_classes = event.event_class.copy()
    return display.Display(name)
