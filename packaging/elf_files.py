"""The ELF files of a bundle and what each names: its soname and the libraries it needs.

Read with binutils' ``objdump -p`` (the dynamic section), the same view the dynamic loader has.
Used by the slimming step, the host-library manifest and the Debian package's dependencies.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


@dataclass(frozen=True)
class ElfFile:
    path: Path
    soname: str | None
    needed: tuple[str, ...]


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as stream:
        return stream.read(4) == ELF_MAGIC


def elf_paths(folder: Path) -> Iterator[Path]:
    """Every regular ELF file under ``folder`` (symlinks are names for one of them)."""
    for path in sorted(folder.rglob("*")):
        if is_elf(path):
            yield path


def read_elf(path: Path) -> ElfFile:
    dump = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
    ).stdout
    soname = None
    needed: list[str] = []
    for line in dump.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == "NEEDED":
            needed.append(fields[1])
        elif len(fields) == 2 and fields[0] == "SONAME":
            soname = fields[1]
    return ElfFile(path, soname, tuple(needed))


def read_bundle(folder: Path) -> list[ElfFile]:
    return [read_elf(path) for path in elf_paths(folder)]


def shipped_names(folder: Path, files: list[ElfFile]) -> set[str]:
    """Every name the loader could find a library of the bundle by: file names, symlink
    names and sonames."""
    names = {f.path.name for f in files} | {f.soname for f in files if f.soname}
    names |= {p.name for p in folder.rglob("*") if p.is_symlink()}
    return names


def needed_from_host(folder: Path, files: list[ElfFile]) -> dict[str, list[Path]]:
    """Each library the bundle's files need that the bundle does not ship, with who needs it."""
    shipped = shipped_names(folder, files)
    wanted: dict[str, list[Path]] = {}
    for f in files:
        for name in f.needed:
            if name not in shipped:
                wanted.setdefault(name, []).append(f.path)
    return dict(sorted(wanted.items()))
