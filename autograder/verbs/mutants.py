"""`course validate --mutants`: mutation analysis of the hidden checks.

Each mutant of the solution's code (mutation.py) runs as a known mistake does, in a kernel forked
from the worker's template, under one seed, with the limits a submission has; it is killed when a
hidden check judges what it did and fails it. A mutant that crashes or hangs the run counts as
killed only where a check failed it, so a run that broke off is not a kill by itself. A survivor is
a blind spot of the checks, or a mutant no input can tell from the solution: those are recorded,
each with its reason, in the reviewed file beside the source (equivalent_mutants.toml), which
later runs read and do not run:

```toml
[[equivalent]]
mutant = "bce_loss: constant +-1: np.clip(p, 1e-12, 1 - 1e-12) -> np.clip(p, 1e-12, 2 - 1e-12)"
reason = "p is a probability: the upper bound is never reached"
```
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .. import checks
from ..authoring.mutation import Mutant, mutant_notebook, mutants_of
from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..exam.worked import form_key, worked_notebook
from ..grading.execute import RunLimits
from ..grading.forked_kernels import template_for
from ..grading.run_and_judge import plan_for, run_and_judge
from ..grading.slots import thread_environment
from .validate import judge_once, run_in_pool

KILLED, SURVIVED, EQUIVALENT = "killed", "survived", "equivalent"
BASELINE = "baseline"  # the unmutated solution, run alongside its mutants: it must pass every check


@dataclass
class MutantResult:
    assignment_id: str
    mutant: Mutant
    key: str
    outcome: str
    killed_by: tuple[str, ...] = ()  # grade ids of the cells whose hidden checks failed it
    message: str = ""  # the first of those failures; or why the run broke off, or the recorded reason
    seconds: float = 0.0


@dataclass
class MutationRun:
    assignment_id: str
    results: list[MutantResult]
    cells: dict[str, set[str]]  # test cell -> the solution's definitions its checks call
    stale: list[str] = field(default_factory=list)  # recorded equivalents that match no mutant now
    broken: list[str] = field(default_factory=list)  # why the unmutated solution failed under the same run

    @property
    def seconds(self) -> float:
        """Kernel time of its mutants' runs (the workers share the wall clock between assignments)."""
        return sum(r.seconds for r in self.results)

    def count(self, outcome: str, results=None) -> int:
        return sum(r.outcome == outcome for r in (self.results if results is None else results))

    @staticmethod
    def rate(results) -> float | None:
        judged = [r for r in results if r.outcome != EQUIVALENT]
        return sum(r.outcome == KILLED for r in judged) / len(judged) if judged else None


def equivalents(course: Course, assignment_id: str) -> dict[str, str]:
    """key -> reason, from the reviewed file beside the source (none when it is absent)."""
    path = course.equivalent_mutants_path(assignment_id)
    if not path.is_file():
        return {}
    shown = course.relative(path)
    try:
        rows = tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", [])
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{shown}: not valid TOML ({exc})", hint="fix the file's syntax") from None
    found = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("mutant") or not row.get("reason"):
            raise CourseError(f"{shown}: every [[equivalent]] needs a mutant and the reason no check can kill it",
                              hint='mutant = "<as course validate --mutants lists it>", reason = "..."')
        found[row["mutant"]] = row["reason"]
    return found


def keyed(mutants: list[Mutant]) -> list[tuple[str, Mutant]]:
    """Each mutant with a key of its own: its change in words, numbered where two read the same."""
    seen: dict[str, int] = {}
    out = []
    for mutant in mutants:
        seen[mutant.key] = seen.get(mutant.key, 0) + 1
        out.append((mutant.key if seen[mutant.key] == 1 else f"{mutant.key} #{seen[mutant.key]}", mutant))
    return out


def sampled(items: list, size: int | None) -> list:
    """`size` items spread evenly over the list (all of them without a size): the same ones every run."""
    if not size or size >= len(items):
        return items
    return [items[round(k * (len(items) - 1) / max(size - 1, 1))] for k in range(size)]


