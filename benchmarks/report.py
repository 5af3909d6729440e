"""Figures beside their budgets: the printed table and the JSON written with it."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.99 for p99): a value that was really measured."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """One measured figure. ``budget`` is an upper bound in the figure's unit (None: reported
    only); ``ratio`` is value ÷ budget, or ÷ the baseline measured in the same run."""

    name: str
    value: float
    unit: str
    budget: float | None
    detail: str = ""
    ratio: float | None = None
    ratio_of: str = "budget"
    samples: int = 0
    extra: dict[str, float | int | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ratio is None and self.budget:
            self.ratio = self.value / self.budget

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return "info"
        if math.isnan(self.value):
            return "MISSED"  # not measured is not met
        return "met" if self.value <= self.budget else "MISSED"


def _number(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "%":
        return f"{value:.2f} %"
    if abs(value) >= 100:
        return f"{value:.0f} {unit}"
    return f"{value:.3g} {unit}"


def table(figures: Sequence[Figure]) -> str:
    rows = [("figure", "measured", "budget", "ratio", "verdict", "detail")]
    for f in figures:
        budget = "—" if f.budget is None else "≤ " + _number(f.budget, f.unit)
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}x {f.ratio_of}"
        rows.append((f.name, _number(f.value, f.unit), budget, ratio, f.verdict, f.detail))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) for i in range(5)]
        lines.append("  ".join(cells) + "  " + row[5])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ------")
    missed = [f.name for f in figures if f.verdict == "MISSED"]
    met = sum(f.verdict == "met" for f in figures)
    lines.append("")
    lines.append(f"{met} met, {len(missed)} missed" + (f": {', '.join(missed)}" if missed else ""))
    return "\n".join(lines)


def write_json(figures: Sequence[Figure], path: Path, meta: dict[str, object]) -> None:
    rows = [_clean({**asdict(f), "verdict": f.verdict}) for f in figures]
    path.write_text(json.dumps({"meta": meta, "figures": rows}, indent=2) + "\n")


def _clean(row: dict[str, object]) -> dict[str, object]:
    """NaN (not measured) is written as null, which every JSON reader accepts."""
    out: dict[str, object] = {}
    for key, value in row.items():
        if isinstance(value, float) and math.isnan(value):
            out[key] = None
        elif isinstance(value, dict):
            out[key] = _clean(value)
        else:
            out[key] = value
    return out
