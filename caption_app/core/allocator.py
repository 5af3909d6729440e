"""The C allocator's arenas: at most two, set once as the process starts.

glibc gives threads their own malloc arenas, up to eight per core, and keeps every page an arena
grew into. A live session starts short-lived threads (each connection is opened on one, the
journal writes on two), so over hours of reconnects and Start/Stop more arenas fill and the
resident memory climbs although nothing is kept (100 Start/Stop cycles: 21 MB with the default,
11 MB with two arenas; ``tests/faults/test_cycles.py``). Two arenas are plenty for an app whose
threads mostly wait. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_ARENA_MAX = -8
"""``mallopt``'s parameter number for the arena limit (glibc's malloc.h)."""
ARENAS = 2


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Limit glibc's malloc arenas; True when glibc took the setting."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
