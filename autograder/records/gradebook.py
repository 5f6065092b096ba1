"""Ingest grading records into nbgrader's gradebook, so formgrader and `nbgrader export` see them.

Only the autograded cells' scores, the submission time, the late penalty and the assignment's due
date are written; manual grades, overrides and extra credit given in formgrader are left as they are
when a submission is regraded. Every output reads final scores through `final_scores`, which does
this again first, so an edited deadline or penalty rule reaches formgrader and our pages alike.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

from nbgrader.api import Gradebook, MissingEntry

from ..course import notebooks
from ..course.coursedir import Course
from ..course.errors import CourseError
from ..course.nbgrader_db import ensure_alembic_on_path
from ..grading import results
from ..grading.results import Result
from . import late


def open_gradebook(course: Course) -> Gradebook:
    ensure_alembic_on_path()
    try:
        return Gradebook(course.nbgrader.db_url)
    except Exception as exc:  # sqlalchemy raises many types for a missing or unreachable database
        raise CourseError(
            f"cannot open the gradebook at {course.nbgrader.db_url}: {type(exc).__name__}: {str(exc).splitlines()[0]}",
            hint="check c.CourseDirectory.db_url in course_config.py; a PostgreSQL database must exist",
        ) from None


def has_assignment(course: Course, assignment_id: str) -> bool:
    with open_gradebook(course) as gb:
        try:
            return bool(gb.find_assignment(assignment_id).notebooks)
        except MissingEntry:
            return False


def ingest(course: Course, records: list[Result]) -> None:
    with open_gradebook(course) as gb:
        _ingest(course, gb, records)
        gb.db.commit()


def _ingest(course: Course, gb: Gradebook, records: list[Result]) -> None:
    worth: dict[str, notebooks.Maximum] = {}
    for record in records:
        aid, sid = record.assignment_id, record.student_id
        if aid not in worth:
            worth[aid] = _worth(course, aid)
        gb.update_or_create_student(sid)
        submission = _submission(gb, aid, sid)
        # nbgrader keeps UTC without a zone; its export and formgrader show these beside our penalty
        submission.assignment.duedate = _naive(late.deadline(course, aid))
        submission.timestamp = _naive(late.utc(record.submitted_at))
        points = {t.grade_id: t.points for t in record.tests}
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if not _is_manual(grade):
                    grade.auto_score = points.get(grade.cell.name, 0.0)
                    grade.needs_manual_grade = False
        penalty = _assessed(course, aid, submission, worth[aid]).penalty
        for index, notebook in enumerate(submission.notebooks):
            # nbgrader adds up its notebooks' penalties: the assignment's whole penalty goes on one
            notebook.late_submission_penalty = penalty if index == 0 else 0.0


def _naive(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment else None


def _worth(course: Course, assignment_id: str) -> notebooks.Maximum:
    return notebooks.maximum(notebooks.read(course.source_notebooks(assignment_id)[0]))


def _assessed(course: Course, assignment_id: str, submission, worth: notebooks.Maximum) -> late.FinalScore:
    return late.assess(course, assignment_id, submitted_at=submission.timestamp, extension=submission.extension,
                       points=submission.score, worth=worth)


def final_scores(course: Course, assignment_id: str, records: list[Result]) -> dict[str, late.FinalScore]:
    """Each record's final score. The gradebook is first brought up to date with the records and the
    current config (a deadline or penalty rule edited since grading, a grade that never reached it),
    so formgrader, `nbgrader export` and every output of ours show the same numbers; a TA's overrides
    and extra credit are read from it. Never creates a gradebook."""
    if not records:
        return {}
    absent = CourseError(f"the gradebook has no grades of {assignment_id}",
                         hint=f"run `course grade {assignment_id} --resume` to put them there")
    sqlite = course.sqlite_gradebook()
    if sqlite is not None and not sqlite.is_file():
        raise absent
    with open_gradebook(course) as gb:
        try:
            gb.find_assignment(assignment_id)
        except MissingEntry:
            raise absent from None
        _ingest(course, gb, records)
        gb.db.commit()
        worth = _worth(course, assignment_id)
        return {r.student_id: _assessed(course, assignment_id, gb.find_submission(assignment_id, r.student_id), worth)
                for r in records}


def _submission(gb: Gradebook, assignment_id: str, student_id: str):
    try:
        return gb.find_submission(assignment_id, student_id)
    except MissingEntry:
        with warnings.catch_warnings():  # nbgrader's own autoflush noise while it builds the rows
            warnings.simplefilter("ignore")
            return gb.add_submission(assignment_id, student_id)


def grant_extension(course: Course, assignment_id: str, student_id: str, extension: timedelta) -> None:
    """nbgrader's extension (it replaces an earlier one); a graded submission's late penalty is
    computed again at once, so reports and formgrader agree with it."""
    with open_gradebook(course) as gb:
        try:
            gb.find_assignment(assignment_id)
        except MissingEntry:
            raise CourseError(f"{assignment_id} has not been released, so no student can have an extension on it",
                              hint=f"run `course release {assignment_id}` first") from None
        gb.update_or_create_student(student_id)
        _submission(gb, assignment_id, student_id)
        gb.grant_extension(assignment_id, student_id, minutes=extension.total_seconds() / 60)
    record = results.load(course.record_path(student_id, assignment_id))
    if record is not None:
        ingest(course, [record])


def extensions(course: Course, assignment_id: str) -> dict[str, timedelta]:
    """Every student's extension on an assignment; none when there is no gradebook yet (this
    never creates one)."""
    sqlite = course.sqlite_gradebook()
    if sqlite is not None and not sqlite.is_file():
        return {}
    with open_gradebook(course) as gb:
        try:
            submissions = gb.find_assignment(assignment_id).submissions
        except MissingEntry:
            return {}
        return {s.student.id: s.extension for s in submissions if s.extension}


def _is_manual(grade) -> bool:
    """A cell the student answers in prose or code and a person grades (nbgrader: solution + grade)."""
    return any(cell.name == grade.cell.name for cell in grade.notebook.notebook.solution_cells)
