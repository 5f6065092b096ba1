"""The step every verb builds on: one notebook run in a fresh kernel, then its verdicts (validate,
solutions and the grading unit share it)."""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import checks
from ..course import notebooks
from .execute import Run, RunLimits, run_notebook
from .verdicts import CellVerdict, judge_run


def plan_for(source_nb, seed: int, paper=None) -> dict[str, list[checks.Call]]:
    """The calls every hidden check named in the source notebook will make, inputs drawn from `seed`
    (and, for an exam, the submission's paper)."""
    check_ids = [c for cell in notebooks.graded_cells(source_nb) for c in cell.check_ids]
    return checks.make_plan(check_ids, seed=seed, paper=paper)


@dataclass
class Graded:
    run: Run
    verdicts: list[CellVerdict]
    draws: list[list[CellVerdict]] = field(default_factory=list)  # the verdicts under each further draw
    judge_seconds: float = 0.0

    @property
    def failed(self) -> list[CellVerdict]:
        return [v for v in self.verdicts if not v.passed]


def run_and_judge(source_nb, submission_nb, *, plan, limits: RunLimits, paper=None, draws=(), judge=checks.judge,
                  **kernel) -> Graded:
    """Execute `submission_nb` in a fresh kernel (run_notebook's `kernel`, `setup` or start_kernel's
    arguments: in a jail when `confine` gives one) and judge it against the trusted `source_nb`
    (and, for an exam, the key of the submission's paper). `draws`: plans of further seeds, judged
    on the same run (their calls are made in the kernel after the plan's own). `judge`: as in judge_run."""
    run = run_notebook(submission_nb, plan=checks.plan_to_wire(plan, draws), limits=limits, **kernel)
    started = time.perf_counter()
    with _own_temporary_folder():
        graded = Graded(run, judge_run(source_nb, run, plan, paper, judge=judge),
                        [judge_run(source_nb, run, draw, paper, number, judge) for number, draw in enumerate(draws, start=1)])
    graded.judge_seconds = time.perf_counter() - started
    return graded


@contextmanager
def _own_temporary_folder():
    """Replays run the checks' fixtures here, and some write files (04's stand-in checkpoint is 45 MB
    per check): judging in a temporary folder of its own, removed after, keeps them from piling up on
    the grading machine (they filled 33 GB of one before)."""
    previous = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="course-judge-") as folder:
        tempfile.tempdir = folder
        try:
            yield
        finally:
            tempfile.tempdir = previous
