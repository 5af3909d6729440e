"""What each part of a built bundle weighs: ``python packaging/bundle_parts.py dist/caption-app``.

Bytes of regular files (symlinks are names, not weight), grouped by the job each part does,
largest first; ``--json`` prints the same as JSON. ``scripts/package`` prints it after a build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from models import MODELS

PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    *((f"speech model {m.name}", tuple(f"{p}/" for p in m.packages)) for m in MODELS),
    ("local engine: CTranslate2", ("ctranslate2/", "ctranslate2.libs/")),
    ("local engine: ONNX Runtime (voice activity)", ("onnxruntime/",)),
    ("local engine: faster-whisper, tokenizers", ("faster_whisper/", "tokenizers/")),
    ("media files: PyAV and FFmpeg", ("av/", "av.libs/")),
    ("Qt: ICU (Unicode and locale data)", ("PySide6/Qt/lib/libicu",)),
    ("Qt: libraries and plugins", ("PySide6/", "shiboken6/")),
    ("NumPy and OpenBLAS", ("numpy/", "numpy.libs/")),
    ("keyring encryption: cryptography", ("cryptography/", "_cffi_backend")),
    ("AssemblyAI SDK: pydantic-core", ("pydantic_core/",)),
    ("audio: PyAudio, PortAudio, soxr", ("pyaudio/", "libportaudio", "soxr/")),
    ("Python: interpreter and standard library", ("libpython", "python3", "base_library.zip")),
    ("Python code of the app and its libraries", ("caption-app",)),
    ("build machine's libraries (GLib, D-Bus, OpenSSL, X11 extensions, ...)", ("lib",)),
    ("app resources (icons, demo clip, licences)", ("resources/",)),
)


def part_of(relative: str) -> str:
    for name, prefixes in PARTS:
        if relative.startswith(prefixes):
            return name
    return "other"


def weigh(folder: Path) -> dict[str, int]:
    weights: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        relative = str(path.relative_to(folder)).removeprefix("_internal/")
        part = part_of(relative)
        weights[part] = weights.get(part, 0) + path.stat().st_size
    return dict(sorted(weights.items(), key=lambda item: -item[1]))


def table(weights: dict[str, int]) -> str:
    total = sum(weights.values())
    lines = [
        f"{size / 1e6:7.1f} MB  {100 * size / total:4.1f} %  {part}"
        for part, size in weights.items()
    ]
    lines.append(f"{total / 1e6:7.1f} MB  total ({total / 2**20:.0f} MiB)")
    return "\n".join(lines)


if __name__ == "__main__":
    found = weigh(Path(sys.argv[1]))
    print(json.dumps(found, indent=1) if "--json" in sys.argv else table(found))
