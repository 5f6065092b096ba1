"""`course grade`: every submission of an assignment through the grading unit, on a backend.

Resumable: a record whose submission is unchanged is kept. Only `infra_error` is retried. The
batch never stops on one submission; every one ends with a record, and all are ingested into
the gradebook at the end.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from ..authoring.release import release
from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.notebooks import maximum
from ..grading import results, sandbox, scratch
from ..grading.backends import backend_named
from ..grading.slots import parse_gpus, plan_slots, share_cores
from ..grading.unit import Unit, shown_paths, stale
from ..intake.submission_files import submitted_students
from ..records.gradebook import has_assignment, ingest


@dataclass
class Summary:
    records: list[results.Result] = field(default_factory=list)
    skipped: int = 0  # kept from an earlier run (--resume)
    isolation: str = ""
    slots: list = field(default_factory=list)
    where: str = ""  # the backend's own account of where units run
    graded: list[results.Result] = field(default_factory=list)  # of `records`, those this run graded
    ingest_seconds: float = 0.0  # writing the run's scores into the gradebook

    @property
    def counts(self) -> Counter:
        return Counter(r.status for r in self.records)


def grade(
    *,
    course: Course,
    assignment_id: str,
    students: list[str] | None = None,
    workers: int | None = None,
    gpus: str | None = None,
    jobs_per_gpu: int | None = None,
    resume: bool = False,
    backend: str = "local",
    backend_options: dict | None = None,
    on_start=None,
    on_done=None,
) -> Summary:
    (assignment_id,) = course.resolve([assignment_id])
    sources = course.source_notebooks(assignment_id)
    if len(sources) != 1:
        raise CourseError(f"{assignment_id} has {len(sources)} notebooks; grading handles one per assignment")
    summary = Summary(isolation=sandbox.isolation(course.sandbox.mode))
    shown_paths(course)  # refuses, before anything runs, a config that would show runs the course
    scratch.sweep()  # what runs of a grading command killed outright left behind
    available = submitted_students(course, assignment_id)
    if not available:
        raise CourseError(
            f"no submissions of {assignment_id} in {course.relative(course.submissions_root())}/<student>/{assignment_id}/",
            hint=f"run `course collect {assignment_id} <lms-export.zip>` first",
        )
    wanted = list(students or available)
    missing = sorted(set(wanted) - set(available))
    if missing:
        raise CourseError(f"no submission of {assignment_id} from {', '.join(missing)}",
                          hint=f"students with one: {', '.join(available[:10])}{' ...' if len(available) > 10 else ''}")
    if not has_assignment(course, assignment_id):  # sanitizing restores cells from the gradebook
        release(course=course, assignment_ids=[assignment_id])

    todo = []
    for sid in wanted:
        record = results.load(course.record_path(sid, assignment_id)) if resume else None
        if record is not None and not stale(course, record):
            summary.records.append(record)
            summary.skipped += 1
        else:
            todo.append(Unit(str(course.root), assignment_id, sid))

    summary.slots = share_cores(plan_slots(
        gpus=parse_gpus(gpus if gpus is not None else course.grading.gpus),
        jobs_per_gpu=jobs_per_gpu or course.grading.jobs_per_gpu,
        workers=workers if workers is not None else course.grading.workers,
    )[: max(1, len(todo))], course.grading.threads_per_run)
    runner = backend_named(backend, course, resume=resume, **(backend_options or {}))
    summary.where = runner.describe(summary.slots)
    if on_start:
        on_start(summary, len(todo))
    max_score = maximum(notebooks.read(sources[0])).tests
    attempts = {unit: 0 for unit in todo}
    finished: dict[str, results.Result] = {}
    while todo:
        for record in runner.run(todo, summary.slots, on_done or (lambda r: None)):
            unit = Unit(str(course.root), record.assignment_id, record.student_id)
            attempts[unit] += 1
            record.attempts = attempts[unit]
            record.max_score = record.max_score or max_score  # a backend that lost the unit did not know it
            results.save(record, course.record_path(record.student_id, assignment_id))
            finished[record.student_id] = record
        todo = [u for u in todo if finished[u.student_id].status == results.INFRA
                and attempts[u] <= course.grading.retries]  # a cancelled unit waits for --resume
    summary.graded = list(finished.values())
    summary.records += summary.graded
    summary.records.sort(key=lambda r: r.student_id)
    started = time.perf_counter()
    ingest(course, summary.records)
    summary.ingest_seconds = time.perf_counter() - started
    return summary
