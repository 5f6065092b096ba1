"""`course status`: where the grading of an assignment stands, changing nothing but bringing the
gradebook's copy of the scores and late penalties up to date first (so it tells what `course report` would).

Records by status, submissions with no record (or a record of an older file), and the Slurm tasks
of earlier runs still queued or running: what a TA looks at after leaving a grading run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from ..course.coursedir import Course
from ..grading import results
from ..grading.backends.slurm import in_flight
from ..grading.unit import stale
from ..intake.submission_files import submitted_students
from ..records.gradebook import extensions, final_scores


@dataclass
class Status:
    statuses: Counter = field(default_factory=Counter)  # of records (infra_error, cancelled: to grade again)
    ungraded: list[str] = field(default_factory=list)  # no record, or a verdict on an older submission
    queued: Counter = field(default_factory=Counter)  # Slurm state -> tasks
    jobs: list[str] = field(default_factory=list)
    late: dict[str, int] = field(default_factory=dict)  # student -> started days late, extensions counted
    extensions: dict[str, timedelta] = field(default_factory=dict)


def status(*, course: Course, assignment_id: str) -> Status:
    (assignment_id,) = course.resolve([assignment_id])
    found = Status(extensions=extensions(course, assignment_id))
    records = {sid: results.load(course.record_path(sid, assignment_id))
               for sid in submitted_students(course, assignment_id)}
    scores = final_scores(course, assignment_id, [r for r in records.values() if r is not None])  # as report counts
    for sid, record in records.items():
        if record is None or (record.status not in results.UNFINISHED and stale(course, record)):
            found.ungraded.append(sid)
        else:
            found.statuses[record.status] += 1
            if scores[sid].days_late:
                found.late[sid] = scores[sid].days_late
    if course.slurm_runs_dir(assignment_id).is_dir():
        tasks, queue = in_flight(course, assignment_id)
        found.queued = Counter(queue[t.key].state.lower() for t in tasks)
        found.jobs = sorted({t.job_id for t in tasks})
    return found
