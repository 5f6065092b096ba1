"""Where grading's time goes: the stages of the units of one run, from their records' profiles
(`course grade --profile` shows it; bench/throughput.py prints it beside a bare kernel's time)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ..grading.results import Result

OTHER = "other (worker, hand-over)"  # a unit's seconds that no stage accounts for


@dataclass(frozen=True)
class Stage:
    name: str
    median: float  # seconds per submission
    mean: float
    share: float  # of the units' total seconds


def stages(records: list[Result]) -> list[Stage]:
    """Each stage's seconds per submission over `records` (those graded, with a profile), in the
    order a unit meets them, with what no stage accounts for last."""
    profiled = [r for r in records if r.profile]
    if not profiled:
        return []
    names = list(dict.fromkeys(name for r in profiled for name in r.profile))
    per_unit = {name: [r.profile.get(name, 0.0) for r in profiled] for name in names}
    per_unit[OTHER] = [max(0.0, r.seconds - sum(r.profile.values())) for r in profiled]
    total = sum(r.seconds for r in profiled) or 1.0
    return [Stage(name, statistics.median(values), statistics.fmean(values), sum(values) / total)
            for name, values in per_unit.items()]
