"""Start with the desktop: the XDG autostart entry that starts Caption App when the person
logs in (``~/.config/autostart/caption-app.desktop``), off until they switch it on.

The file is the switch: there is no setting beside it to disagree with it. It runs the same
program that is running now (the bundle, the installed script, or ``python -m caption_app``),
and it is written whole or not at all (``QSaveFile``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QIODevice, QSaveFile

from caption_app import APP_ID, APP_NAME

ICON = APP_ID  # as in packaging/org.captionapp.CaptionApp.desktop
_EXEC_RESERVED = '"`$\\'


def entry_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / f"{APP_ID}.desktop"


def launch_command() -> list[str]:
    """The program running now, as a command that starts it again."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == APP_ID and script.is_file():
        return [str(script.absolute())]
    return [sys.executable, "-m", "caption_app"]


def exec_line(command: Sequence[str]) -> str:
    """The Desktop Entry ``Exec`` value: arguments quoted where needed, ``%`` doubled."""
    words = []
    for word in command:
        quoted = word
        if not word or any(c.isspace() or c in _EXEC_RESERVED + "'<>~|&;*?#()" for c in word):
            escaped = "".join(f"\\{c}" if c in _EXEC_RESERVED else c for c in word)
            quoted = f'"{escaped}"'
        words.append(quoted.replace("%", "%%"))
    return " ".join(words)


def entry_text(command: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Live captions for meetings\n"
        f"Exec={exec_line(command)}\n"
        f"Icon={ICON}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def is_enabled(path: Path | None = None) -> bool:
    return (path or entry_path()).is_file()


def set_enabled(enabled: bool, path: Path | None = None) -> None:
    """Write or remove the entry; raises OSError with the reason when it cannot."""
    target = path or entry_path()
    if not enabled:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    out = QSaveFile(str(target))
    if not out.open(QIODevice.OpenModeFlag.WriteOnly):
        raise OSError(f"cannot write {target}: {out.errorString()}")
    out.write(entry_text(launch_command()).encode())
    if not out.commit():
        raise OSError(f"cannot write {target}: {out.errorString()}")