def _run_mutant(assignment_id, key, mutant, source_nb, solution_nb, plan, files_from: Path, paper, limits,
                threads) -> MutantResult:
    """`mutant` None: the solution itself, whose every check must pass for the survivors to mean
    anything (a fixture that fails in the kernel would let every mutant survive)."""
    started = time.perf_counter()
    try:
        graded = run_and_judge(source_nb, mutant_notebook(solution_nb, mutant), plan=plan, judge=judge_once,
                               files_from=files_from, limits=limits, paper=paper, env=thread_environment(threads),
                               template=template_for(source_nb, files_from))
    except checks.CheckCrashed as crash:  # a check's defect on the mutant's outcomes: the author must see it
        return MutantResult(assignment_id, mutant, key, SURVIVED, message=str(crash),
                            seconds=time.perf_counter() - started)
    if mutant is None:
        problems = [f"{v.grade_id}: {v.messages[0]}" for v in graded.verdicts if not v.passed]
        return MutantResult(assignment_id, mutant, key, BASELINE, message="; ".join(problems),
                            seconds=graded.run.seconds)
    captures = graded.run.captures
    killed_by, first = [], ""
    for cell in notebooks.graded_cells(source_nb):
        judged = [check_id for check_id in cell.check_ids
                  if isinstance(captures.get(check_id), dict) and not captures[check_id].get("error")]
        messages = [m for check_id in judged if (m := judge_once(check_id, plan[check_id], captures[check_id], paper))]
        if messages:
            killed_by.append(cell.grade_id)
            first = first or messages[0]
    if killed_by:
        return MutantResult(assignment_id, mutant, key, KILLED, tuple(killed_by), first, graded.run.seconds)
    why = f"the run broke off ({graded.run.error}) and no check failed it" if graded.run.error else ""
    return MutantResult(assignment_id, mutant, key, SURVIVED, message=why, seconds=graded.run.seconds)


def _cells_calling(source_nb, plan) -> dict[str, set[str]]:
    return {cell.grade_id: {c.fn for check_id in cell.check_ids for c in plan[check_id]}
            for cell in notebooks.graded_cells(source_nb) if cell.is_test}


def analyse(*, course: Course, assignment_ids: list[str] | None = None, only: set[str] | None = None,
            sample: int | None = None, on_start=None, on_done=None) -> list[MutationRun]:
    """Every mutant of every requested assignment's solution (of the definitions in `only`; `sample`
    of them, spread evenly), judged under the first validate seed."""
    seed = course.validation.validate_seed
    limits = RunLimits.of(course)
    runs, jobs = [], []
    for assignment_id in course.resolve(assignment_ids):
        paper = form_key(course, assignment_id)
        recorded = equivalents(course, assignment_id)
        run = MutationRun(assignment_id, [], {})
        made = set()
        for path in course.source_notebooks(assignment_id):
            source_nb = notebooks.read(path, shown_as=course.relative(path))
            solution_nb = worked_notebook(source_nb, paper) if paper else source_nb
            plan = plan_for(source_nb, seed, paper)
            run.cells.update(_cells_calling(source_nb, plan))
            every = keyed(mutants_of(solution_nb, only))
            made |= {key for key, _ in every}
            jobs.append((assignment_id, course.relative(path), None, source_nb, solution_nb, plan,
                         course.source_dir(assignment_id), paper, limits))
            for key, mutant in sampled(every, sample):
                if key in recorded:
                    run.results.append(MutantResult(assignment_id, mutant, key, EQUIVALENT, message=recorded[key]))
                else:
                    jobs.append((assignment_id, key, mutant, source_nb, solution_nb, plan,
                                 course.source_dir(assignment_id), paper, limits))
        if only is None:
            run.stale = sorted(set(recorded) - made)
        runs.append(run)
    by_id = {run.assignment_id: run for run in runs}
    for result in run_in_pool(course, _run_mutant, jobs, on_start, on_done):
        run = by_id[result.assignment_id]
        if result.outcome != BASELINE:
            run.results.append(result)
        elif result.message:
            run.broken.append(f"{result.key}: the solution itself fails under this run ({result.message})")
    return runs


def by_cell(run: MutationRun) -> dict[str, list[MutantResult]]:
    """The mutants of the definitions each test cell's checks call (one mutant may be in several
    cells' rows); "(called by no check)" for definitions only reached through others."""
    rows: dict[str, list[MutantResult]] = {cell: [] for cell in run.cells}
    for result in run.results:
        cells = [cell for cell, called in run.cells.items() if result.mutant.function in called]
        for cell in cells or ["(called by no check)"]:
            rows.setdefault(cell, []).append(result)
    return {cell: results for cell, results in rows.items() if results}
