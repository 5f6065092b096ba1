"""`course validate`: prove that an assignment's tests are right.

The solution (an exam form's: its worked answers) passes every test; the released stub fails every graded test cell; every
known mistake is caught by a hidden check (by the cells and words it names, if it names any);
every alternative correct solution gets full marks; and each of them under every seed it tries, with
the same points in every cell whatever the seed. Each case is a real run in a fresh kernel.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .. import checks
from ..authoring.cases import Case, cases_for
from ..authoring.requirements import Coverage, coverage
from ..checks.exam.answers import PREFIX
from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..exam.worked import form_key, worked_notebook
from ..grading.execute import RunLimits
from ..grading.forked_kernels import template_for
from ..grading.run_and_judge import plan_for, run_and_judge
from ..grading.slots import cores, limit_threads, thread_environment, threads_per_run
from ..grading.verdicts import CellVerdict


@dataclass
class CaseResult:
    assignment_id: str
    notebook: str
    case: Case
    verdicts: list[CellVerdict]
    problems: list[str]  # why the case does not meet its expectation; empty when it does
    seconds: float
    source: Path | None = None  # the source notebook the case was made from
    executed: object = None  # the solution case's executed notebook, for `course validate --solutions`

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def score(self) -> tuple[float, float]:
        return sum(v.points for v in self.verdicts), sum(v.max_points for v in self.verdicts)


def _known_checks(assignment_id: str, paper) -> set[str]:
    if paper is not None:  # an exam form: a check per question its key marks
        return {f"{PREFIX}{key['question']}" for key in paper.keys if key["kind"] != "free_text"}
    return {f"{assignment_id}:{n}" for n in checks.checks_of(assignment_id)}


def structure_problems(course: Course, assignment_id: str, nb, name: str, paper=None) -> list[str]:
    """Defects visible without running anything: cells with no hidden check, unknown checks, outputs."""
    problems = []
    known = _known_checks(assignment_id, paper)
    used = set()
    for cell in notebooks.graded_cells(nb):
        if cell.is_test and not cell.check_ids:
            problems.append(f"{name}: test cell {cell.grade_id} names no hidden check, so its grade would rest on the student's kernel")
        for check_id in cell.check_ids:
            used.add(check_id)
            if check_id not in known:
                problems.append(f"{name}: cell {cell.grade_id} names unknown hidden check {check_id}")
    for check_id in sorted(known - used):
        problems.append(f"{name}: hidden check {check_id} is defined but no test cell uses it")
    for cell in nb.cells:
        if cell.get("outputs") or cell.get("execution_count"):
            problems.append(f"{name}: source cell {cell.get('id', '?')} carries outputs; clear them before committing")
            break
    return problems


def expectation_problems(case: Case, verdicts: list[CellVerdict]) -> list[str]:
    failed = [v for v in verdicts if not v.passed]
    by_id = {v.grade_id: v for v in verdicts}
    if case.kind in ("solution", "alternative"):
        return [f"{v.grade_id} failed: {v.messages[0]}" for v in failed]
    if case.kind == "stub":
        return [f"{v.grade_id} passes on the unanswered stub: it would give points for nothing"
                for v in verdicts if v.passed]
    # a known mistake
    problems = []
    if not any(v.hidden for v in verdicts):
        problems.append("no hidden check catches this mistake")
    for grade_id, fragment in case.expect.items():
        verdict = by_id.get(grade_id)
        if verdict is None:
            problems.append(f"EXPECT names {grade_id}, which is not a graded test cell")
        elif not verdict.hidden:
            problems.append(f"{grade_id} should catch it but its hidden checks passed")
        elif not any(fragment.lower() in m.lower() for m in verdict.hidden):
            problems.append(f"{grade_id} caught it without saying {fragment!r}: {verdict.hidden[0]}")
    return problems


def seed_problems(seeds: list[int], verdicts_by_seed: list[list[CellVerdict]]) -> list[str]:
    """Cells whose points differ between seeds: two students handing in this notebook would get
    different grades, depending only on the inputs their checks drew."""
    problems = []
    for cell_verdicts in zip(*verdicts_by_seed):
        by_points: dict[float, list[int]] = {}
        for seed, verdict in zip(seeds, cell_verdicts):
            by_points.setdefault(verdict.points, []).append(seed)
        if len(by_points) > 1:
            shown = "; ".join(f"{points:g} points on seed{'s' * (len(s) > 1)} {', '.join(map(str, s))}"
                              for points, s in by_points.items())
            failing = next(v for v in cell_verdicts if not v.passed)
            problems.append(f"{cell_verdicts[0].grade_id}'s verdict depends on the seed ({shown}): {failing.messages[0]}")
    return problems


def _per_seed(seeds: list[int], problems_by_seed: list[list[str]]) -> list[str]:
    """Each problem once, naming the seeds it arose on unless it arose on all of them."""
    arose: dict[str, list[int]] = {}
    for seed, problems in zip(seeds, problems_by_seed):
        for problem in problems:
            arose.setdefault(problem, []).append(seed)
    return [problem if len(on) == len(seeds) else f"seed{'s' * (len(on) > 1)} {', '.join(map(str, on))}: {problem}"
            for problem, on in arose.items()]


# check id, digest of plan and record, paper -> verdict: one worker process's judgements so far.
_VERDICTS: dict[tuple, str | None] = {}


def judge_once(check_id, calls, record, paper) -> str | None:
    """checks.judge, once per distinct plan and record. A case changes a function or two: the cells
    that never call them leave the solution's very records, whose verdict (what judging makes of
    a plan and a record alone) is known already, and 04's judges replay training."""
    outcomes = record.get("outcomes") if isinstance(record, dict) else None
    if isinstance(outcomes, list):  # each outcome's time is all that differs between equal runs
        record = {**record, "outcomes": [{k: v for k, v in o.items() if k != "seconds"} if isinstance(o, dict) else o
                                         for o in outcomes]}
    digest = hashlib.sha256(json.dumps([checks.plan_to_wire({check_id: calls}), record], sort_keys=True,
                                       default=repr).encode()).hexdigest()
    key = (check_id, digest, None if paper is None else (paper.exam, paper.paper))
    if key not in _VERDICTS:
        _VERDICTS[key] = checks.judge(check_id, calls, record, paper)
    return _VERDICTS[key]


