"""What the app said, for comparing: a notice's time of day left out."""

from __future__ import annotations

import re


def untimed(text: str) -> str:
    """A notice without its time of day ("… refused (at 14:02:31). Captions continue …")."""
    return re.sub(r" \(at \d\d:\d\d:\d\d\)\.", ".", text)
