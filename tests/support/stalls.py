"""Build the LD_PRELOAD fault library (``stalls.c``) once, and the environment that arms it.

A subprocess started with ``stalled_fsync(...)`` or ``hung_lookup(...)`` in its environment runs
the real program with one libc call made slow: fsync under a directory, or a name look-up. The
library is compiled with the system's gcc (installed by scripts/bootstrap.sh) into a cache
beside the sources' checksum, so it is built once per change.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = Path(__file__).with_name("stalls.c")


def library() -> Path:
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    built = Path(tempfile.gettempdir()) / f"caption-app-stalls-{digest}.so"
    if not built.exists():
        gcc = shutil.which("gcc")
        assert gcc, "gcc is needed to build the fault library (apt-get install gcc)"
        partial = built.with_suffix(f".{digest}.tmp")
        subprocess.run(
            [gcc, "-shared", "-fPIC", "-O2", "-o", str(partial), str(SOURCE), "-ldl"],
            check=True,
            capture_output=True,
        )
        partial.replace(built)
    return built


def stalled_fsync(directory: Path, ms: int) -> dict[str, str]:
    """Every fsync of a file under ``directory`` takes ``ms`` milliseconds."""
    return {
        "LD_PRELOAD": str(library()),
        "STALL_FSYNC_UNDER": str(directory.resolve()),
        "STALL_FSYNC_MS": str(ms),
    }


def hung_lookup(host: str, ms: int) -> dict[str, str]:
    """Looking up ``host`` takes ``ms`` milliseconds and then fails (EAI_AGAIN)."""
    return {"LD_PRELOAD": str(library()), "HANG_LOOKUP_OF": host, "HANG_LOOKUP_MS": str(ms)}
