"""Proof that an otter export grades like our grader: the cases of `course validate`, graded by
otter's own offline grader (`otter.api.grade_submission`, the code behind `otter run` and
Gradescope's `run_autograder`), compared question by question with validate's verdicts.

A case becomes an otter submission the way a student would make one: otter's student notebook
with each answer cell holding the case's code (cells keep the source's ids through the export);
the stub is the student notebook untouched, since that is what otter's students receive.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..authoring.cases import Case
from ..course import notebooks
from ..course.coursedir import Course
from ..grading.slots import cores
from .otter_export import export
from .validate import CaseResult


@dataclass
class Parity:
    case: str
    ours: dict[str, float]
    otter: dict[str, float]
    error: str | None = None  # otter's grading broke off as a whole

    @property
    def differences(self) -> list[str]:
        found = [self.error] if self.error else []
        for question in sorted(set(self.ours) | set(self.otter)):
            mine, theirs = self.ours.get(question), self.otter.get(question)
            if mine != theirs:
                found.append(f"{question}: course validate {_shown(mine)}, otter {_shown(theirs)}")
        return found


@dataclass
class AssignmentParity:
    assignment_id: str
    parities: list[Parity]
    seconds: float  # otter's grading of all the cases, wall-clock

    @property
    def differences(self) -> list[str]:
        return [f"{self.assignment_id} {p.case}: {d}" for p in self.parities for d in p.differences]


def prove(course: Course, results: list[CaseResult], kinds=(), *, on_start=None, on_done=None) -> list[AssignmentParity]:
    """Export each assignment the validated `results` are of (into a scratch folder, not the course's
    exports/) and grade its cases of `kinds` (all when empty) through otter.
    `on_start(assignment_id, cases)` before each assignment's grading, `on_done(parity)` after each case."""
    proven = []
    for assignment_id in dict.fromkeys(r.assignment_id for r in results):
        chosen = [r for r in results if r.assignment_id == assignment_id and (not kinds or r.case.kind in kinds)]
        if not chosen:  # e.g. only alternatives asked for, of an assignment that has none
            continue
        with tempfile.TemporaryDirectory(prefix="course-otter-export-") as folder:
            [exported] = export(course=course, assignment_ids=[assignment_id], out=Path(folder), run_tests=False)
            if on_start:
                on_start(assignment_id, len(chosen))
            started = time.monotonic()
            parities = compare(exported, notebooks.read(chosen[0].source), chosen,
                               workers=course.validation.workers or cores(), on_done=on_done)
            proven.append(AssignmentParity(assignment_id, parities, time.monotonic() - started))
    return proven


def _shown(points) -> str:
    return "no score" if points is None else f"{points:g}"


def submission(source_nb, student_nb, case: Case):
    """The otter student notebook answered with the case's code."""
    nb = copy.deepcopy(student_nb)
    if case.kind == "stub":
        return nb
    source_ids = {cell.id for cell in source_nb.cells}
    answers = {cell.id: cell for cell in case.notebook.cells}
    cells = []
    for cell in nb.cells:
        if cell.get("id") in source_ids:
            if cell.id not in answers:  # a demo cell the case leaves out
                continue
            if notebooks.nbgrader_meta(answers[cell.id]).get("solution"):
                cell.source = answers[cell.id].source
        cells.append(cell)
    nb.cells = cells
    return nb


def _silence_kernels() -> None:
    """otter's kernels inherit this worker's stderr and warn there of their TCP transport for every case;
    what grading says comes back as the worker's result, so the noise goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _grade(notebook_text: str, zip_path: str, name: str) -> dict[str, float] | str:
    import autograder  # noqa: F401 - keeps jsonschema's slow optional import out of this worker

    from otter.api import grade_submission

    with tempfile.TemporaryDirectory(prefix="course-otter-") as folder:
        path = Path(folder) / name
        path.write_text(notebook_text, encoding="utf-8")
        try:
            results = grade_submission(str(path), zip_path, quiet=True)
        except Exception as exc:  # otter's own refusal of a submission, reported with the case
            return f"otter could not grade it: {type(exc).__name__}: {exc}"
    if results.catastrophic_error:
        return f"otter's run broke off: {results.catastrophic_error}"
    return {question: float(results.get_score(question)) for question in results.test_files}


def compare(exported, source_nb, results: list[CaseResult], *, workers: int, on_done=None) -> list[Parity]:
    """Grade each validated case through otter and compare per-question points with validate's."""
    student_nb = notebooks.read(exported.student)
    jobs = []
    for result in results:
        nb = submission(source_nb, student_nb, result.case)
        jobs.append((nbformat.writes(nb), str(exported.autograder_zip), exported.student.name))
    parities = []
    with _kernels_without_iri_checker(), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_silence_kernels) as pool:
        for result, graded in zip(results, pool.map(_grade, *zip(*jobs))):
            ours = {v.grade_id: float(v.points) for v in result.verdicts}
            if isinstance(graded, str):
                parity = Parity(result.case.name, ours, {}, graded)
            else:
                parity = Parity(result.case.name, ours, graded)
            parities.append(parity)
            if on_done:
                on_done(parity)
    return parities


@contextmanager
def _kernels_without_iri_checker():
    """otter's grading kernel imports nbformat, whose jsonschema compiles rfc3987_syntax's grammar for
    over 3 s per kernel; nothing in grading checks IRI formats, so the kernels are told it is absent
    (as autograder/__init__.py tells our own processes). Scores cannot depend on it."""
    with tempfile.TemporaryDirectory(prefix="course-otter-site-") as folder:
        Path(folder, "sitecustomize.py").write_text('import sys\nsys.modules.setdefault("rfc3987_syntax", None)\n')
        previous = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (folder, previous) if p)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("PYTHONPATH")
            else:
                os.environ["PYTHONPATH"] = previous
