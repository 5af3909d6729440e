"""Process exit codes, shared by the command line parser and the headless captioner."""

from __future__ import annotations


class ExitCode:
    """Process exit codes, documented in ``caption-app transcribe --help``."""

    OK = 0
    USAGE = 2
    AUTH = 3
    NETWORK = 4
    AUDIO = 5
    LOCAL_MODEL = 6
    """The local engine's speech model is missing, damaged or not the expected file."""
    NO_DISPLAY = 7
    """The window cannot open here (no display, or a library Qt needs is missing)."""
    MISSING_LIBRARY = 8
    """A library the bundle takes from this computer, needed by every command, is missing."""


__all__ = ["ExitCode"]
