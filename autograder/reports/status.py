"""`course status`: where the grading of an assignment stands, without changing anything.

Records by status, submissions with no record (or a record of an older file), and the Slurm tasks
of earlier runs still queued or running: what a TA looks at after leaving a grading run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from ..course.coursedir import Course
from ..grading.backends.slurm import in_flight
from ..grading.grade import stale, submitted_students
from ..records import late, results
from ..records.gradebook import extensions


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
    deadline = course.assignment(assignment_id)["deadline"]
    for sid in submitted_students(course, assignment_id):
        record = results.load(course.record_path(sid, assignment_id))
        if record is None or (record.status not in results.UNFINISHED and stale(course, record)):
            found.ungraded.append(sid)
        else:
            found.statuses[record.status] += 1
            days = late.days_late(record.submitted_at, deadline, course.grading.late_grace_minutes,
                                  found.extensions.get(sid))
            if days:
                found.late[sid] = days
    if course.slurm_runs_dir(assignment_id).is_dir():
        tasks, queue = in_flight(course, assignment_id)
        found.queued = Counter(queue[t.key].state.lower() for t in tasks)
        found.jobs = sorted({t.job_id for t in tasks})
    return found
