"""`course watch`: grade on submit. Each pass collects what is new (from nbgrader's exchange, or
what appeared in submitted/), grades it with the same sandboxed unit as `course grade --resume`,
and writes (and, on a hub, releases) its feedback.

Nothing is kept in memory between passes: the records say what is graded (a resubmission changes
the notebook's hash, so it is graded again; an unchanged one is not), and a marker beside each
feedback page says which record it was released for. A watch stopped at any point and started
again picks up exactly where it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.files import write_atomically
from ..grading import results
from ..intake import exchange as nbgrader_exchange
from ..lms.passback import Passback, passback as pass_back
from ..reports.feedback import feedback
from .grade import grade, stale, submitted_students

_NAP = 0.2  # seconds between looks at a stop request while waiting for the next pass
_RELEASED = "released-for.txt"  # release_feedback publishes *.html only, so this stays with us


@dataclass
class Pass:
    graded: list[results.Result] = field(default_factory=list)
    collected: nbgrader_exchange.ExchangeCollected | None = None  # what came from the exchange, with a word on each odd one
    released: list[str] = field(default_factory=list)  # students whose feedback went out
    passed_back: Passback | None = None  # their scores as posted to the LMS (`--passback`)


def _graded_for(record: results.Result) -> str:
    return f"{record.submission_sha256} {record.started_at}"


def _feedback_due(course: Course, assignment_id: str, students: list[str]) -> list[str]:
    due = []
    for sid in students:
        record = results.load(course.record_path(sid, assignment_id))
        if record is None or record.status in results.UNFINISHED:
            continue
        marker = course.feedback_file(sid, assignment_id).parent / _RELEASED
        if not marker.is_file() or marker.read_text(encoding="utf-8") != _graded_for(record):
            due.append(sid)
    return due


def one_pass(*, course: Course, assignment_id: str, exchange: nbgrader_exchange.Exchange | None, on_done=None,
             passback: bool = False) -> Pass:
    """`exchange`: collect from it and release feedback there; None: grade what is in submitted/.
    `passback`: post the new grades to the LMS too."""
    done = Pass()
    if exchange:
        done.collected = nbgrader_exchange.collect_exchange(course=course, assignment_id=assignment_id, exchange=exchange)
    students = submitted_students(course, assignment_id)
    todo = [sid for sid in students
            if (record := results.load(course.record_path(sid, assignment_id))) is None or stale(course, record)]
    if todo:
        done.graded = grade(course=course, assignment_id=assignment_id, students=todo, resume=True,
                            on_done=on_done).records
    due = _feedback_due(course, assignment_id, students)
    if due:
        feedback(course=course, assignment_id=assignment_id, students=due)
        for sid in due:
            if exchange and exchange.came_through(assignment_id, sid):  # asked once: release_feedback would ask again
                exchange.release_feedback(assignment_id, sid)
        if passback:  # before the markers: a pass-back that fails is due again next pass, with the feedback
            done.passed_back = pass_back(course=course, assignment_id=assignment_id, students=due)
        for sid in due:
            record = results.load(course.record_path(sid, assignment_id))
            write_atomically(course.feedback_file(sid, assignment_id).parent / _RELEASED, _graded_for(record))
        done.released = due
    return done


def watch(*, course: Course, assignment_id: str, exchange: bool, interval: float | None = None,
          once: bool = False, stopped=lambda: False, on_pass=None, on_error=None, on_done=None,
          passback: bool = False) -> None:
    """Passes until `stopped()` says so (checked between passes), or one with `once`. A pass that
    fails is reported and the next one tries again: one bad submission or a moment's trouble never
    ends the watch."""
    (assignment_id,) = course.resolve([assignment_id])
    chosen = nbgrader_exchange.exchange_for(course) if exchange else None
    if chosen:
        chosen.check_setup()  # a wrong exchange is the admin's to fix: say so at once
    while True:
        try:
            finished = one_pass(course=course, assignment_id=assignment_id, exchange=chosen, on_done=on_done,
                                passback=passback)
            if on_pass:
                on_pass(finished)
        except CourseError as exc:
            if once or not on_error:
                raise
            on_error(exc)
        wake = time.monotonic() + (course.grading.watch_interval_seconds if interval is None else interval)
        while not (once or stopped()) and time.monotonic() < wake:
            time.sleep(min(_NAP, max(0.0, wake - time.monotonic())))
        if once or stopped():
            return