def _run_case(assignment_id, source: Path, name, source_nb, case, seeds, plans, files_from: Path, paper,
              limits: RunLimits, retries: int, threads: int) -> CaseResult:
    for tries_left in range(retries, -1, -1):
        try:
            # Every seed's calls in one run: the notebook's own cells, which cost the most, run once.
            graded = run_and_judge(source_nb, case.notebook, plan=plans[0], draws=plans[1:], judge=judge_once,
                                   files_from=files_from,
                                   limits=limits, paper=paper, env=thread_environment(threads),
                                   template=template_for(source_nb, files_from))
            break
        except checks.CheckCrashed as crash:  # a defect of a check: report it with this case, run the rest
            return CaseResult(assignment_id, name, case, [], [str(crash)], 0.0, source)
        except Exception as exc:  # the machine's (a kernel killed as it started, under load): this case only
            if not tries_left:
                return CaseResult(assignment_id, name, case, [], [
                    f"the case could not run ({type(exc).__name__}: {exc}), {retries + 1} tries; "
                    "run validate again, on a less loaded machine"], 0.0, source)
    by_seed = [graded.verdicts, *graded.draws]
    problems = seed_problems(seeds, by_seed) + _per_seed(seeds, [expectation_problems(case, v) for v in by_seed])
    if graded.run.error and case.kind in ("solution", "alternative"):
        problems.insert(0, f"the run broke off: {graded.run.error}")
    # The solution case is exactly the run `course solutions` makes (same plan, files, and limits for each draw),
    # so its executed notebook can be published without running the solution a second time.
    executed = graded.run.notebook if case.kind == "solution" and not problems else None
    return CaseResult(assignment_id, name, case, graded.verdicts, problems, graded.run.seconds, source, executed)


@dataclass
class Validation:
    structural: list[str]  # defects seen without running anything
    results: list[CaseResult]
    coverage: list[Coverage]  # each assignment's requirement table, proven by the results

    @property
    def problems(self) -> list[str]:
        """Everything that fails validation but the cases' own problems."""
        return self.structural + [p for c in self.coverage for p in c.problems]


def validation_seeds(course: Course, count: int | None = None) -> list[int]:
    """The seeds every case is judged under; the first is the one `course solutions` runs with."""
    first = course.validation.validate_seed
    return [first + k for k in range(count or course.validation.validate_seeds)]


def validate(*, course: Course, assignment_ids: list[str] | None = None, seeds: int | None = None, on_start=None,
             on_done=None) -> Validation:
    """Run every case of every requested assignment, judged under `seeds` seeds (default
    c.Checks.validate_seeds), and prove each requirement table by the mistakes' verdicts."""
    jobs, structural, sources = [], [], {}
    seeds = validation_seeds(course, seeds)
    limits = RunLimits.of(course, draws=len(seeds))
    for assignment_id in course.resolve(assignment_ids):
        paper = form_key(course, assignment_id)
        for path in course.source_notebooks(assignment_id):
            name = course.relative(path)
            source_nb = notebooks.read(path, shown_as=name)
            sources.setdefault(assignment_id, []).append(source_nb)
            structural += structure_problems(course, assignment_id, source_nb, name, paper)
            try:
                plans = [plan_for(source_nb, seed, paper) for seed in seeds]
            except CourseError as exc:
                structural.append(f"{name}: {exc.message}")
                continue
            solution_nb = worked_notebook(source_nb, paper) if paper else None
            for case in cases_for(source_nb, course.config, course.cases_dir(assignment_id), solution_nb):
                jobs.append((assignment_id, path, name, source_nb, case, seeds, plans,
                             course.source_dir(assignment_id), paper, limits, course.validation.case_retries))
    results = run_in_pool(course, _run_case, jobs, on_start, on_done)
    covered = [coverage(course, aid, nbs, [r for r in results if r.assignment_id == aid]) for aid, nbs in sources.items()]
    return Validation(structural, results, covered)


def run_in_pool(course: Course, run, jobs: list[tuple], on_start=None, on_done=None) -> list:
    """`run(*job, threads)` for every job, in worker processes with forked kernels; results in the
    jobs' order, `on_done` told of each as it ends."""
    if on_start:
        on_start(len(jobs))
    workers = course.validation.workers or cores()
    threads = threads_per_run(workers, course.grading.threads_per_run)
    results: list = [None] * len(jobs)
    # Processes, not threads: Jupyter's ZeroMQ clients are not safe to drive from several threads,
    # and spawn (not fork) so no worker inherits another's sockets.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=limit_threads, initargs=(threads,)) as pool:
        futures = {pool.submit(run, *job, threads): index for index, job in enumerate(jobs)}
        for future in as_completed(futures):
            results[futures[future]] = result = future.result()
            if on_done:
                on_done(result)
    return results
